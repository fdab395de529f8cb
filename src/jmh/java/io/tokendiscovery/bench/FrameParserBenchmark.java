package io.tokendiscovery.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tokendiscovery.TestProperties;
import io.tokendiscovery.ingest.FeedEvent;
import io.tokendiscovery.ingest.FrameParser;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** FrameParser.parse of a trade frame (JSON text -> FeedEvent), cycling over 1,024 real-shaped trades. */
@State(Scope.Thread)
@BenchmarkMode(org.openjdk.jmh.annotations.Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class FrameParserBenchmark {

    private FrameParser parser;
    private List<String> frames;
    private int next;

    @Setup
    public void setUp() {
        parser = new FrameParser(new ObjectMapper(), TestProperties.defaults(), new SimpleMeterRegistry());
        frames = MarketFrames.trades(1024);
    }

    @Benchmark
    public FeedEvent parseTrade() {
        String frame = frames.get(next++ & 1023);
        return parser.parse(frame, next, 1_700_000_000_000L, null);
    }
}
