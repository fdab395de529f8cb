package io.tokendiscovery.bench;

import io.tokendiscovery.ingest.Base58;
import java.nio.ByteBuffer;

/**
 * Buy frames in the live feed's shape for a fixed set of mints, round robin: frame i trades mint i mod mints, so
 * every {@code mints} consecutive frames touch every mint once. Keys are real base58 (32-byte mints, 64-byte
 * signatures, unique per frame), so the app's parser accepts them. Reserves move a little with every round so
 * each frame carries a new price.
 */
final class CraftedTrades {

    private final int mints;
    private final int set;
    private final long signatureBase;
    private final String[] mintKeys;
    private final String trader;
    private final String curve;

    /**
     * @param set distinguishes mint sets: different sets never share a mint
     * @param signatureBase distinguishes runs over the same set: signatures never repeat
     */
    CraftedTrades(int mints, int set, long signatureBase) {
        this.mints = mints;
        this.set = set;
        this.signatureBase = signatureBase;
        this.mintKeys = new String[mints];
        for (int i = 0; i < mints; i++) {
            mintKeys[i] = key(0x4d, set, i);
        }
        this.trader = key(0x54, set, 0);
        this.curve = key(0x43, set, 0);
    }

    String mint(int i) {
        return mintKeys[i % mints];
    }

    String frame(int i) {
        int round = i / mints;
        double vSol = 30.5 + (round % 80) * 0.25 + (i % 97) * 0.001;
        double vTokens = 32_190_000_000.0 / vSol;
        return "{\"signature\":\"" + signature(i) + "\",\"mint\":\"" + mint(i) + "\",\"traderPublicKey\":\"" + trader
                + "\",\"txType\":\"buy\",\"tokenAmount\":1000000.5,\"solAmount\":0.5,\"newTokenBalance\":1000000.5,"
                + "\"bondingCurveKey\":\"" + curve + "\",\"vTokensInBondingCurve\":" + vTokens
                + ",\"vSolInBondingCurve\":" + vSol + ",\"marketCapSol\":" + (vSol / vTokens * 1e9)
                + ",\"pool\":\"pump\"}";
    }

    private String signature(int i) {
        ByteBuffer bytes = ByteBuffer.allocate(64);
        bytes.putInt(0x5349_4721).putInt(set).putLong(signatureBase).putLong(i);
        bytes.position(63);
        bytes.put((byte) 7);
        return Base58.encode(bytes.array());
    }

    private static String key(int tag, int set, int i) {
        ByteBuffer bytes = ByteBuffer.allocate(32);
        bytes.put((byte) tag).putInt(set).putInt(i);
        bytes.position(31);
        bytes.put((byte) 1);
        return Base58.encode(bytes.array());
    }
}
