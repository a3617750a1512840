package io.s3relay.upload;

import java.util.Collection;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * {@code s3relay.source.allowed-hosts}: entries {@code host} (the scheme's default port: 80 for http, 443 for
 * https) or {@code host:port} (that port only; an IPv6 address in brackets, {@code [::1]:8443}). A listed host and
 * port may be downloaded from whatever address it resolves to, internal ones included; when the list is not empty,
 * no other host is.
 */
public final class SourceHosts {

    private final Set<String> entries;

    public SourceHosts(Collection<String> entries) {
        this.entries = entries.stream().map(SourceHosts::normalize).collect(Collectors.toUnmodifiableSet());
    }

    public boolean isEmpty() {
        return entries.isEmpty();
    }

    /** Whether an http(s) URL's host and port are listed; {@code port} -1 stands for the scheme's default port. */
    public boolean lists(String scheme, String host, int port) {
        int effective = port < 0 ? defaultPort(scheme) : port;
        String h = bare(host);
        if (entries.contains(key(h, effective))) {
            return true;
        }
        return effective == defaultPort(scheme) && entries.contains(key(h, -1));
    }

    static int defaultPort(String scheme) {
        return "https".equalsIgnoreCase(scheme) ? 443 : 80;
    }

    private static String normalize(String entry) {
        String e = entry.strip().toLowerCase(Locale.ROOT);
        int port = -1;
        String host = e;
        if (e.startsWith("[")) {
            int close = e.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("s3relay.source.allowed-hosts: '" + entry + "' lacks its ']'");
            }
            host = e.substring(1, close);
            String rest = e.substring(close + 1);
            if (!rest.isEmpty()) {
                if (!rest.startsWith(":")) {
                    throw new IllegalArgumentException("s3relay.source.allowed-hosts: '" + entry + "' is not host or host:port");
                }
                port = port(entry, rest.substring(1));
            }
        } else if (e.indexOf(':') >= 0) {
            if (e.indexOf(':') != e.lastIndexOf(':')) {
                throw new IllegalArgumentException("s3relay.source.allowed-hosts: write the IPv6 address '" + entry
                        + "' in brackets, [address] or [address]:port");
            }
            host = e.substring(0, e.indexOf(':'));
            port = port(entry, e.substring(e.indexOf(':') + 1));
        }
        if (host.isEmpty() || host.contains("/") || host.contains("@")) {
            throw new IllegalArgumentException("s3relay.source.allowed-hosts: '" + entry + "' is not host or host:port");
        }
        return key(host, port);
    }

    private static int port(String entry, String text) {
        try {
            int port = Integer.parseInt(text);
            if (port < 1 || port > 65535) {
                throw new NumberFormatException();
            }
            return port;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("s3relay.source.allowed-hosts: '" + entry + "' has no valid port");
        }
    }

    private static String bare(String host) {
        String h = host == null ? "" : host.toLowerCase(Locale.ROOT);
        return h.startsWith("[") && h.endsWith("]") ? h.substring(1, h.length() - 1) : h;
    }

    private static String key(String host, int port) {
        return host + "|" + port;
    }
}
