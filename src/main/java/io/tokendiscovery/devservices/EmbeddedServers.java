package io.tokendiscovery.devservices;

import org.springframework.beans.factory.DisposableBean;

/** The embedded servers started for this context, stopped together when it closes. Either may be null. */
public record EmbeddedServers(EmbeddedRedis redis, EmbeddedPostgresServer postgres, EmbeddedDataDirectory dataDir)
        implements DisposableBean, AutoCloseable {

    @Override
    public void destroy() {
        close();
    }

    @Override
    public void close() {
        if (redis != null) {
            redis.close();
        }
        if (postgres != null) {
            postgres.close();
        }
        dataDir.deleteIfEphemeral();
    }
}
