package io.tokendiscovery;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A free local TCP port, for servers a test must know the port of before they start (prefer port 0 and reading the
 * bound port wherever the server allows it).
 *
 * <p>The port is picked BELOW the kernel's ephemeral range (Linux: 32768-60999, /proc/sys/net/ipv4/ip_local_port_range):
 * a port from {@code new ServerSocket(0)} is an ephemeral one, which any outgoing connection of any process (another
 * test's JDBC or Redis client, a build on the same machine) may take between this check and the server's bind. A port
 * below the range is only taken by a server that chose it explicitly, so the window between reserve and use no
 * longer races the whole machine's outgoing connections.
 */
public final class TestPorts {

    private static final int FIRST = 20_000;
    private static final int LAST = 32_000;

    private TestPorts() {}

    public static int free() {
        for (int attempt = 0; attempt < 100; attempt++) {
            int port = ThreadLocalRandom.current().nextInt(FIRST, LAST);
            try (ServerSocket socket = new ServerSocket()) {
                socket.bind(new InetSocketAddress(port));
                return port;
            } catch (IOException taken) {
                // in use: try another
            }
        }
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
