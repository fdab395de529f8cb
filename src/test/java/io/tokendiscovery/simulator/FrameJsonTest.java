package io.tokendiscovery.simulator;

import io.tokendiscovery.ingest.SampleFrames;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class FrameJsonTest {

    private static String number(double d) {
        StringBuilder sb = new StringBuilder();
        FrameJson.appendNumber(sb, d);
        return sb.toString();
    }

    @Test
    void writesNumbersTheWayTheFeedDoes() {
        assertThat(number(30)).isEqualTo("30");
        assertThat(number(0)).isEqualTo("0");
        assertThat(number(-0.0)).isEqualTo("0");
        assertThat(number(1_073_000_000)).isEqualTo("1073000000");
        assertThat(number(0.059259258)).isEqualTo("0.059259258");
        assertThat(number(30.059259257999976)).isEqualTo("30.059259257999976");
        assertThat(number(1070884672.297204)).isEqualTo("1070884672.297204");
        assertThat(number(28.069557848389476)).isEqualTo("28.069557848389476");
        assertThat(number(32425292.22108698)).isEqualTo("32425292.22108698");
        assertThat(number(0.00001)).isEqualTo("0.00001");
        assertThat(number(1e-9)).isEqualTo("0.000000001");
        assertThat(number(-2.5e-7)).isEqualTo("-0.00000025");
        assertThat(number(1.5e15)).isEqualTo("1500000000000000");
        assertThat(number(12345678.9)).isEqualTo("12345678.9");
    }

    @Test
    void everyWrittenNumberParsesBackToTheSameDouble() {
        SplittableRandom rng = new SplittableRandom(11);
        for (int i = 0; i < 100_000; i++) {
            double d = rng.nextDouble() * Math.pow(10, rng.nextInt(-9, 12));
            if (rng.nextBoolean()) {
                d = Math.round(d * 1e6) / 1e6;
            }
            String s = number(d);
            assertThat(s).doesNotContain("E").doesNotContain("e");
            assertThat(Double.parseDouble(s)).isEqualTo(d);
        }
    }

    @Test
    void escapesStringsAndKeepsFieldOrder() {
        String json = new FrameJson().begin()
                .str("name", "Pepe \"The\" Frog\\\t\u0001\uD83D\uDE80")
                .num("n", 2)
                .bool("b", true)
                .end();
        assertThat(json).isEqualTo("{\"name\":\"Pepe \\\"The\\\" Frog\\\\\\t\\u0001\uD83D\uDE80\",\"n\":2,\"b\":true}");
        assertThat(SampleFrames.parse(json).get("name").asText()).isEqualTo("Pepe \"The\" Frog\\\t\u0001\uD83D\uDE80");
    }
}
