package io.s3relay.broker;

import java.util.Locale;

/**
 * Turns off OpenWire's marshalling cache on the relay's broker connections, by an option in the broker URL.
 * <p>
 * Why: with the cache on, each connection keeps up to 16,383 of the ids it has received (producer, transaction and
 * connection ids) so that the broker can send an index instead of an id it sent before. An upstream that opens a
 * producer per message, as a messaging template without pooling does, sends a new producer id with every
 * submission: the cache never hits, and each of the relay's connections holds its 16,383 ids for good (about 200
 * bytes each, tens of MiB over the relay's connections). Without it, the ids travel in full: a few dozen bytes more
 * per message.
 * <p>
 * A URL that already sets {@code cacheEnabled} is left as it is, and so is the in-JVM {@code vm:} transport, which
 * does not marshal.
 */
public final class WireFormatCache {

    static final String OPTION = "wireFormat.cacheEnabled=false";

    private WireFormatCache() {
    }

    /** The broker URL with the cache off: on the URL itself, or on every URL within a failover or discovery one. */
    public static String disabledIn(String brokerUrl) {
        String url = brokerUrl.strip();
        String lower = url.toLowerCase(Locale.ROOT);
        if (lower.contains("cacheenabled") || lower.startsWith("vm:") || url.isEmpty()) {
            return url;
        }
        // failover:(tcp://a,tcp://b)?... and the like pass nested.* options on to each URL within
        String option = url.contains("(") ? "nested." + OPTION : OPTION;
        int fragment = url.indexOf('#');
        String head = fragment < 0 ? url : url.substring(0, fragment);
        String tail = fragment < 0 ? "" : url.substring(fragment);
        int closing = head.lastIndexOf(')');
        boolean hasQuery = head.indexOf('?', closing + 1) >= 0;
        return head + (hasQuery ? "&" : "?") + option + tail;
    }
}
