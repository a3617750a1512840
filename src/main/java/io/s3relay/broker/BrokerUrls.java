package io.s3relay.broker;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Broker URLs as the command line uses them: bounded, so that a command fails within seconds when no broker answers,
 * and shown without their credentials.
 * <p>
 * Why bounded: a {@code failover:} URL retries forever by default, and a plain {@code tcp:} one waits up to 30 s for a
 * host that does not answer; an operator who typed {@code send} wants to hear at once that the broker is not there.
 * The options the URL already sets are left as they are.
 */
public final class BrokerUrls {

    private static final Pattern USER_INFO = Pattern.compile("//[^/?#()@,\\s]*@");
    private static final Pattern SECRET_OPTION = Pattern.compile(
            "(?i)([?&](?:[a-z0-9_.]*\\.)?[a-z0-9_]*(?:password|secret|token|credential|key)[a-z0-9_]*=)[^&)#]*");

    private BrokerUrls() {
    }

    /**
     * The URL with its attempts bounded: a failover URL tries its brokers {@code attempts} times at start-up and
     * fails a send after {@code timeoutMillis} without a broker; a tcp, ssl or nio URL gives up connecting after
     * {@code timeoutMillis}.
     */
    public static String bounded(String brokerUrl, int attempts, long timeoutMillis) {
        String url = brokerUrl.strip();
        String lower = url.toLowerCase(Locale.ROOT);
        if (lower.startsWith("failover:")) {
            String rest = url.substring("failover:".length());
            if (!rest.startsWith("(")) {
                // failover:tcp://a:61616 is failover:(tcp://a:61616): its options would otherwise go to the inner URL
                url = "failover:(" + rest + ")";
            }
            url = withOption(url, "startupMaxReconnectAttempts", String.valueOf(attempts));
            url = withOption(url, "timeout", String.valueOf(timeoutMillis));
            return withOption(url, "nested.connectionTimeout", String.valueOf(timeoutMillis));
        }
        if (lower.startsWith("tcp:") || lower.startsWith("ssl:") || lower.startsWith("nio:") || lower.startsWith("nio+ssl:")) {
            return withOption(url, "connectionTimeout", String.valueOf(timeoutMillis));
        }
        return url;
    }

    /** The URL as messages may show it: no user info, no value of an option that names a password, secret or key. */
    public static String shown(String brokerUrl) {
        String shown = USER_INFO.matcher(brokerUrl.strip()).replaceAll("//");
        return SECRET_OPTION.matcher(shown).replaceAll("$1REDACTED");
    }

    private static String withOption(String url, String name, String value) {
        String lower = url.toLowerCase(Locale.ROOT);
        int closing = url.lastIndexOf(')');
        int query = url.indexOf('?', closing + 1);
        if (query >= 0 && ("&" + lower.substring(query + 1)).contains("&" + name.toLowerCase(Locale.ROOT) + "=")) {
            return url;
        }
        return url + (query >= 0 ? "&" : "?") + name + "=" + value;
    }
}
