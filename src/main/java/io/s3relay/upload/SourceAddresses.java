package io.s3relay.upload;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Optional;

/**
 * The addresses a {@code download_url} may not reach unless its host and port are listed in
 * {@code s3relay.source.allowed-hosts}: the relay's own host (loopback, its management server and Jolokia among
 * them), the networks behind it (private, unique-local, link-local, carrier-grade NAT) and the cloud's metadata
 * service. An IPv6 address that carries an IPv4 address (mapped, compatible, NAT64) is judged by that address.
 */
public final class SourceAddresses {

    private SourceAddresses() {
    }

    /** Why the address is refused ("loopback", "cloud metadata" ...), or empty when it is a public address. */
    public static Optional<String> refusal(InetAddress address) {
        if (address instanceof Inet4Address) {
            return refusal4(address.getAddress());
        }
        if (address instanceof Inet6Address) {
            return refusal6(address.getAddress());
        }
        return Optional.of("not an IP address");
    }

    private static Optional<String> refusal4(byte[] a) {
        int b0 = a[0] & 0xff;
        int b1 = a[1] & 0xff;
        int b2 = a[2] & 0xff;
        int b3 = a[3] & 0xff;
        if (b0 == 169 && b1 == 254 && b2 == 169 && b3 == 254) {
            return Optional.of("cloud metadata");
        }
        if (b0 == 0) {
            return Optional.of("unspecified (0.0.0.0/8)");
        }
        if (b0 == 127) {
            return Optional.of("loopback (127.0.0.0/8)");
        }
        if (b0 == 10) {
            return Optional.of("private (10.0.0.0/8)");
        }
        if (b0 == 172 && (b1 & 0xf0) == 16) {
            return Optional.of("private (172.16.0.0/12)");
        }
        if (b0 == 192 && b1 == 168) {
            return Optional.of("private (192.168.0.0/16)");
        }
        if (b0 == 169 && b1 == 254) {
            return Optional.of("link-local (169.254.0.0/16)");
        }
        if (b0 == 100 && (b1 & 0xc0) == 64) {
            return Optional.of("carrier-grade NAT (100.64.0.0/10)");
        }
        if (b0 >= 224 && b0 <= 239) {
            return Optional.of("multicast (224.0.0.0/4)");
        }
        if (b0 >= 240) {
            return Optional.of("reserved (240.0.0.0/4)");
        }
        return Optional.empty();
    }

    private static Optional<String> refusal6(byte[] a) {
        if (isZero(a, 0, 10) && (a[10] & 0xff) == 0xff && (a[11] & 0xff) == 0xff) {
            return refusal4(tail4(a)).map(r -> r + ", IPv4-mapped");
        }
        if (isZero(a, 0, 12)) {
            if (isZero(a, 12, 15) && a[15] == 0) {
                return Optional.of("unspecified (::)");
            }
            if (isZero(a, 12, 15) && a[15] == 1) {
                return Optional.of("loopback (::1)");
            }
            // ::a.b.c.d, IPv4-compatible (deprecated, but some stacks still route it)
            return Optional.of(refusal4(tail4(a)).map(r -> r + ", IPv4-compatible").orElse("IPv4-compatible (::/96)"));
        }
        // 64:ff9b::/96, NAT64: reaches the IPv4 address it carries
        if ((a[0] & 0xff) == 0x00 && (a[1] & 0xff) == 0x64 && (a[2] & 0xff) == 0xff && (a[3] & 0xff) == 0x9b
                && isZero(a, 4, 12)) {
            return refusal4(tail4(a)).map(r -> r + ", NAT64");
        }
        // fd00:ec2::254, the metadata service of EC2 over IPv6
        if ((a[0] & 0xff) == 0xfd && a[1] == 0 && (a[2] & 0xff) == 0x0e && (a[3] & 0xff) == 0xc2
                && isZero(a, 4, 14) && a[14] == 0x02 && (a[15] & 0xff) == 0x54) {
            return Optional.of("cloud metadata");
        }
        if ((a[0] & 0xfe) == 0xfc) {
            return Optional.of("unique local (fc00::/7)");
        }
        if ((a[0] & 0xff) == 0xfe && (a[1] & 0xc0) == 0x80) {
            return Optional.of("link-local (fe80::/10)");
        }
        if ((a[0] & 0xff) == 0xfe && (a[1] & 0xc0) == 0xc0) {
            return Optional.of("site-local (fec0::/10)");
        }
        if ((a[0] & 0xff) == 0xff) {
            return Optional.of("multicast (ff00::/8)");
        }
        return Optional.empty();
    }

    private static boolean isZero(byte[] a, int from, int to) {
        for (int i = from; i < to; i++) {
            if (a[i] != 0) {
                return false;
            }
        }
        return true;
    }

    private static byte[] tail4(byte[] a) {
        return new byte[] {a[12], a[13], a[14], a[15]};
    }

}
