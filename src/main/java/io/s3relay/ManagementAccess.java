package io.s3relay;

import java.net.InetAddress;

/**
 * The management server (health, metrics, and Jolokia for Hawtio) shows routes and, with credentials, can stop and
 * start them: it listens on loopback, and anywhere else only with credentials. What Jolokia allows is one of two
 * policy files: read-only without credentials, route start/stop too with them.
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

    /** Jolokia's policy file for this management server, as Jolokia's {@code policyLocation} names it. */
    static String jolokiaPolicy(boolean authenticationEnabled) {
        String file = authenticationEnabled ? "jolokia-access-authenticated.xml" : "jolokia-access.xml";
        // Jolokia would allow everything if the file were missing: refuse to start instead
        if (ManagementAccess.class.getClassLoader().getResource(file) == null) {
            throw new IllegalStateException("Jolokia policy " + file + " is not on the classpath");
        }
        return "classpath:/" + file;
    }

    static boolean isLoopback(String host) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (Exception e) {
            return false;
        }
    }
}
