package io.tokendiscovery.cluster;

import io.tokendiscovery.cluster.FeedFrame.Kind;
import io.tokendiscovery.ingest.TestFrames;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Scripted PumpPortal frames of the captured shapes (PROTOCOL.md) for the lifecycle test: valid, unique base58 keys,
 * each mint on its own bonding curve (reserves after the trade, {@code vSol x vTokens} constant), every number written
 * as a plain decimal literal so the ground truth parses exactly what the app parses. Hostile frames are written as
 * raw text so JSON escapes ({@code \u0000}, a lone {@code \ud800}) reach the app's parser as PumpPortal would send
 * them.
 */
final class OracleFrames {

    /** Launch curve: 30 virtual SOL x 1,073,000,000 virtual tokens. */
    static final double K = 30 * 1_073_000_000d;
    private static final long SALT = 1313;

    private final SplittableRandom random;
    private final Map<String, Double> vSolByMint = new HashMap<>();
    private long nextMint;
    private long nextSignature;

    OracleFrames(long seed) {
        this.random = new SplittableRandom(seed);
    }

    String newMint() {
        return TestFrames.key32(++nextMint, SALT);
    }

    String newSignature() {
        return TestFrames.signature(++nextSignature, SALT);
    }

    double randomSol(double min, double max) {
        return min + random.nextDouble() * (max - min);
    }

    /** A pump create; {@code initialBuySol} 0 means no initial buy (not a trade). */
    FeedFrame create(String mint, String name, double initialBuySol) {
        return create(mint, name == null ? null : jsonString(name), name, initialBuySol);
    }

    private FeedFrame create(String mint, String nameJsonContent, String decodedName, double initialBuySol) {
        BigDecimal sol = decimal(initialBuySol);
        double vSol = 30 + sol.doubleValue();
        vSolByMint.put(mint, vSol);
        String vSolText = plain(vSol);
        String vTokensText = plain(K / vSol);
        double tokens = 1_073_000_000d - Double.parseDouble(vTokensText);
        String signature = newSignature();
        StringBuilder json = new StringBuilder(256 + (nameJsonContent == null ? 0 : nameJsonContent.length()))
                .append("{\"signature\":\"").append(signature)
                .append("\",\"mint\":\"").append(mint)
                .append("\",\"traderPublicKey\":\"").append(TestFrames.key32(5, SALT))
                .append("\",\"txType\":\"create\",\"initialBuy\":").append(sol.signum() > 0 ? plain(tokens) : "0")
                .append(",\"solAmount\":").append(sol.toPlainString())
                .append(",\"bondingCurveKey\":\"").append(TestFrames.key32(9, SALT))
                .append("\",\"vTokensInBondingCurve\":").append(vTokensText)
                .append(",\"vSolInBondingCurve\":").append(vSolText)
                .append(",\"marketCapSol\":").append(plain(Double.parseDouble(vSolText) / Double.parseDouble(vTokensText) * 1e9));
        if (nameJsonContent != null) {
            json.append(",\"name\":\"").append(nameJsonContent).append('"');
        }
        json.append(",\"symbol\":\"ORCL\",\"uri\":\"https://example.invalid/").append(mint, 0, 8)
                .append(".json\",\"is_mayhem_mode\":false,\"pool\":\"pump\"}");
        return new FeedFrame(Kind.CREATE, mint, signature, json.toString(), true, true,
                sol.signum() > 0 ? sol : null, vSolText, vTokensText, decodedName);
    }

    /** A buy (or a sell, never below the launch reserves) of about {@code sol} SOL on the mint's curve. */
    FeedFrame trade(String mint, boolean buy, double sol) {
        double before = vSolByMint.getOrDefault(mint, 30d);
        BigDecimal amount = decimal(buy ? sol : Math.min(sol, Math.max(0.000001, (before - 30) / 2)));
        double after = buy ? before + amount.doubleValue() : before - amount.doubleValue();
        vSolByMint.put(mint, after);
        String vSol = plain(after);
        String vTokens = plain(K / after);
        double tokenAmount = Math.abs(K / before - K / after);
        return trade(mint, newSignature(), buy, amount, vSol, vTokens, plain(Math.max(tokenAmount, 1)),
                plain(Double.parseDouble(vSol) / Double.parseDouble(vTokens) * 1e9), true);
    }

    /**
     * A trade with literal numbers (hostile reserves such as {@code 1e-310}); {@code accepted} says whether the app
     * must count it.
     */
    FeedFrame trade(String mint, String signature, boolean buy, BigDecimal solAmount, String vSol, String vTokens,
            String tokenAmount, String marketCapSol, boolean accepted) {
        String json = "{\"signature\":\"" + signature + "\",\"mint\":\"" + mint + "\",\"traderPublicKey\":\""
                + TestFrames.key32(7, SALT) + "\",\"txType\":\"" + (buy ? "buy" : "sell") + "\",\"tokenAmount\":"
                + tokenAmount + ",\"solAmount\":" + solAmount.toPlainString() + ",\"newTokenBalance\":" + tokenAmount
                + ",\"bondingCurveKey\":\"" + TestFrames.key32(9, SALT) + "\",\"vTokensInBondingCurve\":" + vTokens
                + ",\"vSolInBondingCurve\":" + vSol + ",\"marketCapSol\":" + marketCapSol + ",\"pool\":\"pump\"}";
        return new FeedFrame(Kind.TRADE, mint, signature, json, accepted, buy, solAmount, vSol, vTokens, null);
    }

    FeedFrame migrate(String mint) {
        String signature = newSignature();
        String json = "{\"signature\":\"" + signature + "\",\"mint\":\"" + mint
                + "\",\"txType\":\"migrate\",\"pool\":\"pump-amm\"}";
        return new FeedFrame(Kind.MIGRATE, mint, signature, json, true, false, null, null, null, null);
    }

    /** The mint's current reserves as sent in its last frame (vSol, vTokens). */
    String[] reserves(String mint) {
        double vSol = vSolByMint.getOrDefault(mint, 30d);
        return new String[] {plain(vSol), plain(K / vSol)};
    }

    /** SOL amounts with 6 decimals: what PumpPortal sends, and exact sums for the ground truth. */
    static BigDecimal decimal(double sol) {
        return BigDecimal.valueOf(sol).setScale(6, RoundingMode.HALF_UP).stripTrailingZeros();
    }

    /** A plain decimal literal (no exponent), 6 decimals. */
    static String plain(double value) {
        return BigDecimal.valueOf(value).setScale(6, RoundingMode.HALF_UP).stripTrailingZeros().toPlainString();
    }

    /**
     * JSON string content: quotes, backslash, every control character, DEL and every surrogate escaped as
     * {@code \\uXXXX}, so the frame is pure ASCII on the wire and a lone surrogate survives as JSON allows.
     */
    static String jsonString(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20 || c == 0x7F || Character.isSurrogate(c) || c > 0x7E) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
