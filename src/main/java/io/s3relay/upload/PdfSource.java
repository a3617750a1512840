package io.s3relay.upload;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Locale;

import io.s3relay.failure.NotAttemptedException;
import io.s3relay.failure.PermanentFailureException;
import io.s3relay.failure.TransientFailureException;
import org.apache.http.HttpEntity;
import org.apache.http.client.methods.CloseableHttpResponse;
import org.apache.http.client.methods.HttpGet;
import org.apache.http.client.protocol.HttpClientContext;
import org.apache.http.impl.client.CloseableHttpClient;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Reads the PDF named by a submission's {@code download_url}: {@code file:}, {@code http(s):} or
 * {@code s3://bucket/key} in the platform's own store. Remote PDFs are streamed into a temporary file, never held
 * in memory, so that their size does not matter to the heap.
 *
 * <p>{@code download_url} comes from outside, so it is distrusted: {@code file:} URLs are read only under the file
 * root, symbolic links resolved; {@code http(s):} URLs reach no internal address (see {@link SourceAddresses} and
 * {@link GuardedHttpClient}) unless their host and port are listed; every read is bounded in time
 * ({@link ReadWatchdog}); and messages name the URL without its credentials or signed query
 * ({@link DownloadUrls#redact}).
 */
public class PdfSource implements AutoCloseable {

    private final Path fileRoot;
    private final SourceHosts allowedHosts;
    private final long maxBytes;
    private final S3Client platformStore;
    private final Path tempDir;
    private final ReadWatchdog watchdog;
    private final CloseableHttpClient http;

    /**
     * @param fileRoot      {@code file:} URLs must point under it (symbolic links resolved); null refuses them
     * @param allowedHosts  the {@code http(s):} hosts and ports that may be downloaded from, internal addresses
     *                      included; when empty, any host that resolves to public addresses only
     * @param platformStore the client of the platform's own store for {@code s3://} URLs; null refuses them
     * @param idleTimeout   a download that receives no byte for this long fails (transient)
     * @param readTimeout   a download that lasts longer than this in all fails (transient)
     */
    public PdfSource(Path fileRoot, SourceHosts allowedHosts, long maxBytes, S3Client platformStore, Path tempDir,
                     Duration idleTimeout, Duration readTimeout) {
        this.fileRoot = fileRoot == null ? null : fileRoot.toAbsolutePath().normalize();
        this.allowedHosts = allowedHosts;
        this.maxBytes = maxBytes;
        this.platformStore = platformStore;
        this.tempDir = tempDir;
        this.watchdog = new ReadWatchdog(idleTimeout, readTimeout);
        this.http = GuardedHttpClient.create(idleTimeout, idleTimeout.compareTo(CONNECT_TIMEOUT) < 0 ? idleTimeout : CONNECT_TIMEOUT);
    }

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

    @Override
    public void close() throws IOException {
        try {
            http.close();
        } finally {
            watchdog.close();
        }
    }

    /** A local file holding the PDF, and whether the relay made it (and must delete it after the upload). */
    public record Pdf(Path path, long size, boolean temporary) {
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
            // the parser's message quotes the whole input: name the URL redacted instead
            throw new PermanentFailureException("download_url is not a URL: " + DownloadUrls.redact(downloadUrl));
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        String shown = DownloadUrls.redact(downloadUrl);
        return switch (scheme) {
            case "file" -> openFile(uri, shown);
            case "http", "https" -> download(uri, scheme, shown, notAbove);
            case "s3" -> fetchFromStore(uri, shown, notAbove);
            default -> throw new PermanentFailureException("download_url scheme '" + scheme
                    + "' is not supported (file, http, https, s3)");
        };
    }

    private Pdf openFile(URI uri, String shown) {
        if (fileRoot == null) {
            throw new PermanentFailureException("download_url " + shown + " is a file: URL, and s3relay.source.file-root is "
                    + "empty, which refuses them (set it to the folder PDFs are read from)");
        }
        Path path;
        try {
            path = Path.of(uri).toAbsolutePath().normalize();
        } catch (IllegalArgumentException | java.nio.file.FileSystemNotFoundException e) {
            throw new PermanentFailureException("download_url is not a usable file URL: " + shown);
        }
        Path realRoot;
        try {
            realRoot = fileRoot.toRealPath();
        } catch (IOException e) {
            throw new TransientFailureException("the file root s3relay.source.file-root (" + fileRoot + ") cannot be read: "
                    + e.getClass().getSimpleName(), e);
        }
        // the name first (so that nothing is said about files elsewhere), then where its links really lead
        if (!path.startsWith(fileRoot) && !path.startsWith(realRoot)) {
            throw outsideRoot(shown);
        }
        Path real;
        try {
            real = path.toRealPath();
        } catch (java.nio.file.NoSuchFileException e) {
            throw new PermanentFailureException("source PDF " + shown + " does not exist");
        } catch (IOException e) {
            throw new TransientFailureException("cannot read source PDF " + shown + ": " + e.getClass().getSimpleName(), e);
        }
        if (!real.startsWith(realRoot)) {
            throw outsideRoot(shown);
        }
        if (!Files.isRegularFile(real, LinkOption.NOFOLLOW_LINKS)) {
            throw new PermanentFailureException("source PDF " + shown + " does not exist");
        }
        try {
            return checked(new Pdf(real, Files.size(real), false), shown);
        } catch (IOException e) {
            throw new TransientFailureException("cannot read source PDF " + shown + ": " + e.getClass().getSimpleName(), e);
        }
    }

    private PermanentFailureException outsideRoot(String shown) {
        return new PermanentFailureException("download_url " + shown + " is outside the allowed file root "
                + "(s3relay.source.file-root; symbolic links are followed)");
    }

    private Pdf download(URI uri, String scheme, String shown, long notAbove) {
        String host = uri.getHost();
        if (host == null || host.isEmpty()) {
            throw new PermanentFailureException("download_url " + shown + " names no host");
        }
        boolean listed = allowedHosts.lists(scheme, host, uri.getPort());
        int port = uri.getPort() < 0 ? SourceHosts.defaultPort(scheme) : uri.getPort();
        if (!listed && !allowedHosts.isEmpty()) {
            throw new PermanentFailureException("download_url host " + host + " is not an allowed source host on port " + port
                    + " (s3relay.source.allowed-hosts)");
        }
        HttpGet get = new HttpGet(uri);
        HttpClientContext context = HttpClientContext.create();
        context.setAttribute(GuardedHttpClient.CHECK_ADDRESSES, !listed);
        ReadWatchdog.Watch watch = watchdog.watch(get::abort);
        try (CloseableHttpResponse response = http.execute(get, context)) {
            int status = response.getStatusLine().getStatusCode();
            if (status >= 500 || status == 429 || status == 408) {
                throw new TransientFailureException("source " + shown + " answered HTTP " + status);
            }
            if (status != 200) {
                throw new PermanentFailureException("source " + shown + " answered HTTP " + status);
            }
            HttpEntity entity = response.getEntity();
            if (entity == null) {
                throw new PermanentFailureException("source " + shown + " answered HTTP 200 without a body");
            }
            long declared = entity.getContentLength();
            if (declared > maxBytes) {
                throw tooLarge(shown, declared);
            }
            refuseAbove(notAbove, declared);
            // closing the response (not the body) drops the connection without reading what is left
            return copyToTemp(watch.track(entity.getContent()), shown);
        } catch (GuardedHttpClient.RefusedAddressException e) {
            throw new PermanentFailureException(e.getMessage());
        } catch (IOException e) {
            throw timedOut(watch, uri, shown, e);
        } finally {
            watch.close();
        }
    }

    private TransientFailureException timedOut(ReadWatchdog.Watch watch, URI uri, String shown, Exception e) {
        if (watch.expired() != null) {
            return new TransientFailureException("download of " + shown + " stopped: " + watch.expired(), e);
        }
        if (e instanceof java.net.SocketTimeoutException) {
            return new TransientFailureException("download of " + shown + " stopped: no byte for "
                    + "s3relay.source.read-idle-timeout (" + watchdog.idle().toMillis() + " ms)", e);
        }
        return new TransientFailureException("cannot download " + shown + ": " + scrub(e.toString(), uri), e);
    }

    /** A client's message about the URL, without what {@link DownloadUrls#redact} leaves out. */
    static String scrub(String text, URI uri) {
        String scrubbed = text;
        for (String secret : new String[] {uri.getRawUserInfo(), uri.getUserInfo(), uri.getRawQuery(), uri.getQuery(),
                uri.getRawFragment(), uri.getFragment()}) {
            if (secret != null && !secret.isEmpty()) {
                scrubbed = scrubbed.replace(secret, "REDACTED");
            }
        }
        return scrubbed;
    }

    private Pdf fetchFromStore(URI uri, String shown, long notAbove) {
        if (platformStore == null) {
            throw new PermanentFailureException("download_url " + shown + " is in S3, but no source store is configured (s3relay.source.*)");
        }
        String bucket = uri.getHost();
        String key = uri.getPath() == null ? "" : uri.getPath().replaceFirst("^/", "");
        ReadWatchdog.Watch watch = watchdog.watch(() -> { });
        ResponseInputStream<GetObjectResponse> body = null;
        boolean complete = false;
        try {
            body = platformStore.getObject(GetObjectRequest.builder().bucket(bucket).key(key)
                    // until the response is in; the body is the watchdog's
                    .overrideConfiguration(c -> c.apiCallTimeout(watchdog.total()))
                    .build());
            watch.abortWith(body::abort);
            Long length = body.response().contentLength();
            if (length != null && length > maxBytes) {
                throw tooLarge(shown, length);
            }
            if (length != null) {
                refuseAbove(notAbove, length);
            }
            Pdf pdf = copyToTemp(watch.track(body), shown);
            complete = true;
            return pdf;
        } catch (NoSuchKeyException e) {
            throw new PermanentFailureException("source PDF " + shown + " does not exist");
        } catch (S3Exception e) {
            if (e.statusCode() >= 500 || e.statusCode() == 429) {
                throw new TransientFailureException("source store answered " + e.statusCode() + " for " + shown, e);
            }
            throw new PermanentFailureException("source store refused " + shown + ": " + e.awsErrorDetails().errorCode(), e);
        } catch (IOException e) {
            throw timedOut(watch, uri, shown, e);
        } catch (SdkClientException e) {
            if (watch.expired() != null) {
                throw timedOut(watch, uri, shown, e);
            }
            if (e instanceof ApiCallTimeoutException) {
                throw new TransientFailureException("source store took more than s3relay.source.read-timeout ("
                        + watchdog.total().toMillis() + " ms) for " + shown, e);
            }
            throw e;
        } finally {
            watch.close();
            if (body != null) {
                if (!complete) {
                    // closing would read the rest of the object first
                    body.abort();
                }
                try {
                    body.close();
                } catch (IOException | RuntimeException ignored) {
                    // the connection is dropped either way
                }
            }
        }
    }

    private Pdf copyToTemp(InputStream body, String shown) throws IOException {
        Files.createDirectories(tempDir);
        Path temp = Files.createTempFile(tempDir, "pdf-", ".tmp");
        try {
            long size = Files.copy(new BoundedInputStream(body, maxBytes, shown), temp, StandardCopyOption.REPLACE_EXISTING);
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

    private Pdf checked(Pdf pdf, String shown) {
        if (pdf.size() > maxBytes) {
            throw tooLarge(shown, pdf.size());
        }
        return pdf;
    }

    private PermanentFailureException tooLarge(String shown, long size) {
        return new PermanentFailureException("source PDF " + shown + " is " + size + " bytes, more than s3relay.source.max-bytes ("
                + maxBytes + ")");
    }

    /** Refuses to read past the size limit even when the server did not declare a length. */
    private final class BoundedInputStream extends java.io.FilterInputStream {
        private final long limit;
        private final String shown;
        private long count;

        BoundedInputStream(InputStream in, long limit, String shown) {
            super(in);
            this.limit = limit;
            this.shown = shown;
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
                throw tooLarge(shown, count);
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
