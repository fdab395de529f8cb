package io.tokendiscovery.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class Base58Test {

    @Test
    void encodesKnownVectors() {
        assertThat(Base58.encode("Hello World".getBytes(StandardCharsets.US_ASCII))).isEqualTo("JxF12TrwUP45BMd");
        assertThat(Base58.encode(BigInteger.valueOf(3471844090L).toByteArray())).isEqualTo("16Ho7Hs");
        assertThat(Base58.encode(new byte[] {0, 0, 0, 0})).isEqualTo("1111");
        assertThat(Base58.encode(new byte[] {0, 0, 1})).isEqualTo("112");
        assertThat(Base58.encode(new byte[0])).isEmpty();
    }

    @Test
    void roundTripsAndMatchesABigIntegerReference() {
        SplittableRandom random = new SplittableRandom(7);
        for (int n = 0; n < 2000; n++) {
            byte[] bytes = new byte[random.nextBoolean() ? 32 : 64];
            for (int i = 0; i < bytes.length; i++) {
                bytes[i] = (byte) random.nextInt(256);
            }
            if (n % 10 == 0) {
                bytes[0] = 0;
            }
            String encoded = Base58.encode(bytes);
            assertThat(encoded).isEqualTo(reference(bytes));
            assertThat(Base58.decode(encoded)).isEqualTo(bytes);
            assertThat(Base58.decodesTo(encoded, bytes.length)).isTrue();
            assertThat(Base58.isValid(encoded, bytes.length)).isTrue();
        }
    }

    @Test
    void acceptsRealKeysAndSignatures() {
        assertThat(Base58.decodesTo("8yZ1rj5nHbUFuCbnoowE6rHLZYiuTe1tbxEskgzUpump", 32)).isTrue();
        assertThat(Base58.decodesTo("HDypasvYsG5MuABAfaTf78FVYMmYedcbefZ7pxWEhVQV", 32)).isTrue();
        assertThat(Base58.isValid("11111111111111111111111111111111", 32)).isTrue();
        assertThat(Base58.decodesTo(
                "5EMqqRbMjAPF4tBPNw1TJNv6LcFyFMJ8rhXJfVihaZVSYkvorn2j85o4h222XGDretUX4MR54MsnRUhXuMfT6SiF", 64)).isTrue();
    }

    @Test
    void acceptsThePublishedPlaceholderSignaturesByLength() {
        String placeholder = "2C8bmmSamp1eCreateWithoutMetadata1111111111111111111111111111111111111111111111111";
        assertThat(Base58.isValid(placeholder, 64)).isTrue();
        assertThat(Base58.decodesTo(placeholder, 64)).isFalse();
    }

    @Test
    void rejectsWrongAlphabetAndLength() {
        assertThat(Base58.isValid("0OIl", 32)).isFalse();
        assertThat(Base58.isValid("8yZ1rj5nHbUFuCbnoowE6rHLZYiuTe1tbxEskgzUpumpX", 32)).isFalse();
        assertThat(Base58.isValid("8yZ1rj5nHbUFuCbnoowE6rHLZYiu", 32)).isFalse();
        assertThat(Base58.isValid("", 32)).isFalse();
        assertThat(Base58.isValid(null, 32)).isFalse();
        assertThat(Base58.isValid("é".repeat(40), 32)).isFalse();
        assertThatThrownBy(() -> Base58.decode("abc0")).isInstanceOf(IllegalArgumentException.class);
    }

    private static String reference(byte[] bytes) {
        BigInteger value = new BigInteger(1, bytes);
        StringBuilder sb = new StringBuilder();
        BigInteger base = BigInteger.valueOf(58);
        while (value.signum() > 0) {
            BigInteger[] qr = value.divideAndRemainder(base);
            sb.append(Base58.ALPHABET.charAt(qr[1].intValue()));
            value = qr[0];
        }
        for (int i = 0; i < bytes.length && bytes[i] == 0; i++) {
            sb.append('1');
        }
        return sb.reverse().toString();
    }
}
