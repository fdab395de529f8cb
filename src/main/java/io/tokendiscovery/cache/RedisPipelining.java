package io.tokendiscovery.cache;

import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnection.PipeliningFlushPolicy;

/**
 * Pipelines ({@code executePipelined}: the sync's HGETALL of every claimed token, the watch list, the token states)
 * are written to the socket in chunks of {@value #FLUSH_EVERY} commands instead of one flush per command, Spring's
 * default: a 100,000-token sync read is then about a hundred socket writes, not 100,000 (docs/benchmarks.md).
 */
@Configuration(proxyBeanMethods = false)
public class RedisPipelining {

    static final int FLUSH_EVERY = 1000;

    @Bean
    static BeanPostProcessor bufferedRedisPipelines() {
        return new BeanPostProcessor() {
            @Override
            public Object postProcessBeforeInitialization(Object bean, String beanName) {
                if (bean instanceof LettuceConnectionFactory factory) {
                    factory.setPipeliningFlushPolicy(PipeliningFlushPolicy.buffered(FLUSH_EVERY));
                }
                return bean;
            }
        };
    }
}
