package io.s3relay.upload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;

/** The rules behind the download checks: which addresses are internal, what an allowed-hosts entry matches. */
class DownloadRulesTest {

    @Test
    void refusesEveryInternalRangeInAnyOfItsForms() throws Exception {
        for (String literal : List.of("127.0.0.1", "127.255.0.9", "0.0.0.0", "0.1.2.3", "10.0.0.1", "10.255.255.255",
                "172.16.0.1", "172.31.255.254", "192.168.0.1", "169.254.0.1", "169.254.169.254", "100.64.0.1",
                "100.127.255.254", "224.0.0.1", "239.255.255.250", "240.0.0.1", "255.255.255.255",
                "::", "::1", "::ffff:127.0.0.1", "::ffff:10.1.2.3", "::ffff:169.254.169.254", "::127.0.0.1",
                "64:ff9b::a9fe:a9fe", "64:ff9b::c0a8:0101", "fc00::1", "fd12:3456::1", "fd00:ec2::254", "fe80::1",
                "febf::1", "fec0::1", "ff02::1")) {
            assertThat(SourceAddresses.refusal(java.net.InetAddress.getByName(literal))).as(literal).isPresent();
        }
        assertThat(SourceAddresses.refusal(java.net.InetAddress.getByName("169.254.169.254"))).contains("cloud metadata");
        assertThat(SourceAddresses.refusal(java.net.InetAddress.getByName("::ffff:169.254.169.254"))).hasValueSatisfying(r -> assertThat(r).contains("cloud metadata"));
        assertThat(SourceAddresses.refusal(java.net.InetAddress.getByName("fd00:ec2::254"))).contains("cloud metadata");
        assertThat(SourceAddresses.refusal(java.net.InetAddress.getByName("100.64.0.1"))).contains("carrier-grade NAT (100.64.0.0/10)");
    }

    @Test
    void letsPublicAddressesThrough() throws Exception {
        for (String literal : List.of("1.1.1.1", "8.8.8.8", "52.216.0.1", "172.15.255.255", "172.32.0.1", "192.169.0.1",
                "100.63.255.255", "100.128.0.1", "169.253.0.1", "223.255.255.255", "2606:4700:4700::1111",
                "2a00:1450:4001::200e", "64:ff9b::808:808", "::ffff:8.8.8.8")) {
            assertThat(SourceAddresses.refusal(java.net.InetAddress.getByName(literal))).as(literal).isEmpty();
        }
    }

    @Test
    void matchesAllowedHostsByHostAndPort() {
        SourceHosts hosts = new SourceHosts(List.of("pdfs.example.com", "Files.Example.com:8443", "127.0.0.1:9000", "[::1]:9001"));

        assertThat(hosts.lists("https", "pdfs.example.com", -1)).isTrue();
        assertThat(hosts.lists("https", "PDFS.example.com", 443)).isTrue();
        assertThat(hosts.lists("http", "pdfs.example.com", -1)).isTrue();
        assertThat(hosts.lists("https", "pdfs.example.com", 8443)).isFalse();
        assertThat(hosts.lists("http", "pdfs.example.com", 443)).isFalse();
        assertThat(hosts.lists("https", "files.example.com", 8443)).isTrue();
        assertThat(hosts.lists("https", "files.example.com", -1)).isFalse();
        assertThat(hosts.lists("http", "127.0.0.1", 9000)).isTrue();
        assertThat(hosts.lists("http", "127.0.0.1", 9001)).isFalse();
        assertThat(hosts.lists("http", "localhost", 9000)).isFalse();
        assertThat(hosts.lists("http", "[::1]", 9001)).isTrue();
        assertThat(new SourceHosts(List.of()).isEmpty()).isTrue();
        assertThatThrownBy(() -> new SourceHosts(List.of("host:port"))).hasMessageContaining("no valid port");
        assertThatThrownBy(() -> new SourceHosts(List.of("::1"))).hasMessageContaining("in brackets");
        assertThatThrownBy(() -> new SourceHosts(List.of("http://host/"))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void redactsUserInfoAndQueryValues() {
        assertThat(DownloadUrls.redact("https://bucket.s3.amazonaws.com/a/b.pdf?X-Amz-Algorithm=AWS4-HMAC-SHA256"
                + "&X-Amz-Credential=AKIAEXAMPLE%2F20240101&X-Amz-Signature=abcdef"))
                .isEqualTo("https://bucket.s3.amazonaws.com/a/b.pdf?X-Amz-Algorithm=REDACTED&X-Amz-Credential=REDACTED"
                        + "&X-Amz-Signature=REDACTED");
        assertThat(DownloadUrls.redact("http://user:p@ss@host:8080/x.pdf#frag")).isEqualTo("http://REDACTED@host:8080/x.pdf#REDACTED");
        assertThat(DownloadUrls.redact("http://user:pw@bad host/x.pdf?secret")).isEqualTo("http://REDACTED@bad host/x.pdf?REDACTED");
        assertThat(DownloadUrls.redact("https://host/path/x.pdf")).isEqualTo("https://host/path/x.pdf");
        assertThat(DownloadUrls.redact("file:///data/samples/x.pdf")).isEqualTo("file:///data/samples/x.pdf");
        assertThat(DownloadUrls.redact("https://host/p?a@b=c")).isEqualTo("https://host/p?a@b=REDACTED");
    }
}
