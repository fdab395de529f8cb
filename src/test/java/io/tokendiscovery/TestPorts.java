package io.tokendiscovery;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;

/** A free local TCP port, for servers a test must know the port of before they start. */
public final class TestPorts {

    private TestPorts() {}

    public static int free() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
