package io.tokendiscovery.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tokendiscovery.TestProperties;
import io.tokendiscovery.cache.TokenUpdate;
import io.tokendiscovery.ingest.FeedEvent;
import io.tokendiscovery.ingest.FrameParser;
import io.tokendiscovery.ingest.SolUsdRate;
import io.tokendiscovery.ingest.TokenPricing;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** TokenPricing.trade: price, USD values, bonding progress, counters, the tick JSON (FeedEvent -> TokenUpdate). */
@State(Scope.Thread)
@BenchmarkMode(org.openjdk.jmh.annotations.Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class TokenPricingBenchmark {

    private TokenPricing pricing;
    private List<FeedEvent.TokenTraded> trades;
    private int next;

    @Setup
    public void setUp() {
        FrameParser parser = new FrameParser(new ObjectMapper(), TestProperties.defaults(), new SimpleMeterRegistry());
        pricing = new TokenPricing(new SolUsdRate(TestProperties.defaults()), TestProperties.defaults());
        trades = MarketFrames.trades(1024).stream()
                .map(json -> (FeedEvent.TokenTraded) parser.parse(json, 1, 1_700_000_000_000L, null)).toList();
    }

    @Benchmark
    public TokenUpdate priceTrade() {
        return pricing.trade(trades.get(next++ & 1023));
    }
}
