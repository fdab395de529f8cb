package io.tokendiscovery.bench;

import redis.clients.jedis.Jedis;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/** The harness's own Redis connection: the dirty set, memory and key counts of the run's key prefix. */
final class BenchRedis implements AutoCloseable {

    private final Jedis jedis;
    private final String prefix;

    BenchRedis(BenchServers servers) {
        this.jedis = new Jedis(servers.redisHost(), servers.redisPort());
        jedis.select(servers.redisDatabase());
        this.prefix = servers.keyPrefix();
    }

    Jedis jedis() {
        return jedis;
    }

    long dirty() {
        return jedis.zcard(prefix + "sync:dirty");
    }

    /** used_cpu_user + used_cpu_sys of INFO cpu: the server's own CPU seconds (NaN if not reported). */
    double cpuSeconds() {
        double seconds = 0;
        int found = 0;
        for (String line : jedis.info("cpu").split("\r?\n")) {
            if (line.startsWith("used_cpu_user:") || line.startsWith("used_cpu_sys:")) {
                seconds += Double.parseDouble(line.substring(line.indexOf(':') + 1).trim());
                found++;
            }
        }
        return found == 2 ? seconds : Double.NaN;
    }

    /** used_memory of INFO memory (the whole server). */
    long usedMemory() {
        for (String line : jedis.info("memory").split("\r?\n")) {
            if (line.startsWith("used_memory:")) {
                return Long.parseLong(line.substring("used_memory:".length()).trim());
            }
        }
        return -1;
    }

    /** Keys of the run matching {@code pattern} after the prefix (SCAN, so the server is never blocked long). */
    long count(String pattern) {
        long n = 0;
        String cursor = ScanParams.SCAN_POINTER_START;
        ScanParams params = new ScanParams().match(prefix + pattern).count(10_000);
        do {
            ScanResult<String> page = jedis.scan(cursor, params);
            n += page.getResult().size();
            cursor = page.getCursor();
        } while (!"0".equals(cursor));
        return n;
    }

    /** Deletes every key of the run (for a shared Redis given by URL). */
    void deleteRunKeys() {
        String cursor = ScanParams.SCAN_POINTER_START;
        ScanParams params = new ScanParams().match(prefix + "*").count(10_000);
        do {
            ScanResult<String> page = jedis.scan(cursor, params);
            if (!page.getResult().isEmpty()) {
                jedis.unlink(page.getResult().toArray(String[]::new));
            }
            cursor = page.getCursor();
        } while (!"0".equals(cursor));
    }

    @Override
    public void close() {
        jedis.close();
    }
}
