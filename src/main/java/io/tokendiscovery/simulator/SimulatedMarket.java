package io.tokendiscovery.simulator;

import io.tokendiscovery.ingest.Base58;
import io.tokendiscovery.simulator.BondingCurve.Fill;
import io.tokendiscovery.simulator.SimulatedFrame.Shape;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A deterministic pump.fun market: given a seed, {@link #nextFrame()} always yields the same sequence of server
 * frames, in exactly the feed's shapes.
 *
 * <p>Model, in short (docs/simulator.md has the details): a frame is a create with probability {@code createShare},
 * otherwise a trade. Mints on their curve are ranked by "heat", an exponentially decaying sum of the SOL they traded
 * (time unit: frames, so the model does not depend on the frame rate); the mint at rank r trades with probability
 * proportional to r^-zipfExponent. Hot mints attract trades and stay hot, so some of them fill their curve: a buy
 * that sells the last curve token completes it, and the next frame is its {@code migrate}. Graduated mints keep
 * trading, rarely, on a pump-amm pool. When more than {@code maxActiveMints} are on their curve, the coldest retires.
 * Traders are a pool of recurring wallets plus fresh ones; holdings are tracked per mint, so a sell never sells more
 * than its trader bought.
 *
 * <p>Threading: {@link #nextFrame()} must be called by one thread at a time (the simulator's event loop). The read
 * accessors ({@link #mintStats}, {@link #lastPricedFrame}, counters) are safe from any thread.
 */
public final class SimulatedMarket {

    /** Heat decays by e every this many frames. */
    static final double HEAT_TIME_CONSTANT_FRAMES = 3000;
    /** Share of trades that go to a graduated mint's pump-amm pool, when there is one. */
    static final double AMM_TRADE_SHARE = 0.02;
    /** Graduated mints that keep trading on pump-amm; older ones retire. */
    static final int MAX_AMM_MINTS = 64;
    /** Recurring trader wallets. */
    static final int WALLET_POOL_SIZE = 4096;
    /** Sigma of the log-normal trade size. */
    static final double TRADE_SIZE_SIGMA = 1.2;
    /** Smallest trade in SOL; smaller draws are rounded up to it. */
    static final double MIN_TRADE_SOL = 0.00001;
    /** Share of sells that sell the trader's whole position (newTokenBalance 0). */
    static final double FULL_EXIT_SHARE = 0.35;
    /** Share of creates whose creator buys nothing (initialBuy 0). */
    static final double NO_DEV_BUY_SHARE = 0.2;
    /** Largest creator initial buy in SOL. */
    static final double MAX_DEV_BUY_SOL = 40;

    private static final String[] ADJECTIVES = {
        "Based", "Tiny", "Giga", "Baby", "Super", "Turbo", "Dark", "Golden", "Crazy", "Sad", "Happy", "Magic",
        "Cosmic", "Little", "Angry", "Sleepy", "Rich", "Degen", "Frozen", "Wild", "Pixel", "Royal", "Lucky", "Smol"
    };
    private static final String[] NOUNS = {
        "Pepe", "Doge", "Cat", "Frog", "Moon", "Rocket", "Elon", "Wojak", "Chad", "Shiba", "Panda", "Goat", "Whale",
        "Penguin", "Hamster", "Banana", "Pizza", "Robot", "AI", "Dragon", "Otter", "Capybara", "Pump", "Coin"
    };
    /** Names real launches have: trailing spaces, emoji, quotes, backslashes, other scripts, control chars, empty. */
    private static final String[] AWKWARD_NAMES = {
        "Cash Elon ", "\uD83D\uDE80 To The Moon \uD83D\uDE80", "Pepe \"The\" Frog", "\u65E5\u672C\u306E\u30AB\u30A8\u30EB",
        "back\\slash", "Tab\tCoin", "\u00DCn\u00EFc\u00F6d\u00E9 \u00C7at", "", "</script><b>x</b>", "a".repeat(40)
    };
    private static final double AWKWARD_NAME_SHARE = 0.02;
    private static final char[] BASE32 = "abcdefghijklmnopqrstuvwxyz234567".toCharArray();

    private final long seed;
    private final SplittableRandom rng;
    private final double createShare;
    private final int maxActiveMints;
    private final double legacyShare;
    private final double bonkShare;
    private final double bareCreateShare;
    private final double mayhemShare;
    private final double buyBias;
    private final double meanTradeSol;
    private final int retainedMintStats;
    private final double[] zipfCdf;

    /** Mints on their curve, hottest first. */
    private final ArrayList<MintState> ranked = new ArrayList<>();
    /** Graduated mints that still trade on pump-amm, oldest first. */
    private final ArrayList<MintState> ammMints = new ArrayList<>();
    private final ArrayDeque<MintState> pendingMigrations = new ArrayDeque<>();
    private final String[] walletPool = new String[WALLET_POOL_SIZE];
    private final ConcurrentHashMap<String, MintStats> stats = new ConcurrentHashMap<>();
    private final ArrayDeque<String> retiredOrder = new ArrayDeque<>();
    private final FrameJson json = new FrameJson();
    private final byte[] bytes32 = new byte[32];
    private final byte[] bytes64 = new byte[64];
    private final double tradeMu;
    private final double devBuyMu;

    private volatile long frames;
    private volatile long creates;
    private volatile long trades;
    private volatile long migrations;
    private volatile int onCurve;

    /** A market with the properties' seed, or a random one when it is {@code null} (see {@link #seed()}). */
    public SimulatedMarket(SimulatorProperties properties) {
        this(properties, properties.getSeed() != null ? properties.getSeed() : new SplittableRandom().nextLong());
    }

    /** A market with an explicit seed (the properties' seed is ignored). */
    public SimulatedMarket(SimulatorProperties properties, long seed) {
        properties.validate();
        this.seed = seed;
        this.rng = new SplittableRandom(seed);
        this.createShare = properties.getCreateShare();
        this.maxActiveMints = properties.getMaxActiveMints();
        this.legacyShare = properties.getLegacyShare();
        this.bonkShare = properties.getBonkShare();
        this.bareCreateShare = properties.getBareCreateShare();
        this.mayhemShare = properties.getMayhemShare();
        this.buyBias = properties.getBuyBias();
        this.meanTradeSol = properties.getMeanTradeSol();
        this.retainedMintStats = properties.getRetainedMintStats();
        double sigma2 = TRADE_SIZE_SIGMA * TRADE_SIZE_SIGMA;
        this.tradeMu = StrictMath.log(meanTradeSol) - sigma2 / 2;
        this.devBuyMu = StrictMath.log(2 * meanTradeSol) - sigma2 / 2;
        this.zipfCdf = new double[maxActiveMints];
        double sum = 0;
        for (int r = 1; r <= maxActiveMints; r++) {
            sum += StrictMath.pow(r, -properties.getZipfExponent());
            zipfCdf[r - 1] = sum;
        }
        for (int i = 0; i < walletPool.length; i++) {
            walletPool[i] = newKey();
        }
    }

    /** The seed this market runs with; log it to replay a run. */
    public long seed() {
        return seed;
    }

    /** Advances the market by one event and returns its frame. Single-threaded. */
    public SimulatedFrame nextFrame() {
        long seq = frames + 1;
        SimulatedFrame frame;
        MintState graduating = pendingMigrations.poll();
        if (graduating != null) {
            frame = migrate(seq, graduating);
        } else if (ranked.isEmpty() || rng.nextDouble() < createShare) {
            frame = create(seq);
        } else if (!ammMints.isEmpty() && rng.nextDouble() < AMM_TRADE_SHARE) {
            frame = ammTrade(seq, ammMints.get(rng.nextInt(ammMints.size())));
        } else {
            frame = curveTrade(seq);
        }
        frames = seq;
        return frame;
    }

    /** Convenience: the next {@code n} frames. */
    public List<SimulatedFrame> nextFrames(int n) {
        List<SimulatedFrame> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(nextFrame());
        }
        return out;
    }

    // ---------------------------------------------------------------- read accessors (any thread)

    /** Frames produced so far. */
    public long framesGenerated() {
        return frames;
    }

    public long creates() {
        return creates;
    }

    public long trades() {
        return trades;
    }

    public long migrations() {
        return migrations;
    }

    /** Mints currently trading on their curve. */
    public int activeMintCount() {
        return onCurve;
    }

    /** Snapshot of one mint's statistics, or {@code null} if unknown (never created, or forgotten). */
    public MintStats mintStats(String mint) {
        return stats.get(mint);
    }

    /** The last frame for {@code mint} that carried reserves, or {@code null}. */
    public SimulatedFrame lastPricedFrame(String mint) {
        MintStats s = stats.get(mint);
        return s == null ? null : s.lastPricedFrame();
    }

    /** Trade frames sent for {@code mint} (0 if unknown). */
    public long tradeCount(String mint) {
        MintStats s = stats.get(mint);
        return s == null ? 0 : s.trades();
    }

    /** Total SOL of the trades sent for {@code mint}, creates excluded (0 if unknown). */
    public double volumeSol(String mint) {
        MintStats s = stats.get(mint);
        return s == null ? 0 : s.volumeSol();
    }

    /** Mints whose statistics are retained. */
    public Set<String> knownMints() {
        return Collections.unmodifiableSet(stats.keySet());
    }

    /** Statistics of every retained mint (a live, read-only view). */
    public Collection<MintStats> allMintStats() {
        return Collections.unmodifiableCollection(stats.values());
    }

    /** Mints currently on their curve (snapshot, unordered). */
    public List<String> activeMints() {
        List<String> out = new ArrayList<>();
        for (MintStats s : stats.values()) {
            if (s.onCurve()) {
                out.add(s.mint());
            }
        }
        return out;
    }

    // ---------------------------------------------------------------- events

    private SimulatedFrame create(long seq) {
        boolean bonk = rng.nextDouble() < bonkShare;
        String signature = newSignature();
        String creator = newKey();
        if (bonk) {
            return bonkCreate(seq, signature, creator);
        }
        String mint = newMint("pump");
        String curveKey = newKey();
        boolean bare = rng.nextDouble() < bareCreateShare;
        boolean mayhem = rng.nextDouble() < mayhemShare;
        String name = null;
        String symbol = null;
        String uri = null;
        if (!bare) {
            name = nextName();
            symbol = symbolOf(name);
            uri = nextUri();
        }
        MintState m = new MintState(mint, curveKey, "pump", mayhem);
        double devSol = devBuySol();
        Fill fill = devSol > 0 ? m.curve.buy(devSol) : Fill.NONE;
        if (fill.tokenAmount() > 0) {
            m.addHolding(creator, fill.tokenAmount());
        }
        m.createSol = fill.solAmount();
        double vSol = m.curve.vSol();
        double vTokens = m.curve.vTokens();
        double mcap = m.curve.marketCapSol();
        json.begin()
                .str("signature", signature)
                .str("mint", mint)
                .str("traderPublicKey", creator)
                .str("txType", "create")
                .num("initialBuy", fill.tokenAmount())
                .num("solAmount", fill.solAmount())
                .str("bondingCurveKey", curveKey)
                .num("vTokensInBondingCurve", vTokens)
                .num("vSolInBondingCurve", vSol)
                .num("marketCapSol", mcap);
        if (!bare) {
            json.str("name", name).str("symbol", symbol).str("uri", uri);
        }
        String text = json.bool("is_mayhem_mode", mayhem).str("pool", "pump").end();
        SimulatedFrame frame = new SimulatedFrame(seq, bare ? Shape.BARE_CREATE : Shape.CREATE, text, signature, mint,
                "create", creator, "pump", fill.solAmount(), fill.tokenAmount(), vSol, vTokens, mcap);
        m.lastFrame = frame;
        m.lastPriced = frame;
        double hype = 0.5 + devSol + logNormal(tradeMu);
        m.heat = StrictMath.log(hype) + seq / HEAT_TIME_CONSTANT_FRAMES;
        insertRanked(m);
        creates++;
        publish(m);
        while (ranked.size() > maxActiveMints) {
            MintState coldest = ranked.remove(ranked.size() - 1);
            coldest.onCurve = false;
            coldest.dropHolders();
            publish(coldest);
            retire(coldest.mint);
        }
        onCurve = ranked.size();
        return frame;
    }

    private SimulatedFrame bonkCreate(long seq, String signature, String creator) {
        String mint = newMint("bonk");
        String name = nextName();
        String symbol = symbolOf(name);
        String uri = nextUri();
        double devSol = devBuySol();
        // Approximation: the bonk launchpad's curve is close to pump's at launch; tokensInPool counts the real
        // 1 B supply left in the pool, as in the captured frame.
        MintState m = new MintState(mint, null, "bonk", false);
        Fill fill = devSol > 0 ? m.curve.buy(devSol) : Fill.NONE;
        double mcap = m.curve.marketCapSol();
        String text = json.begin()
                .str("signature", signature)
                .str("traderPublicKey", creator)
                .str("txType", "create")
                .str("mint", mint)
                .num("solInPool", fill.solAmount())
                .num("tokensInPool", BondingCurve.roundTokens(BondingCurve.TOTAL_SUPPLY - fill.tokenAmount()))
                .num("initialBuy", fill.tokenAmount())
                .num("solAmount", fill.solAmount())
                .num("newTokenBalance", fill.tokenAmount())
                .num("marketCapSol", mcap)
                .str("name", name)
                .str("symbol", symbol)
                .str("uri", uri)
                .str("pool", "bonk")
                .end();
        SimulatedFrame frame = new SimulatedFrame(seq, Shape.BONK_CREATE, text, signature, mint, "create", creator,
                "bonk", fill.solAmount(), fill.tokenAmount(), Double.NaN, Double.NaN, mcap);
        m.onCurve = false;
        m.createSol = fill.solAmount();
        m.lastFrame = frame;
        creates++;
        publish(m);
        // Bonk tokens are announced only: they never trade or migrate here.
        retire(mint);
        return frame;
    }

    private SimulatedFrame curveTrade(long seq) {
        int index = zipfIndex(ranked.size());
        MintState m = ranked.get(index);
        boolean buy = rng.nextDouble() < buyBias || m.holders.isEmpty();
        boolean legacy = rng.nextDouble() < legacyShare;
        double sol = tradeSol();
        String trader;
        Fill fill = Fill.NONE;
        double balance = 0;
        if (!buy) {
            Holder h = m.holders.get(rng.nextInt(m.holders.size()));
            double tokens = rng.nextDouble() < FULL_EXIT_SHARE
                    ? h.balance
                    : Math.min(h.balance, m.curve.tokensForSol(sol));
            fill = m.curve.sell(tokens);
            trader = h.wallet;
            if (fill.tokenAmount() > 0) {
                balance = m.reduceHolding(h, fill.tokenAmount());
            } else {
                buy = true; // nothing sellable (dust): the trader buys instead
            }
        } else {
            trader = null;
        }
        if (buy) {
            trader = pickBuyer(m);
            fill = m.curve.buy(sol);
            balance = m.addHolding(trader, fill.tokenAmount());
        }
        double vSol = m.curve.vSol();
        double vTokens = m.curve.vTokens();
        double mcap = m.curve.marketCapSol();
        String signature = newSignature();
        String txType = buy ? "buy" : "sell";
        json.begin()
                .str("signature", signature)
                .str("mint", m.mint)
                .str("traderPublicKey", trader)
                .str("txType", txType)
                .num("tokenAmount", fill.tokenAmount());
        if (!legacy) {
            json.num("solAmount", fill.solAmount());
        }
        json.num("newTokenBalance", balance)
                .str("bondingCurveKey", m.curveKey)
                .num("vTokensInBondingCurve", vTokens)
                .num("vSolInBondingCurve", vSol)
                .num("marketCapSol", mcap);
        if (!legacy) {
            json.str("pool", "pump");
        }
        String text = json.end();
        SimulatedFrame frame = new SimulatedFrame(seq, legacy ? Shape.LEGACY_TRADE : Shape.TRADE, text, signature,
                m.mint, txType, trader, legacy ? null : "pump", legacy ? Double.NaN : fill.solAmount(),
                fill.tokenAmount(), vSol, vTokens, mcap);
        m.countTrade(buy, fill.solAmount());
        m.lastFrame = frame;
        m.lastPriced = frame;
        trades++;
        if (m.curve.complete()) {
            ranked.remove(index);
            m.onCurve = false;
            m.amm = BondingCurve.amm(vSol, vTokens);
            pendingMigrations.add(m);
            onCurve = ranked.size();
        } else {
            double weight = (buy ? fill.solAmount() : 0.5 * fill.solAmount()) + 0.001;
            m.heat = logAddExp(m.heat, StrictMath.log(weight) + seq / HEAT_TIME_CONSTANT_FRAMES);
            while (index > 0 && ranked.get(index - 1).heat < m.heat) {
                ranked.set(index, ranked.get(index - 1));
                ranked.set(index - 1, m);
                index--;
            }
        }
        publish(m);
        return frame;
    }

    private SimulatedFrame ammTrade(long seq, MintState m) {
        boolean buy = rng.nextDouble() < buyBias || m.holders.isEmpty();
        double sol = tradeSol();
        String trader = null;
        Fill fill = Fill.NONE;
        double balance = 0;
        if (!buy) {
            Holder h = m.holders.get(rng.nextInt(m.holders.size()));
            double tokens = rng.nextDouble() < FULL_EXIT_SHARE ? h.balance : Math.min(h.balance, m.amm.tokensForSol(sol));
            fill = m.amm.sell(tokens);
            trader = h.wallet;
            if (fill.tokenAmount() > 0) {
                balance = m.reduceHolding(h, fill.tokenAmount());
            } else {
                buy = true;
            }
        }
        if (buy) {
            trader = pickBuyer(m);
            fill = m.amm.buy(sol);
            balance = m.addHolding(trader, fill.tokenAmount());
        }
        String signature = newSignature();
        String txType = buy ? "buy" : "sell";
        String text = json.begin()
                .str("signature", signature)
                .str("mint", m.mint)
                .str("traderPublicKey", trader)
                .str("txType", txType)
                .num("tokenAmount", fill.tokenAmount())
                .num("solAmount", fill.solAmount())
                .num("newTokenBalance", balance)
                .str("pool", "pump-amm")
                .end();
        SimulatedFrame frame = new SimulatedFrame(seq, Shape.AMM_TRADE, text, signature, m.mint, txType, trader,
                "pump-amm", fill.solAmount(), fill.tokenAmount(), Double.NaN, Double.NaN, Double.NaN);
        m.countTrade(buy, fill.solAmount());
        m.lastFrame = frame;
        trades++;
        publish(m);
        return frame;
    }

    private SimulatedFrame migrate(long seq, MintState m) {
        String signature = newSignature();
        String text = json.begin()
                .str("signature", signature)
                .str("mint", m.mint)
                .str("txType", "migrate")
                .str("pool", "pump-amm")
                .end();
        SimulatedFrame frame = new SimulatedFrame(seq, Shape.MIGRATE, text, signature, m.mint, "migrate", null,
                "pump-amm", Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
        m.migrated = true;
        m.lastFrame = frame;
        migrations++;
        ammMints.add(m);
        publish(m);
        if (ammMints.size() > MAX_AMM_MINTS) {
            MintState old = ammMints.remove(0);
            old.dropHolders();
            retire(old.mint);
        }
        return frame;
    }

    // ---------------------------------------------------------------- bookkeeping

    private void publish(MintState m) {
        stats.put(m.mint, new MintStats(m.mint, m.launchpad, m.mayhem, m.createSol, m.lastFrame, m.lastPriced,
                m.trades, m.buys, m.sells, m.volumeSol, m.onCurve, m.migrated));
    }

    private void retire(String mint) {
        retiredOrder.add(mint);
        while (stats.size() > retainedMintStats && !retiredOrder.isEmpty()) {
            stats.remove(retiredOrder.poll());
        }
    }

    private void insertRanked(MintState m) {
        int lo = 0;
        int hi = ranked.size();
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (ranked.get(mid).heat >= m.heat) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        ranked.add(lo, m);
    }

    private int zipfIndex(int n) {
        double u = rng.nextDouble() * zipfCdf[n - 1];
        int i = Arrays.binarySearch(zipfCdf, 0, n, u);
        if (i < 0) {
            i = -i - 1;
        }
        return Math.min(i, n - 1);
    }

    private String pickBuyer(MintState m) {
        double u = rng.nextDouble();
        if (u < 0.3 && !m.holders.isEmpty()) {
            return m.holders.get(rng.nextInt(m.holders.size())).wallet;
        }
        if (u < 0.85) {
            return walletPool[rng.nextInt(walletPool.length)];
        }
        return newKey();
    }

    private double tradeSol() {
        return Math.max(MIN_TRADE_SOL, Math.min(100 * meanTradeSol, logNormal(tradeMu)));
    }

    private double devBuySol() {
        if (rng.nextDouble() < NO_DEV_BUY_SHARE) {
            return 0;
        }
        return Math.max(MIN_TRADE_SOL, Math.min(MAX_DEV_BUY_SOL, logNormal(devBuyMu)));
    }

    /** Log-normal draw (Box-Muller with StrictMath, so the sequence does not depend on the JIT). */
    private double logNormal(double mu) {
        double u1 = 1.0 - rng.nextDouble();
        double u2 = rng.nextDouble();
        double z = StrictMath.sqrt(-2 * StrictMath.log(u1)) * StrictMath.cos(2 * Math.PI * u2);
        return StrictMath.exp(mu + TRADE_SIZE_SIGMA * z);
    }

    private static double logAddExp(double a, double b) {
        double max = Math.max(a, b);
        return max + StrictMath.log1p(StrictMath.exp(-Math.abs(a - b)));
    }

    // ---------------------------------------------------------------- keys and metadata

    private void nextBytes(byte[] b) {
        for (int i = 0; i < b.length; ) {
            long r = rng.nextLong();
            for (int k = 0; k < 8 && i < b.length; k++) {
                b[i++] = (byte) r;
                r >>>= 8;
            }
        }
    }

    /** A random 32-byte public key, base58, 43-44 chars (shorter encodings are redrawn, as real keys almost never are). */
    private String newKey() {
        while (true) {
            nextBytes(bytes32);
            String s = Base58.encode(bytes32);
            if (s.length() >= 43) {
                return s;
            }
        }
    }

    /** A random 64-byte signature, base58, 87-88 chars. */
    private String newSignature() {
        while (true) {
            nextBytes(bytes64);
            String s = Base58.encode(bytes64);
            if (s.length() >= 87) {
                return s;
            }
        }
    }

    /**
     * A 44-char mint ending in {@code suffix}, still a valid 32-byte key: real launchpads grind vanity keys; here the
     * last characters of a random 44-char key are replaced, and redrawn in the rare case the value leaves 32 bytes.
     */
    private String newMint(String suffix) {
        while (true) {
            nextBytes(bytes32);
            String s = Base58.encode(bytes32);
            if (s.length() != 44) {
                continue;
            }
            String candidate = s.substring(0, 44 - suffix.length()) + suffix;
            if (Base58.decode(candidate).length == 32) {
                return candidate;
            }
        }
    }

    private String nextName() {
        if (rng.nextDouble() < AWKWARD_NAME_SHARE) {
            return AWKWARD_NAMES[rng.nextInt(AWKWARD_NAMES.length)];
        }
        String noun = NOUNS[rng.nextInt(NOUNS.length)];
        return switch (rng.nextInt(4)) {
            case 0 -> noun;
            case 1 -> ADJECTIVES[rng.nextInt(ADJECTIVES.length)] + " " + noun;
            case 2 -> noun + " " + (rng.nextInt(9000) + 1000);
            default -> ADJECTIVES[rng.nextInt(ADJECTIVES.length)] + noun;
        };
    }

    private String symbolOf(String name) {
        StringBuilder sb = new StringBuilder(10);
        for (int i = 0; i < name.length() && sb.length() < 10; i++) {
            char c = name.charAt(i);
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
                sb.append(Character.toUpperCase(c));
            }
        }
        while (sb.length() < 3) {
            sb.append((char) ('A' + rng.nextInt(26)));
        }
        return sb.toString();
    }

    private String nextUri() {
        StringBuilder sb = new StringBuilder(80);
        if (rng.nextInt(5) == 0) {
            sb.append("https://ipfs.io/ipfs/Qm");
            for (int i = 0; i < 44; i++) {
                sb.append(Base58.ALPHABET.charAt(rng.nextInt(58)));
            }
        } else {
            sb.append("https://ipfs.io/ipfs/bafkrei");
            for (int i = 0; i < 52; i++) {
                sb.append(BASE32[rng.nextInt(32)]);
            }
        }
        return sb.toString();
    }

    // ---------------------------------------------------------------- per-mint state (event loop only)

    private static final class Holder {
        final String wallet;
        double balance;
        int index;

        Holder(String wallet) {
            this.wallet = wallet;
        }
    }

    private static final class MintState {
        final String mint;
        final String curveKey;
        final String launchpad;
        final boolean mayhem;
        final BondingCurve curve = new BondingCurve();
        BondingCurve amm;
        double heat;
        ArrayList<Holder> holders = new ArrayList<>();
        Map<String, Holder> holderByWallet = new HashMap<>();
        double createSol;
        long trades;
        long buys;
        long sells;
        double volumeSol;
        boolean onCurve = true;
        boolean migrated;
        SimulatedFrame lastFrame;
        SimulatedFrame lastPriced;

        MintState(String mint, String curveKey, String launchpad, boolean mayhem) {
            this.mint = mint;
            this.curveKey = curveKey;
            this.launchpad = launchpad;
            this.mayhem = mayhem;
        }

        /** Adds tokens to a wallet's position; returns the new balance. */
        double addHolding(String wallet, double tokens) {
            Holder h = holderByWallet.get(wallet);
            if (h == null) {
                h = new Holder(wallet);
                h.index = holders.size();
                holders.add(h);
                holderByWallet.put(wallet, h);
            }
            h.balance = BondingCurve.roundTokens(h.balance + tokens);
            return h.balance;
        }

        /** Removes sold tokens from a position; returns the new balance (0 drops the holder). */
        double reduceHolding(Holder h, double tokens) {
            double left = BondingCurve.roundTokens(h.balance - tokens);
            if (left < 0.000001) {
                Holder last = holders.remove(holders.size() - 1);
                if (last != h) {
                    holders.set(h.index, last);
                    last.index = h.index;
                }
                holderByWallet.remove(h.wallet);
                h.balance = 0;
                return 0;
            }
            h.balance = left;
            return left;
        }

        void countTrade(boolean buy, double sol) {
            trades++;
            if (buy) {
                buys++;
            } else {
                sells++;
            }
            volumeSol += sol;
        }

        void dropHolders() {
            holders = new ArrayList<>(0);
            holderByWallet = new HashMap<>(0);
        }
    }
}
