package io.tokendiscovery.api;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.tokendiscovery.TokenDiscoveryProperties;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.listener.RedisMessageListenerContainer;
import org.springframework.data.redis.serializer.StringRedisSerializer;
import org.springframework.util.backoff.FixedBackOff;

/**
 * The beans the live-push routes name ({@code routes/live-push.camel.yaml}): the Redis side of the fan-out
 * (serializer, listener container) and the WebSocket server's limits (server options, origin check).
 */
@Configuration(proxyBeanMethods = false)
public class LiveConfiguration {

    /** UTF-8 strings on the live channel, both ways, so any Redis client can read (and write) its messages. */
    @Bean
    public StringRedisSerializer liveTickSerializer() {
        return StringRedisSerializer.UTF_8;
    }

    /**
     * The container of the {@code spring-redis} SUBSCRIBE consumer: Spring Boot's Redis connection (Lettuce; the
     * endpoint's own default would be a Jedis connection to localhost:6379), ONE fan-out thread behind a bounded
     * queue (the container's default executor starts a thread per message, which would reorder ticks; when the
     * queue is full a batch is dropped and counted, {@code tokendiscovery.live.fanout.dropped{stage="deliver-queue"}},
     * instead of holding Redis's connection thread), and a subscription retried every
     * {@code tokendiscovery.live.subscriber-recovery-interval} when it fails. Lettuce reconnects the subscription
     * connection and re-subscribes by itself after a Redis restart. Not an {@code Executor} bean: one would replace
     * Spring Boot's application task executor.
     */
    @Bean
    public RedisMessageListenerContainer liveTicksListenerContainer(RedisConnectionFactory connectionFactory,
            TokenDiscoveryProperties properties, MeterRegistry meters) {
        Counter dropped = LiveFanOut.dropped(meters, "deliver-queue");
        ThreadPoolExecutor fanOut = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(properties.live().fanOutQueueCapacity()),
                runnable -> {
                    Thread thread = new Thread(runnable, "live-fan-out");
                    thread.setDaemon(true);
                    return thread;
                },
                (runnable, pool) -> dropped.increment());
        RedisMessageListenerContainer container = new RedisMessageListenerContainer() {
            @Override
            public void destroy() throws Exception {
                try {
                    super.destroy();
                } finally {
                    fanOut.shutdownNow();
                }
            }
        };
        container.setConnectionFactory(connectionFactory);
        container.setTaskExecutor(fanOut);
        container.setRecoveryBackoff(new FixedBackOff(properties.live().subscriberRecoveryInterval().toMillis(),
                FixedBackOff.UNLIMITED_ATTEMPTS));
        return container;
    }

    /** Client messages: one WebSocket frame and one message are at most tokendiscovery.live.max-message-size. */
    @Bean
    public HttpServerOptions liveServerOptions(TokenDiscoveryProperties properties) {
        int max = (int) Math.min(Integer.MAX_VALUE, properties.live().maxMessageSize().toBytes());
        return new HttpServerOptions().setMaxWebSocketFrameSize(max).setMaxWebSocketMessageSize(max);
    }

    /** The live server's router: the origin check runs before the WebSocket upgrade ({@link LiveOrigins}). */
    @Bean
    public Router liveRouter(Vertx vertx, LiveOrigins origins) {
        Router router = Router.router(vertx);
        router.route().order(-1).handler(origins);
        return router;
    }
}
