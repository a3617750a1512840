package io.s3relay.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A bucket that answers, but slowly: a TCP proxy in front of a real S3 server that holds each answer back for a
 * while before passing it on. Every upload through it succeeds, after {@code delayMillis}.
 */
public final class SlowProxy implements AutoCloseable {

    private final ServerSocket server;
    private final int targetPort;
    private final long delayMillis;

    public SlowProxy(int targetPort, long delayMillis) throws IOException {
        this.server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
        this.targetPort = targetPort;
        this.delayMillis = delayMillis;
        daemon(this::accept).start();
    }

    public String endpoint() {
        return "http://127.0.0.1:" + server.getLocalPort();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Socket upstream = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                AtomicBoolean requestSent = new AtomicBoolean();
                daemon(() -> pump(client, upstream, requestSent, false)).start();
                daemon(() -> pump(upstream, client, requestSent, true)).start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void pump(Socket from, Socket to, AtomicBoolean requestSent, boolean answers) {
        byte[] buffer = new byte[64 * 1024];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                if (!answers) {
                    requestSent.set(true);
                } else if (requestSent.getAndSet(false)) {
                    Thread.sleep(delayMillis);
                }
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException | InterruptedException e) {
            // one side closed: the other follows
        } finally {
            try {
                from.close();
                to.close();
            } catch (IOException ignored) {
                // already closed
            }
        }
    }

    private static Thread daemon(Runnable task) {
        Thread thread = new Thread(task, "slow-proxy");
        thread.setDaemon(true);
        return thread;
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
