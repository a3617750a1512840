package io.s3relay.upload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import com.sun.net.httpserver.HttpServer;
import io.s3relay.failure.NotAttemptedException;
import io.s3relay.upload.PdfSource.Pdf;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading a PDF over http(s) for an upload, with a limit on what may be fetched for a copy within its submission. */
class PdfSourceTest {

    @TempDir
    Path dir;
    HttpServer http;

    @BeforeEach
    void startServer() throws Exception {
        http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        // declares 300,000 bytes, then sends none for a while and closes: only a reader that stops at the declared
        // length comes away without an error of the transfer
        http.createContext("/declared-large.pdf", exchange -> {
            exchange.sendResponseHeaders(200, 300_000);
            try {
                Thread.sleep(2_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.close();
        });
        http.createContext("/small.pdf", exchange -> {
            byte[] body = new byte[1_000];
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        http.start();
    }

    @AfterEach
    void stopServer() {
        http.stop(0);
    }

    @Test
    void leavesAPdfDeclaredAboveTheLimitUnreadForItsJob() {
        PdfSource source = source();

        assertThatThrownBy(() -> source.open(url("/declared-large.pdf"), 200_000))
                .isInstanceOf(NotAttemptedException.class)
                .hasMessageContaining("300000 bytes is above s3relay.upload.inline-max-bytes");
    }

    @Test
    void readsAPdfWithinTheLimit() throws Exception {
        PdfSource source = source();

        Pdf pdf = source.open(url("/small.pdf"), 200_000);

        assertThat(pdf.size()).isEqualTo(1_000);
        assertThat(Files.size(pdf.path())).isEqualTo(1_000);
        PdfSource.deleteQuietly(pdf);
    }

    /** A source that may download from the test server only: it is on loopback. */
    private PdfSource source() {
        return new PdfSource(null, new SourceHosts(List.of("127.0.0.1:" + http.getAddress().getPort())), 10_000_000, null,
                dir.resolve("tmp"), Duration.ofSeconds(30), Duration.ofMinutes(10));
    }

    private String url(String path) {
        return "http://127.0.0.1:" + http.getAddress().getPort() + path;
    }
}
