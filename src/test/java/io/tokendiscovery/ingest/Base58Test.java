package io.tokendiscovery.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class Base58Test {

    @Test
    void acceptsRealKeysAndSignatures() {
        assertThat(Base58.isValid("8yZ1rj5nHbUFuCbnoowE6rHLZYiuTe1tbxEskgzUpump", 32)).isTrue();
        assertThat(Base58.isValid("11111111111111111111111111111111", 32)).isTrue();
        assertThat(Base58.isValid(
                "5EMqqRbMjAPF4tBPNw1TJNv6LcFyFMJ8rhXJfVihaZVSYkvorn2j85o4h222XGDretUX4MR54MsnRUhXuMfT6SiF", 64)).isTrue();
    }

    @Test
    void rejectsWrongAlphabetAndLength() {
        assertThat(Base58.isValid("0OIl", 32)).isFalse();
        assertThat(Base58.isValid("8yZ1rj5nHbUFuCbnoowE6rHLZYiuTe1tbxEskgzUpumpX", 32)).isFalse();
        assertThat(Base58.isValid("8yZ1rj5nHbUFuCbnoowE6rHLZYiu", 32)).isFalse();
        assertThat(Base58.isValid("", 32)).isFalse();
        assertThat(Base58.isValid("é", 32)).isFalse();
        assertThat(Base58.decodedLength("2g")).isEqualTo(1);
    }
}
