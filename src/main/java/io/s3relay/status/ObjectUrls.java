package io.s3relay.status;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

import io.s3relay.config.Integration;

/** The URL of an uploaded object, as a customer would open it. */
final class ObjectUrls {

    private ObjectUrls() {
    }

    static String of(Integration integration, String key) {
        String path = encodeKey(key);
        if (integration.endpoint() != null) {
            String base = integration.endpoint().toString().replaceAll("/+$", "");
            if (integration.pathStyle()) {
                return base + "/" + integration.bucket() + "/" + path;
            }
            return integration.endpoint().getScheme() + "://" + integration.bucket() + "."
                    + integration.endpoint().getRawAuthority() + "/" + path;
        }
        return "https://" + integration.bucket() + ".s3." + integration.region() + ".amazonaws.com/" + path;
    }

    private static String encodeKey(String key) {
        StringBuilder out = new StringBuilder();
        for (String segment : key.split("/", -1)) {
            if (!out.isEmpty()) {
                out.append('/');
            }
            out.append(URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20"));
        }
        return out.toString();
    }
}
