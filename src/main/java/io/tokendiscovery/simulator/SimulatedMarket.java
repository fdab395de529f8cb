package io.tokendiscovery.simulator;

import io.tokendiscovery.simulator.BondingCurve.Fill;
import io.tokendiscovery.simulator.MintState.Holder;
import io.tokendiscovery.simulator.SimulatedFrame.Shape;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

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
 *
 * <p>This class turns the model's events into frames; the pieces it draws on, all sharing its one seeded random
 * source: {@link HeatRanking} (which mint trades), {@link TradeSizes} (how much), {@link Identities} (keys, wallets,
 * names), {@link MintState} (per-mint curve and holders) and {@link MintStatsRegistry} (what readers see).
 */
public final class SimulatedMarket {

    /** Share of trades that go to a graduated mint's pump-amm pool, when there is one. */
    static final double AMM_TRADE_SHARE = 0.02;
    /** Graduated mints that keep trading on pump-amm; older ones retire. */
    static final int MAX_AMM_MINTS = 64;
    /** Share of sells that sell the trader's whole position (newTokenBalance 0). */
    static final double FULL_EXIT_SHARE = 0.35;

    private final long seed;
    private final SplittableRandom rng;
    private final double createShare;
    private final int maxActiveMints;
    private final double legacyShare;
    private final double bonkShare;
    private final double bareCreateShare;
    private final double mayhemShare;
    private final double buyBias;
    private final HeatRanking ranked;
    private final TradeSizes sizes;
    private final Identities ids;
    /** Graduated mints that still trade on pump-amm, oldest first. */
    private final ArrayList<MintState> ammMints = new ArrayList<>();
    private final ArrayDeque<MintState> pendingMigrations = new ArrayDeque<>();
    private final MintStatsRegistry stats;
    private final FrameJson json = new FrameJson();

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
        this.stats = new MintStatsRegistry(properties.getRetainedMintStats());
        this.sizes = new TradeSizes(rng, properties.getMeanTradeSol());
        this.ranked = new HeatRanking(rng, maxActiveMints, properties.getZipfExponent());
        this.ids = new Identities(rng);
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
        return stats.mints();
    }

    /** Statistics of every retained mint (a live, read-only view). */
    public Collection<MintStats> allMintStats() {
        return stats.all();
    }

    /** Mints currently on their curve (snapshot, unordered). */
    public List<String> activeMints() {
        return stats.onCurve();
    }

    // ---------------------------------------------------------------- events

    private SimulatedFrame create(long seq) {
        boolean bonk = rng.nextDouble() < bonkShare;
        String signature = ids.newSignature();
        String creator = ids.newKey();
        if (bonk) {
            return bonkCreate(seq, signature, creator);
        }
        String mint = ids.newMint("pump");
        String curveKey = ids.newKey();
        boolean bare = rng.nextDouble() < bareCreateShare;
        boolean mayhem = rng.nextDouble() < mayhemShare;
        String name = null;
        String symbol = null;
        String uri = null;
        if (!bare) {
            name = ids.nextName();
            symbol = ids.symbolOf(name);
            uri = ids.nextUri();
        }
        MintState m = new MintState(mint, curveKey, "pump", mayhem);
        double devSol = sizes.devBuySol();
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
        double hype = 0.5 + devSol + sizes.unclampedTradeSol();
        ranked.insert(m, hype, seq);
        creates++;
        stats.publish(m);
        while (ranked.size() > maxActiveMints) {
            MintState coldest = ranked.removeColdest();
            coldest.onCurve = false;
            coldest.dropHolders();
            stats.publish(coldest);
            stats.retire(coldest.mint);
        }
        onCurve = ranked.size();
        return frame;
    }

    private SimulatedFrame bonkCreate(long seq, String signature, String creator) {
        String mint = ids.newMint("bonk");
        String name = ids.nextName();
        String symbol = ids.symbolOf(name);
        String uri = ids.nextUri();
        double devSol = sizes.devBuySol();
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
        stats.publish(m);
        // Bonk tokens are announced only: they never trade or migrate here.
        stats.retire(mint);
        return frame;
    }

    private SimulatedFrame curveTrade(long seq) {
        int index = ranked.pick();
        MintState m = ranked.get(index);
        boolean buy = rng.nextDouble() < buyBias || m.holders.isEmpty();
        boolean legacy = rng.nextDouble() < legacyShare;
        double sol = sizes.tradeSol();
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
        String signature = ids.newSignature();
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
            ranked.heatUp(index, weight, seq);
        }
        stats.publish(m);
        return frame;
    }

    private SimulatedFrame ammTrade(long seq, MintState m) {
        boolean buy = rng.nextDouble() < buyBias || m.holders.isEmpty();
        double sol = sizes.tradeSol();
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
        String signature = ids.newSignature();
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
        stats.publish(m);
        return frame;
    }

    private SimulatedFrame migrate(long seq, MintState m) {
        String signature = ids.newSignature();
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
        stats.publish(m);
        if (ammMints.size() > MAX_AMM_MINTS) {
            MintState old = ammMints.remove(0);
            old.dropHolders();
            stats.retire(old.mint);
        }
        return frame;
    }

    // ---------------------------------------------------------------- traders

    private String pickBuyer(MintState m) {
        double u = rng.nextDouble();
        if (u < 0.3 && !m.holders.isEmpty()) {
            return m.holders.get(rng.nextInt(m.holders.size())).wallet;
        }
        if (u < 0.85) {
            return ids.poolWallet();
        }
        return ids.newKey();
    }
}
