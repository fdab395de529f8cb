package io.tokendiscovery.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokendiscovery.ingest.FreeText.Change;
import io.tokendiscovery.ingest.FreeText.Cleaned;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The free-text policy (docs/pumpportal-client.md#free-text), char by char. */
class FreeTextTest {

    @Test
    void cleanTextIsReturnedAsItIsWithoutACopy() {
        String text = "Cash Elon \uD83D\uDE00 'Robert'); DROP TABLE x;-- \u00e9\u0085";
        Cleaned cleaned = FreeText.clean(text, 256);
        assertThat(cleaned.text()).isSameAs(text);
        assertThat(cleaned.changed()).isFalse();
    }

    @Test
    void controlCharactersAreRemovedAndWhitespaceOnesBecomeASpace() {
        StringBuilder every = new StringBuilder("a");
        for (char c = 0; c < 0x20; c++) {
            every.append(c);
        }
        every.append('\u007f').append('b');
        Cleaned cleaned = FreeText.clean(every.toString(), 256);
        assertThat(cleaned.text()).isEqualTo("a     b");   // TAB, LF, VT, FF, CR
        assertThat(cleaned.has(Change.CONTROL)).isTrue();
        assertThat(cleaned.has(Change.SURROGATE)).isFalse();
        assertThat(FreeText.clean("\u0000\u0000", 256).text()).isEmpty();
    }

    @Test
    void loneSurrogatesBecomeTheReplacementCharacterAndPairsStay() {
        Cleaned cleaned = FreeText.clean("a\uD800b\uDC00c\uD83D\uDE00d\uD83D", 256);
        assertThat(cleaned.text()).isEqualTo("a\uFFFDb\uFFFDc\uD83D\uDE00d\uFFFD");
        assertThat(cleaned.has(Change.SURROGATE)).isTrue();
        // round-trips through UTF-8 unchanged: nothing an encoder would turn into '?'
        assertThat(new String(cleaned.text().getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8))
                .isEqualTo(cleaned.text());
    }

    @Test
    void cutToTheLimitNeverBetweenTheHalvesOfAPair() {
        Cleaned cleaned = FreeText.clean("abc\uD83D\uDE00", 4);
        assertThat(cleaned.text()).isEqualTo("abc");
        assertThat(cleaned.has(Change.TRUNCATED)).isTrue();
        assertThat(FreeText.clean("x".repeat(64 * 1024), 256).text()).hasSize(256);
        // removed characters do not count against the limit
        Cleaned controls = FreeText.clean("ab\u0000\u0000", 2);
        assertThat(controls.text()).isEqualTo("ab");
        assertThat(controls.has(Change.TRUNCATED)).isFalse();
    }
}
