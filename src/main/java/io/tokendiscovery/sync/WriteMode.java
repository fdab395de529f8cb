package io.tokendiscovery.sync;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.tokendiscovery.TokenDiscoveryProperties;
import io.tokendiscovery.cache.RedisKeys;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.stereotype.Component;

/**
 * The emergency rollback switch: {@code write-behind} (default) or {@code write-through}, the same on every replica.
 *
 * <p>Where the mode comes from, first match wins:
 * <ol>
 *   <li>the mode an ADMIN set for all replicas ({@link #switchTo}, through the {@code writemode} actuator endpoint
 *       or the WriteMode MBean in Hawtio), kept in Redis ({@link RedisKeys#writeMode()}), so it survives restarts and
 *       every new pod starts in it;</li>
 *   <li>the file default: the value {@code routes/write-mode.camel.yaml} hands to {@link #refresh}, which is
 *       {@code tokendiscovery.write-mode} unless the file says otherwise (a fresh install never set a shared mode).</li>
 * </ol>
 * The route {@code write-mode} calls {@link #refresh} every {@code tokendiscovery.ops.write-mode-poll-interval}
 * (2 s), so a switch made on one replica is followed by all of them within that time. A Redis outage keeps the
 * current mode (logged once).
 *
 * <p>Audit: the replica that takes a switch logs who, when and through what at WARN, counts it in
 * {@code tokendiscovery.write.mode.switches{mode,via}} and appends it to {@link RedisKeys#writeModeAudit()} (the last
 * {@value #AUDIT_ENTRIES}); every replica logs the change it applies. The gauge {@code tokendiscovery.write.mode} is 1
 * for the active mode.
 */
@Component("writeMode")
public class WriteMode {

    /** The value of {@link #switchTo} that removes the shared mode: the file default applies again. */
    public static final String FILE_DEFAULT = "default";
    static final int AUDIT_ENTRIES = 100;

    private static final Logger log = LoggerFactory.getLogger(WriteMode.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final StringRedisTemplate redis;
    private final RedisKeys keys;
    private final Clock clock;
    private final MeterRegistry meters;
    private final java.time.Duration pollInterval;
    private final AtomicReference<TokenDiscoveryProperties.WriteMode> mode;
    private volatile TokenDiscoveryProperties.WriteMode fileDefault;
    private volatile Map<String, String> shared = Map.of();
    private volatile boolean redisFailing;

    public WriteMode(TokenDiscoveryProperties properties, StringRedisTemplate redis, RedisKeys keys, Clock clock,
            MeterRegistry meters) {
        this.redis = redis;
        this.keys = keys;
        this.clock = clock;
        this.meters = meters;
        this.pollInterval = properties.ops().writeModePollInterval();
        this.fileDefault = properties.writeMode();
        this.mode = new AtomicReference<>(properties.writeMode());
        for (TokenDiscoveryProperties.WriteMode each : TokenDiscoveryProperties.WriteMode.values()) {
            Gauge.builder("tokendiscovery.write.mode", mode, m -> m.get() == each ? 1 : 0)
                    .description("1 for the active write mode (write-through is the emergency rollback)")
                    .tag("mode", name(each))
                    .register(meters);
        }
        // a shared rollback holds from the first frame on, not only from the route's first poll
        refresh(name(fileDefault));
        log.info("Write mode: {} ({})", current(), shared.isEmpty() ? "the file default" : "set for every replica: "
                + shared);
    }

    /**
     * One poll (route {@code write-mode}): applies the shared mode if an ADMIN set one, else the file default.
     *
     * @param fileValue the file's value: {@code write-behind} or {@code write-through} (case and - / _ do not matter)
     */
    public void refresh(String fileValue) {
        fileDefault = parse(fileValue);
        Map<String, String> current = new LinkedHashMap<>();
        try {
            for (Map.Entry<Object, Object> e : redis.opsForHash().entries(keys.writeMode()).entrySet()) {
                current.put(String.valueOf(e.getKey()), String.valueOf(e.getValue()));
            }
            if (redisFailing) {
                redisFailing = false;
                log.info("Write mode: the shared setting in Redis is readable again");
            }
        } catch (RuntimeException e) {
            if (!redisFailing) {
                redisFailing = true;
                log.warn("Write mode: cannot read the shared setting from Redis ({}); keeping {} until it answers",
                        e.toString(), current());
            }
            return;
        }
        TokenDiscoveryProperties.WriteMode next = fileDefault;
        if (current.get("mode") != null) {
            try {
                next = parse(current.get("mode"));
            } catch (IllegalArgumentException e) {
                log.warn("Write mode: ignoring the shared value {} in Redis ({})", current, e.getMessage());
                current = Map.of();
            }
        }
        shared = Map.copyOf(current);
        apply(next, current.isEmpty() ? "the file default" : "set by " + current.get("by") + " via "
                + current.get("via") + " at " + current.get("at"));
    }

    /**
     * Sets the mode of every replica (ADMIN only: the endpoint and the MBean are behind Spring Security), applies it
     * here at once, and records who did it.
     *
     * @param value {@code write-behind}, {@code write-through}, or {@value #FILE_DEFAULT} (forget the shared mode: the
     *     file default applies again)
     * @param who the authenticated user
     * @param via {@code actuator} or {@code jmx}
     * @return the status after the switch ({@link #status()})
     */
    public Map<String, Object> switchTo(String value, String who, String via) {
        boolean toDefault = value != null && FILE_DEFAULT.equalsIgnoreCase(value.trim());
        TokenDiscoveryProperties.WriteMode next = toDefault ? fileDefault : parse(value);
        String at = Instant.now(clock).toString();
        String target = toDefault ? FILE_DEFAULT : name(next);
        Map<String, String> entry = new LinkedHashMap<>();
        entry.put("mode", target);
        entry.put("by", who);
        entry.put("at", at);
        entry.put("via", via);
        if (toDefault) {
            redis.delete(keys.writeMode());
        } else {
            Map<String, String> hash = new LinkedHashMap<>(entry);
            redis.opsForHash().putAll(keys.writeMode(), hash);
        }
        try {
            redis.opsForList().leftPush(keys.writeModeAudit(), JSON.writeValueAsString(entry));
            redis.opsForList().trim(keys.writeModeAudit(), 0, AUDIT_ENTRIES - 1);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        Counter.builder("tokendiscovery.write.mode.switches")
                .description("Write-mode switches taken by this replica (ADMIN commands), by requested mode and channel")
                .tag("mode", target)
                .tag("via", via)
                .register(meters)
                .increment();
        log.warn("Write mode switch by {} via {} at {}: {} for every replica (was {} here); the others follow within {}",
                who, via, at, toDefault ? "back to the file default (" + name(next) + ")" : name(next), current(),
                DurationStyle.SIMPLE.print(pollInterval));
        shared = toDefault ? Map.of() : Map.copyOf(entry);
        apply(next, toDefault ? "the file default" : "set by " + who + " via " + via + " at " + at);
        return status();
    }

    private void apply(TokenDiscoveryProperties.WriteMode next, String source) {
        TokenDiscoveryProperties.WriteMode previous = mode.getAndSet(next);
        if (previous == next) {
            return;
        }
        if (next == TokenDiscoveryProperties.WriteMode.WRITE_THROUGH) {
            log.warn("Write mode is now write-through (was {}), {}: every swap upserts its token's row in PostgreSQL; "
                    + "the 5-minute sync keeps running as a safety net", name(previous), source);
        } else {
            log.warn("Write mode is now write-behind (was {}), {}: PostgreSQL gets one batched upsert per sync "
                    + "interval", name(previous), source);
        }
    }

    public boolean isWriteThrough() {
        return mode.get() == TokenDiscoveryProperties.WriteMode.WRITE_THROUGH;
    }

    /** The mode this replica applies now. */
    public String current() {
        return name(mode.get());
    }

    /** {@code mode} (here), {@code fileDefault}, {@code shared} ({@code mode, by, at, via}, or null when unset). */
    public Map<String, Object> status() {
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("mode", current());
        status.put("fileDefault", name(fileDefault));
        status.put("shared", shared.isEmpty() ? null : shared);
        return status;
    }

    /** The newest switches first (JSON objects {@code mode, by, at, via}), at most {@code limit}. */
    public List<Map<String, Object>> audit(int limit) {
        List<String> entries = redis.opsForList().range(keys.writeModeAudit(), 0, Math.max(0, limit - 1));
        List<Map<String, Object>> out = new ArrayList<>();
        for (String each : entries == null ? List.<String>of() : entries) {
            try {
                @SuppressWarnings("unchecked")
                Map<String, Object> parsed = JSON.readValue(each, Map.class);
                out.add(parsed);
            } catch (JsonProcessingException e) {
                out.add(Map.of("unreadable", each));
            }
        }
        return out;
    }

    static TokenDiscoveryProperties.WriteMode parse(String value) {
        String normalised = value == null ? "" : value.trim().toUpperCase(Locale.ROOT).replace('-', '_');
        try {
            return TokenDiscoveryProperties.WriteMode.valueOf(normalised);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Unknown write mode '" + value
                    + "': use write-behind, write-through or " + FILE_DEFAULT, e);
        }
    }

    private static String name(TokenDiscoveryProperties.WriteMode mode) {
        return mode.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
