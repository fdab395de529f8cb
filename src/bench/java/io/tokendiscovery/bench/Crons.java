package io.tokendiscovery.bench;

import java.time.Duration;

/** Quartz cron expressions for a fixed interval. */
final class Crons {

    private Crons() {}

    /** Every {@code interval}: a divisor of a minute (in seconds) or a whole number of minutes dividing an hour. */
    static String every(Duration interval) {
        long s = interval.toSeconds();
        if (s > 0 && s < 60 && 60 % s == 0) {
            return "0/" + s + " * * * * ?";
        }
        if (s % 60 == 0 && 60 % (s / 60) == 0) {
            return "0 0/" + (s / 60) + " * * * ?";
        }
        throw new IllegalArgumentException("An interval of " + interval + " has no simple cron; use a divisor of 60 s"
                + " or of 60 min");
    }
}
