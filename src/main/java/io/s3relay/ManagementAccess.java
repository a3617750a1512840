package io.s3relay;

import java.net.InetAddress;

/**
 * The management server (health, and later Jolokia for Hawtio) shows routes and can act on them: it listens on
 * loopback, and anywhere else only with credentials.
 */
final class ManagementAccess {

    private ManagementAccess() {
    }

    static void check(boolean enabled, String host, boolean authenticationEnabled) {
        if (enabled && !isLoopback(host) && !authenticationEnabled) {
            throw new IllegalStateException("camel.management.host is " + host + ", which is not loopback: set "
                    + "camel.management.authentication-enabled=true (with camel.management.basic-properties-file) "
                    + "or keep the management server on 127.0.0.1");
        }
    }

    static boolean isLoopback(String host) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (Exception e) {
            return false;
        }
    }
}
