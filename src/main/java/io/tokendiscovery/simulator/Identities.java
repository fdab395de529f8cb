package io.tokendiscovery.simulator;

import io.tokendiscovery.ingest.Base58;
import java.util.SplittableRandom;

/**
 * Draws the simulated market's identities from its seeded random source: public keys, signatures, vanity mints, the
 * pool of recurring trader wallets, token names, symbols and metadata URIs. Single-threaded, like the market.
 */
final class Identities {

    /** Recurring trader wallets. */
    static final int WALLET_POOL_SIZE = 4096;

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

    private final SplittableRandom rng;
    private final byte[] bytes32 = new byte[32];
    private final byte[] bytes64 = new byte[64];
    private final String[] walletPool = new String[WALLET_POOL_SIZE];

    /** Draws the wallet pool at once, from {@code rng}, which the market shares (the draw order is the seed's). */
    Identities(SplittableRandom rng) {
        this.rng = rng;
        for (int i = 0; i < walletPool.length; i++) {
            walletPool[i] = newKey();
        }
    }

    /** One of the recurring trader wallets. */
    String poolWallet() {
        return walletPool[rng.nextInt(walletPool.length)];
    }

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
    String newKey() {
        return randomBase58(bytes32, 43);
    }

    /** A random 64-byte signature, base58, 87-88 chars. */
    String newSignature() {
        return randomBase58(bytes64, 87);
    }

    /** Random bytes filling {@code buffer}, base58, redrawn until the encoding has at least {@code minLength} chars. */
    private String randomBase58(byte[] buffer, int minLength) {
        while (true) {
            nextBytes(buffer);
            String s = Base58.encode(buffer);
            if (s.length() >= minLength) {
                return s;
            }
        }
    }

    /**
     * A 44-char mint ending in {@code suffix}, still a valid 32-byte key: real launchpads grind vanity keys; here the
     * last characters of a random 44-char key are replaced, and redrawn in the rare case the value leaves 32 bytes.
     */
    String newMint(String suffix) {
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

    String nextName() {
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

    String symbolOf(String name) {
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

    String nextUri() {
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
}
