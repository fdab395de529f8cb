package io.tokendiscovery.feed;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokendiscovery.cache.HotScoreMath;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class TokenStateTest {

    private final TokenState.Rules rules = new TokenState.Rules(90, 10, Duration.ofHours(6).toMillis());
    private final long now = 1_800_000_000_000L;
    private final long hour = 3_600_000L;

    @Test
    void derivesEachState() {
        assertThat(TokenState.of("NEW", 10.0, 3, now - hour, now, rules)).isEqualTo(TokenState.NEW);
        assertThat(TokenState.of("NEW", 10.0, 10, now - hour, now, rules)).isEqualTo(TokenState.ACTIVE);
        assertThat(TokenState.of("ACTIVE", 90.0, 400, now - hour, now, rules)).isEqualTo(TokenState.GRADUATING);
        assertThat(TokenState.of("ACTIVE", 50.0, 400, now - 6 * hour, now, rules)).isEqualTo(TokenState.STALE);
        assertThat(TokenState.of("STALE", 50.0, 401, now - 1, now, rules)).isEqualTo(TokenState.ACTIVE);
        assertThat(TokenState.of("MIGRATED", 100.0, 5, now - 100 * hour, now, rules)).isEqualTo(TokenState.MIGRATED);
        assertThat(TokenState.of("NEW", null, 0, null, now, rules)).isEqualTo(TokenState.NEW);
    }

    @Test
    void hotScoreHalvesEveryHalfLifeAndAddsUp() {
        HotScoreMath math = new HotScoreMath(Duration.ofMinutes(30));
        double log = Math.log(100) / Math.log(2) + math.exponent(now);
        assertThat(math.scoreAt(log, now)).isCloseTo(100, org.assertj.core.api.Assertions.within(1e-9));
        assertThat(math.scoreAt(log, now + 30 * 60_000L)).isCloseTo(50, org.assertj.core.api.Assertions.within(1e-9));
        assertThat(math.scoreAt(log, now + 60 * 60_000L)).isCloseTo(25, org.assertj.core.api.Assertions.within(1e-9));
    }
}
