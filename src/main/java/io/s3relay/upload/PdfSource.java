package io.s3relay.upload;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;

import io.s3relay.failure.NotAttemptedException;
import io.s3relay.failure.PermanentFailureException;
import io.s3relay.failure.TransientFailureException;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Reads the PDF named by a submission's {@code download_url}: {@code file:}, {@code http(s):} or
 * {@code s3://bucket/key} in the platform's own store. Remote PDFs are streamed into a temporary file, never held
 * in memory, so that their size does not matter to the heap.
 */
public class PdfSource {

    private final Path fileRoot;
    private final Set<String> allowedHosts;
    private final long maxBytes;
    private final S3Client platformStore;
    private final Path tempDir;
    private final HttpClient http = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(10))
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();

    /**
     * @param fileRoot      {@code file:} URLs must point under it; null allows any local file
     * @param allowedHosts  hosts {@code http(s):} URLs may name; empty allows any
     * @param platformStore the client of the platform's own store for {@code s3://} URLs; null refuses them
     */
    public PdfSource(Path fileRoot, Set<String> allowedHosts, long maxBytes, S3Client platformStore, Path tempDir) {
        this.fileRoot = fileRoot == null ? null : fileRoot.toAbsolutePath().normalize();
        this.allowedHosts = allowedHosts;
        this.maxBytes = maxBytes;
        this.platformStore = platformStore;
        this.tempDir = tempDir;
    }

    /** A local file holding the PDF, and whether the relay made it (and must delete it after the upload). */
    public record Pdf(Path path, long size, boolean temporary) {
    }

    public Pdf open(String downloadUrl) {
        return open(downloadUrl, Long.MAX_VALUE);
    }

    /**
     * @param notAbove a PDF of more bytes than this is refused with {@link NotAttemptedException}: a copy uploaded
     *                 within its submission leaves it to its job. One whose source declares its length is not fetched
     *                 at all, so that it is downloaded once, by the job; one that declares none is deleted again.
     */
    public Pdf open(String downloadUrl, long notAbove) {
        Pdf pdf = fetch(downloadUrl, notAbove);
        if (pdf.size() > notAbove) {
            if (pdf.temporary()) {
                deleteQuietly(pdf);
            }
            refuseAbove(notAbove, pdf.size());
        }
        return pdf;
    }

    private Pdf fetch(String downloadUrl, long notAbove) {
        URI uri;
        try {
            uri = URI.create(downloadUrl);
        } catch (IllegalArgumentException e) {
            throw new PermanentFailureException("download_url is not a URL: " + e.getMessage());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        return switch (scheme) {
            case "file" -> openFile(uri);
            case "http", "https" -> download(uri, notAbove);
            case "s3" -> fetchFromStore(uri, notAbove);
            default -> throw new PermanentFailureException("download_url scheme '" + scheme
                    + "' is not supported (file, http, https, s3)");
        };
    }

    private Pdf openFile(URI uri) {
        Path path;
        try {
            path = Path.of(uri).toAbsolutePath().normalize();
        } catch (IllegalArgumentException e) {
            throw new PermanentFailureException("download_url is not a usable file URL: " + uri);
        }
        if (fileRoot != null && !path.startsWith(fileRoot)) {
            throw new PermanentFailureException("download_url " + uri + " is outside the allowed file root");
        }
        if (!Files.isRegularFile(path)) {
            throw new PermanentFailureException("source PDF " + uri + " does not exist");
        }
        try {
            return checked(new Pdf(path, Files.size(path), false));
        } catch (IOException e) {
            throw new TransientFailureException("cannot read source PDF " + uri + ": " + e.getMessage(), e);
        }
    }

    private Pdf download(URI uri, long notAbove) {
        if (!allowedHosts.isEmpty() && !allowedHosts.contains(String.valueOf(uri.getHost()).toLowerCase(Locale.ROOT))) {
            throw new PermanentFailureException("download_url host " + uri.getHost() + " is not an allowed source host");
        }
        HttpResponse<InputStream> response;
        try {
            response = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofMinutes(5)).GET().build(),
                    HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            throw new TransientFailureException("cannot download " + uri + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TransientFailureException("interrupted while downloading " + uri, e);
        }
        int status = response.statusCode();
        try (InputStream body = response.body()) {
            if (status >= 500 || status == 429 || status == 408) {
                throw new TransientFailureException("source " + uri + " answered HTTP " + status);
            }
            if (status != 200) {
                throw new PermanentFailureException("source " + uri + " answered HTTP " + status);
            }
            long declared = response.headers().firstValueAsLong("Content-Length").orElse(-1);
            if (declared > maxBytes) {
                throw tooLarge(uri, declared);
            }
            refuseAbove(notAbove, declared);
            return copyToTemp(body, uri);
        } catch (IOException e) {
            throw new TransientFailureException("cannot download " + uri + ": " + e, e);
        }
    }

    private Pdf fetchFromStore(URI uri, long notAbove) {
        if (platformStore == null) {
            throw new PermanentFailureException("download_url " + uri + " is in S3, but no source store is configured (s3relay.source.*)");
        }
        String bucket = uri.getHost();
        String key = uri.getPath() == null ? "" : uri.getPath().replaceFirst("^/", "");
        try (ResponseInputStream<GetObjectResponse> body = platformStore.getObject(
                GetObjectRequest.builder().bucket(bucket).key(key).build())) {
            Long length = body.response().contentLength();
            if (length != null && length > maxBytes) {
                throw tooLarge(uri, length);
            }
            if (length != null) {
                refuseAbove(notAbove, length);
            }
            return copyToTemp(body, uri);
        } catch (NoSuchKeyException e) {
            throw new PermanentFailureException("source PDF " + uri + " does not exist");
        } catch (S3Exception e) {
            if (e.statusCode() >= 500 || e.statusCode() == 429) {
                throw new TransientFailureException("source store answered " + e.statusCode() + " for " + uri, e);
            }
            throw new PermanentFailureException("source store refused " + uri + ": " + e.awsErrorDetails().errorCode(), e);
        } catch (IOException e) {
            throw new TransientFailureException("cannot read " + uri + ": " + e.getMessage(), e);
        }
    }

    private Pdf copyToTemp(InputStream body, URI uri) throws IOException {
        Files.createDirectories(tempDir);
        Path temp = Files.createTempFile(tempDir, "pdf-", ".tmp");
        try {
            long size = Files.copy(new BoundedInputStream(body, maxBytes, uri), temp, StandardCopyOption.REPLACE_EXISTING);
            return new Pdf(temp, size, true);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
    }

    private static void refuseAbove(long notAbove, long size) {
        if (size > notAbove) {
            throw new NotAttemptedException("a PDF of " + size + " bytes is above s3relay.upload.inline-max-bytes", 0);
        }
    }

    private Pdf checked(Pdf pdf) {
        if (pdf.size() > maxBytes) {
            throw tooLarge(pdf.path().toUri(), pdf.size());
        }
        return pdf;
    }

    private PermanentFailureException tooLarge(URI uri, long size) {
        return new PermanentFailureException("source PDF " + uri + " is " + size + " bytes, more than s3relay.source.max-bytes ("
                + maxBytes + ")");
    }

    /** Refuses to read past the size limit even when the server did not declare a length. */
    private final class BoundedInputStream extends java.io.FilterInputStream {
        private final long limit;
        private final URI uri;
        private long count;

        BoundedInputStream(InputStream in, long limit, URI uri) {
            super(in);
            this.limit = limit;
            this.uri = uri;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count(1);
            }
            return b;
        }

        @Override
        public int read(byte[] buf, int off, int len) throws IOException {
            int n = super.read(buf, off, len);
            if (n > 0) {
                count(n);
            }
            return n;
        }

        private void count(int n) {
            count += n;
            if (count > limit) {
                throw tooLarge(uri, count);
            }
        }
    }

    public static void deleteQuietly(Pdf pdf) {
        if (pdf != null && pdf.temporary()) {
            try {
                Files.deleteIfExists(pdf.path());
            } catch (IOException ignored) {
                // a temp file left behind is harmless; the next start does not depend on it
            }
        }
    }

}
