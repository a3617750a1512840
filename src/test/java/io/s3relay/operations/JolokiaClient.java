package io.s3relay.operations;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The relay's Jolokia (/observe/jolokia) over HTTP, as a program on the machine (not a browser page) calls it. */
final class JolokiaClient {

    static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final int port;
    private final Map<String, String> headers;

    JolokiaClient(int port) {
        this(port, Map.of());
    }

    private JolokiaClient(int port, Map<String, String> headers) {
        this.port = port;
        this.headers = headers;
    }

    /** The same client, sending these HTTP Basic credentials. */
    JolokiaClient as(String user, String password) {
        Map<String, String> with = new LinkedHashMap<>(headers);
        with.put("Authorization", "Basic " + Base64.getEncoder()
                .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
        return new JolokiaClient(port, with);
    }

    String url() {
        return "http://127.0.0.1:" + port + "/observe/jolokia";
    }

    JsonNode exec(String mbean, String operation, Object... arguments) throws Exception {
        return post(Map.of("type", "exec", "mbean", mbean, "operation", operation, "arguments", List.of(arguments)));
    }

    JsonNode read(String mbean, String attribute) throws Exception {
        return post(Map.of("type", "read", "mbean", mbean, "attribute", attribute));
    }

    JsonNode post(Map<String, Object> request) throws Exception {
        return JSON.readTree(send(request, Map.of()).body());
    }

    /** A JSON POST, with these headers besides the client's own. */
    HttpResponse<String> send(Map<String, Object> request, Map<String, String> extra) throws Exception {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(url())).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(request)));
        headers.forEach(builder::header);
        extra.forEach(builder::header);
        return HTTP.send(builder.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A GET of Jolokia's URL form, such as /read/java.lang:type=Threading/ThreadCount. */
    JsonNode get(String path) throws Exception {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(url() + path)).timeout(Duration.ofSeconds(30));
        headers.forEach(builder::header);
        return JSON.readTree(HTTP.send(builder.build(), HttpResponse.BodyHandlers.ofString()).body());
    }

    /** A request written out by hand, Host header included (which java.net.http will not send as given). */
    String raw(String request) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.UTF_8));
            out.flush();
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            socket.getInputStream().transferTo(answer);
            return answer.toString(StandardCharsets.UTF_8);
        }
    }
}
