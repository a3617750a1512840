package io.s3relay;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;

import io.s3relay.command.ExplainedFailure;

/**
 * The ports the relay listens on at start-up: a port in use is one line naming the port and the setting that moves
 * it ({@link ExplainedFailure}, exit 3), instead of a bind exception under three others.
 */
final class StartupPorts {

    /** Starts a server of the relay. */
    interface Start<T> {
        T start() throws Exception;
    }

    private StartupPorts() {
    }

    /** The started server, or the explained failure when its port is in use. */
    static <T> T bind(Start<T> start, String whenInUse) throws Exception {
        try {
            return start.start();
        } catch (Exception e) {
            if (ExplainedFailure.cause(e, BindException.class) != null) {
                throw new ExplainedFailure(ExplainedFailure.UNREACHABLE, whenInUse, e);
            }
            throw e;
        }
    }

    /**
     * Fails with the explanation when something listens on the port already. For servers that Camel starts later,
     * and whose failure to bind would not stop the relay; port 0 (any free port) is always free.
     */
    static void requireFree(String host, int port, String whenInUse) {
        if (port <= 0) {
            return;
        }
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new InetSocketAddress(host, port));
        } catch (BindException e) {
            throw new ExplainedFailure(ExplainedFailure.UNREACHABLE, whenInUse, e);
        } catch (IOException | RuntimeException e) {
            // an address this host does not have, say: the server's own start says so
        }
    }

    /** The port of a bind URI such as tcp://127.0.0.1:61616, or -1. */
    static int port(String bindUri) {
        try {
            return URI.create(bindUri.strip()).getPort();
        } catch (RuntimeException e) {
            return -1;
        }
    }
}
