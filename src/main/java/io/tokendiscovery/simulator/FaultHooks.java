package io.tokendiscovery.simulator;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.vertx.core.net.impl.ConnectionBase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The network faults the simulator can inject into a connection: a clean close, an abrupt reset (RST, no close frame)
 * and a freeze (half-dead: nothing read, nothing written, TCP still open). Event loop only.
 */
final class FaultHooks {

    /** Logs under the simulator's name, as these lines always have. */
    private static final Logger log = LoggerFactory.getLogger(PumpPortalSimulator.class);

    private FaultHooks() {}

    /** Closes the connection with a close frame (1000, normal). */
    static void close(SimulatorConnection c) {
        if (!c.ws.isClosed()) {
            c.ws.close((short) 1000, "Simulator closing connection");
        }
    }

    /**
     * Closes the TCP socket with SO_LINGER 0 (an RST) and no WebSocket close frame, through Vert.x's internal
     * {@code ConnectionBase}; without it, closes with code 1011 and logs it.
     */
    static void reset(SimulatorConnection c) {
        if (c.httpConnection instanceof ConnectionBase base) {
            Channel channel = base.channel();
            channel.config().setOption(ChannelOption.SO_LINGER, 0);
            channel.close();
        } else {
            log.info("Cannot reach the socket of connection {}; closing it with 1011 instead of a reset", c.id);
            c.ws.close((short) 1011, "Simulated reset");
        }
    }

    /** Stops reading (pings go unanswered) and writing the connection while its TCP connection stays open. */
    static void freeze(SimulatorConnection c) {
        c.frozen = true;
        if (c.httpConnection instanceof ConnectionBase base) {
            // Vert.x answers pings below pause(); only stopping the socket's reads silences them.
            base.channel().config().setAutoRead(false);
        } else {
            c.ws.pause();
        }
    }
}
