package io.tokendiscovery.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BackoffTest {

    @Test
    void growsExponentiallyWithJitterAndIsCapped() {
        assertThat(Backoff.millis(1, 1000, 60000, 0)).isEqualTo(500);
        assertThat(Backoff.millis(1, 1000, 60000, 1)).isEqualTo(1000);
        assertThat(Backoff.millis(3, 1000, 60000, 1)).isEqualTo(4000);
        assertThat(Backoff.millis(7, 1000, 60000, 1)).isEqualTo(60000);
        assertThat(Backoff.millis(1000, 1000, 60000, 0.5)).isEqualTo(45000);
    }

    @Test
    void redactsTheApiKeyFromUrls() {
        assertThat(ConnectionSettings.redactedUrl("wss://pumpportal.fun/api/data?api-key=secret"))
                .isEqualTo("wss://pumpportal.fun/api/data?<redacted>")
                .doesNotContain("secret");
    }
}
