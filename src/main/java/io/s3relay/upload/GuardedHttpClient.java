package io.s3relay.upload;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;

import org.apache.http.HttpHost;
import org.apache.http.client.config.RequestConfig;
import org.apache.http.config.Registry;
import org.apache.http.config.RegistryBuilder;
import org.apache.http.config.SocketConfig;
import org.apache.http.conn.socket.ConnectionSocketFactory;
import org.apache.http.conn.socket.PlainConnectionSocketFactory;
import org.apache.http.conn.ssl.SSLConnectionSocketFactory;
import org.apache.http.impl.NoConnectionReuseStrategy;
import org.apache.http.impl.client.CloseableHttpClient;
import org.apache.http.impl.client.HttpClients;
import org.apache.http.impl.conn.PoolingHttpClientConnectionManager;
import org.apache.http.protocol.HttpContext;
import org.apache.http.ssl.SSLContexts;

/**
 * The HTTP client of {@code http(s):} downloads. Every address it connects to is checked against
 * {@link SourceAddresses} right before the socket connects, after name resolution, for every address of a name that
 * it tries: what was checked is what is connected to, so a name that answers differently on a second lookup
 * (DNS rebinding) gains nothing. A request whose host and port are listed in {@code s3relay.source.allowed-hosts}
 * sets {@link #CHECK_ADDRESSES} to false in its context. No redirects, retries, cookies, compression or proxies;
 * connections are not reused.
 */
final class GuardedHttpClient {

    /** Context attribute: {@code Boolean.FALSE} lets the request connect to internal addresses. */
    static final String CHECK_ADDRESSES = "s3relay.source.check-addresses";

    private GuardedHttpClient() {
    }

    /** Thrown, before connecting, for an address that the download may not reach. */
    static final class RefusedAddressException extends IOException {
        RefusedAddressException(String message) {
            super(message);
        }
    }

    static CloseableHttpClient create(Duration idleTimeout, Duration connectTimeout) {
        int idle = (int) Math.min(Integer.MAX_VALUE, idleTimeout.toMillis());
        int connect = (int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis());
        Registry<ConnectionSocketFactory> sockets = RegistryBuilder.<ConnectionSocketFactory>create()
                .register("http", new PlainConnectionSocketFactory() {
                    @Override
                    public Socket connectSocket(int timeout, Socket socket, HttpHost host, InetSocketAddress remote,
                                                InetSocketAddress local, HttpContext context) throws IOException {
                        check(host, remote, context);
                        return super.connectSocket(timeout, socket, host, remote, local, context);
                    }
                })
                .register("https", new SSLConnectionSocketFactory(SSLContexts.createDefault(),
                        SSLConnectionSocketFactory.getDefaultHostnameVerifier()) {
                    @Override
                    public Socket connectSocket(int timeout, Socket socket, HttpHost host, InetSocketAddress remote,
                                                InetSocketAddress local, HttpContext context) throws IOException {
                        check(host, remote, context);
                        return super.connectSocket(timeout, socket, host, remote, local, context);
                    }
                })
                .build();
        PoolingHttpClientConnectionManager connections = new PoolingHttpClientConnectionManager(sockets);
        connections.setMaxTotal(512);
        connections.setDefaultMaxPerRoute(512);
        connections.setDefaultSocketConfig(SocketConfig.custom().setSoTimeout(idle).build());
        return HttpClients.custom()
                .setConnectionManager(connections)
                .setConnectionReuseStrategy(NoConnectionReuseStrategy.INSTANCE)
                .disableRedirectHandling()
                .disableAutomaticRetries()
                .disableContentCompression()
                .disableCookieManagement()
                .disableAuthCaching()
                .setUserAgent("s3-relay")
                .setDefaultRequestConfig(RequestConfig.custom()
                        .setConnectTimeout(connect)
                        .setConnectionRequestTimeout(connect)
                        .setSocketTimeout(idle)
                        .setRedirectsEnabled(false)
                        .build())
                .build();
    }

    private static void check(HttpHost host, InetSocketAddress remote, HttpContext context) throws RefusedAddressException {
        if (Boolean.FALSE.equals(context.getAttribute(CHECK_ADDRESSES))) {
            return;
        }
        if (remote.getAddress() == null) {
            throw new RefusedAddressException("download_url host " + host.getHostName() + " did not resolve to an address");
        }
        String reason = SourceAddresses.refusal(remote.getAddress()).orElse(null);
        if (reason != null) {
            String address = remote.getAddress().getHostAddress();
            String named = address.equalsIgnoreCase(host.getHostName()) ? address : host.getHostName() + " (" + address + ")";
            throw new RefusedAddressException("download_url host " + named + " is refused, its address is " + reason
                    + "; list " + hostPort(host, remote) + " in s3relay.source.allowed-hosts to allow it");
        }
    }

    private static String hostPort(HttpHost host, InetSocketAddress remote) {
        String name = host.getHostName().contains(":") && !host.getHostName().startsWith("[")
                ? "[" + host.getHostName() + "]" : host.getHostName();
        return name + ":" + remote.getPort();
    }
}
