package io.tokendiscovery.ingest;

/** Base58 (Bitcoin/Solana alphabet) validation: what a mint, wallet or signature must decode to. */
public final class Base58 {

    private static final String ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    private static final int[] INDEXES = new int[128];

    static {
        java.util.Arrays.fill(INDEXES, -1);
        for (int i = 0; i < ALPHABET.length(); i++) {
            INDEXES[ALPHABET.charAt(i)] = i;
        }
    }

    private Base58() {}

    /** Number of bytes {@code s} decodes to, or -1 when it is not base58. */
    public static int decodedLength(String s) {
        if (s == null || s.isEmpty() || s.length() > 128) {
            return -1;
        }
        int zeros = 0;
        while (zeros < s.length() && s.charAt(zeros) == '1') {
            zeros++;
        }
        byte[] b256 = new byte[s.length()]; // big-endian base-256 accumulator, right-aligned
        int length = 0;
        for (int i = zeros; i < s.length(); i++) {
            char c = s.charAt(i);
            int carry = c < 128 ? INDEXES[c] : -1;
            if (carry < 0) {
                return -1;
            }
            int j = 0;
            for (int k = b256.length - 1; (carry != 0 || j < length) && k >= 0; k--, j++) {
                carry += 58 * (b256[k] & 0xFF);
                b256[k] = (byte) (carry % 256);
                carry /= 256;
            }
            length = j;
        }
        return zeros + length;
    }

    /**
     * True when {@code s} is base58 and as long as the base58 text of {@code bytes} bytes can be (32: a public key,
     * 32 to 44 chars; 64: a signature, 64 to 88 chars). The text length is checked rather than the decoded length
     * because captured placeholder keys in the published samples keep the real length but not the real value.
     */
    public static boolean isValid(String s, int bytes) {
        if (s == null) {
            return false;
        }
        int maxChars = (int) Math.ceil(bytes * Math.log(256) / Math.log(58));
        if (s.length() < bytes || s.length() > maxChars) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= 128 || INDEXES[c] < 0) {
                return false;
            }
        }
        return true;
    }
}
