package io.tokendiscovery.ingest;

import java.nio.ByteBuffer;
import java.util.Locale;
import java.util.SplittableRandom;

/** Crafted PumpPortal frames of the captured trade shape, with valid, unique keys. */
public final class TestFrames {

    private TestFrames() {}

    /** A valid 32-byte base58 key derived from {@code n} and a salt. */
    public static String key32(long n, long salt) {
        return Base58.encode(ByteBuffer.allocate(32).putLong(salt).putLong(n).putLong(~n).putLong(salt * 31 + n).array());
    }

    /** A valid 64-byte base58 signature derived from {@code n}. */
    public static String signature(long n, long salt) {
        ByteBuffer bytes = ByteBuffer.allocate(64);
        for (int i = 0; i < 8; i++) {
            bytes.putLong(n * (i + 7) + salt + i);
        }
        return Base58.encode(bytes.array());
    }

    /** A buy or sell frame exactly like the captured one, with the given reserves after the trade. */
    public static String trade(String mint, String signature, boolean buy, double solAmount, double tokenAmount,
            double vSol, double vTokens) {
        return String.format(Locale.ROOT,
                "{\"signature\":\"%s\",\"mint\":\"%s\",\"traderPublicKey\":\"%s\",\"txType\":\"%s\","
                        + "\"tokenAmount\":%s,\"solAmount\":%s,\"newTokenBalance\":%s,\"bondingCurveKey\":\"%s\","
                        + "\"vTokensInBondingCurve\":%s,\"vSolInBondingCurve\":%s,\"marketCapSol\":%s,\"pool\":\"pump\"}",
                signature, mint, key32(7, 7), buy ? "buy" : "sell", tokenAmount, solAmount, tokenAmount,
                key32(9, 9), vTokens, vSol, vSol / vTokens * 1e9);
    }

    /** A random curve state: vSol in [30, 115), vTokens = k / vSol on the launch curve. */
    public static double[] reserves(SplittableRandom random) {
        double vSol = 30 + random.nextDouble() * 85;
        return new double[] {vSol, 30 * 1_073_000_000d / vSol};
    }
}
