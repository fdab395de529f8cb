package io.tokendiscovery.ingest;

import java.util.Arrays;

/**
 * Bitcoin/Solana base58 (alphabet without 0, O, I, l): validation of what a mint, wallet or signature must look like
 * (ingest) and encoding of generated keys (simulator). Encoding divides by 58^5 on 32-bit limbs, so a 64-byte
 * signature costs about 300 long divisions instead of several thousand byte steps.
 */
public final class Base58 {

    /** The Solana alphabet. */
    public static final String ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

    private static final char[] DIGITS = ALPHABET.toCharArray();
    private static final int[] INDEXES = new int[128];
    private static final long BASE_58_POW_5 = 58L * 58 * 58 * 58 * 58;

    static {
        Arrays.fill(INDEXES, -1);
        for (int i = 0; i < DIGITS.length; i++) {
            INDEXES[DIGITS[i]] = i;
        }
    }

    private Base58() {}

    /** Encodes bytes; each leading zero byte becomes a leading '1'. */
    public static String encode(byte[] input) {
        if (input.length == 0) {
            return "";
        }
        int zeros = 0;
        while (zeros < input.length && input[zeros] == 0) {
            zeros++;
        }
        int words = (input.length + 3) / 4;
        int[] number = new int[words];
        int pad = words * 4 - input.length;
        for (int i = 0; i < input.length; i++) {
            int pos = i + pad;
            number[pos >> 2] |= (input[i] & 0xFF) << (24 - 8 * (pos & 3));
        }
        char[] out = new char[input.length * 2 + 5];
        int outPos = out.length;
        int start = 0;
        while (start < words && number[start] == 0) {
            start++;
        }
        while (start < words) {
            long rem = 0;
            for (int i = start; i < words; i++) {
                long cur = (rem << 32) | (number[i] & 0xFFFFFFFFL);
                number[i] = (int) (cur / BASE_58_POW_5);
                rem = cur % BASE_58_POW_5;
            }
            while (start < words && number[start] == 0) {
                start++;
            }
            for (int k = 0; k < 5; k++) {
                out[--outPos] = DIGITS[(int) (rem % 58)];
                rem /= 58;
            }
        }
        while (outPos < out.length && out[outPos] == '1') {
            outPos++;
        }
        for (int i = 0; i < zeros; i++) {
            out[--outPos] = '1';
        }
        return new String(out, outPos, out.length - outPos);
    }

    /** Decodes a base58 string; throws {@link IllegalArgumentException} on a character outside the alphabet. */
    public static byte[] decode(String input) {
        if (input.isEmpty()) {
            return new byte[0];
        }
        byte[] input58 = new byte[input.length()];
        for (int i = 0; i < input.length(); i++) {
            char c = input.charAt(i);
            int digit = c < 128 ? INDEXES[c] : -1;
            if (digit < 0) {
                throw new IllegalArgumentException("Invalid base58 character '" + c + "' at " + i);
            }
            input58[i] = (byte) digit;
        }
        int zeros = 0;
        while (zeros < input58.length && input58[zeros] == 0) {
            zeros++;
        }
        byte[] decoded = new byte[input.length()];
        int outputStart = decoded.length;
        for (int inputStart = zeros; inputStart < input58.length; ) {
            decoded[--outputStart] = divmod(input58, inputStart);
            if (input58[inputStart] == 0) {
                inputStart++;
            }
        }
        while (outputStart < decoded.length && decoded[outputStart] == 0) {
            outputStart++;
        }
        return Arrays.copyOfRange(decoded, outputStart - zeros, decoded.length);
    }

    /**
     * True when {@code s} is base58 and as long as the base58 text of {@code bytes} bytes can be (32: a public key,
     * 32 to 44 chars; 64: a signature, 64 to 88 chars). The text length is checked rather than the decoded length
     * because captured placeholder keys in the published samples keep the real length but not the real value, and
     * because it is cheap enough for every frame.
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

    /** Strict: {@code s} is base58 and decodes to exactly {@code bytes} bytes. */
    public static boolean decodesTo(String s, int bytes) {
        if (s == null || s.isEmpty()) {
            return false;
        }
        try {
            return decode(s).length == bytes;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static byte divmod(byte[] number, int firstDigit) {
        int remainder = 0;
        for (int i = firstDigit; i < number.length; i++) {
            int temp = remainder * 58 + (number[i] & 0xFF);
            number[i] = (byte) (temp / 256);
            remainder = temp % 256;
        }
        return (byte) remainder;
    }
}
