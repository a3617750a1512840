package io.s3relay.support;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * An S3 endpoint whose buckets live in one region, answering a request signed for any other region the way AWS
 * does: {@code 400 AuthorizationHeaderMalformed}, naming the region expected, with {@code x-amz-bucket-region}.
 * s3proxy does not check regions, so this is the one server of the tests that only ever refuses; it records the
 * requests it refused.
 */
public final class RegionalEndpoint implements AutoCloseable {

    private static final Pattern SIGNED_REGION = Pattern.compile("Credential=[^/]+/\\d{8}/([^/]+)/s3/aws4_request");

    private final String region;
    private final HttpServer server;
    private final List<String> refused = new CopyOnWriteArrayList<>();

    public RegionalEndpoint(String region) throws IOException {
        this.region = region;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::answer);
        server.start();
    }

    public String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Method and path of each request refused for its region. */
    public List<String> refused() {
        return refused;
    }

    private void answer(HttpExchange exchange) throws IOException {
        String authorization = exchange.getRequestHeaders().getFirst("Authorization");
        Matcher signed = SIGNED_REGION.matcher(authorization == null ? "" : authorization);
        String signedFor = signed.find() ? signed.group(1) : "none";
        refused.add(exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath());
        String message = signedFor.equals(region)
                ? "This test endpoint only refuses requests for another region"
                : "The authorization header is malformed; the region '" + signedFor + "' is wrong; expecting '" + region + "'";
        byte[] body = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>AuthorizationHeaderMalformed</Code>"
                + "<Message>" + message + "</Message><Region>" + region + "</Region>"
                + "<RequestId>0000000000000000</RequestId><HostId>test</HostId></Error>").getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/xml");
        exchange.getResponseHeaders().add("x-amz-bucket-region", region);
        exchange.getResponseHeaders().add("Connection", "close");
        exchange.sendResponseHeaders(400, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
        exchange.close();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
