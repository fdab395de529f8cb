package io.tokendiscovery;

import com.zaxxer.hikari.HikariDataSource;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.util.StringUtils;

/**
 * Timeouts everywhere on the PostgreSQL side (docs/operations.md#timeouts): applies
 * {@code tokendiscovery.database.*} to the Hikari pool before its first connection, whatever the JDBC URL (the
 * embedded PostgreSQL's or a real {@code SPRING_DATASOURCE_URL}), through the driver's connection properties:
 * <ul>
 *   <li>Hikari {@code connectionTimeout}: the longest wait for a pooled connection (Hikari's default: 30 s);</li>
 *   <li>pgjdbc {@code connectTimeout}, {@code loginTimeout} and {@code socketTimeout};</li>
 *   <li>the session's {@code statement_timeout}, {@code lock_timeout} and
 *       {@code idle_in_transaction_session_timeout}, sent in the startup packet (pgjdbc {@code options}), so they
 *       hold from the first statement of every connection without an extra round trip.</li>
 * </ul>
 * A value an operator put in the URL itself ({@code ?socketTimeout=...}) wins over these (pgjdbc reads the URL
 * last); options already configured ({@code spring.datasource.hikari.data-source-properties.options}) are kept and
 * ours are appended.
 */
@Configuration(proxyBeanMethods = false)
public class DatabaseTimeouts {

    private static final Logger log = LoggerFactory.getLogger(DatabaseTimeouts.class);

    /** Static, as a BeanPostProcessor must be; the properties are fetched only when the pool is created. */
    @Bean
    static BeanPostProcessor databaseTimeoutsPostProcessor(ObjectProvider<TokenDiscoveryProperties> properties) {
        return new BeanPostProcessor() {
            @Override
            public Object postProcessAfterInitialization(Object bean, String beanName) {
                if (bean instanceof HikariDataSource pool) {
                    apply(pool, properties.getObject().database());
                }
                return bean;
            }
        };
    }

    static void apply(HikariDataSource pool, TokenDiscoveryProperties.Database timeouts) {
        // Hikari refuses less than 250 ms; 0 means "wait forever" there, which is exactly what must not happen
        pool.setConnectionTimeout(Math.max(250, timeouts.connectionTimeout().toMillis()));
        pool.addDataSourceProperty("connectTimeout", seconds(timeouts.connectTimeout()));
        pool.addDataSourceProperty("loginTimeout", seconds(timeouts.connectTimeout()));
        pool.addDataSourceProperty("socketTimeout", seconds(timeouts.socketTimeout()));
        String session = "-c statement_timeout=" + timeouts.statementTimeout().toMillis()
                + " -c lock_timeout=" + timeouts.lockTimeout().toMillis()
                + " -c idle_in_transaction_session_timeout=" + timeouts.idleInTransactionTimeout().toMillis();
        Object existing = pool.getDataSourceProperties().get("options");
        pool.addDataSourceProperty("options",
                existing != null && StringUtils.hasText(existing.toString()) ? existing + " " + session : session);
        if (!timeouts.socketTimeout().isZero()
                && timeouts.socketTimeout().compareTo(timeouts.statementTimeout()) <= 0) {
            log.warn("tokendiscovery.database.socket-timeout ({}) is not above statement-timeout ({}): a slow "
                    + "statement will break its connection instead of being cancelled by PostgreSQL",
                    timeouts.socketTimeout(), timeouts.statementTimeout());
        }
        log.info("Database timeouts: pool wait {} ms, connect {} s, socket {} s, session {}",
                pool.getConnectionTimeout(), seconds(timeouts.connectTimeout()), seconds(timeouts.socketTimeout()),
                session);
    }

    /** pgjdbc takes whole seconds; anything below one second (but not 0, "no timeout") is rounded up. */
    private static String seconds(Duration duration) {
        if (duration.isZero()) {
            return "0";
        }
        return Long.toString(Math.max(1, (duration.toMillis() + 999) / 1000));
    }
}
