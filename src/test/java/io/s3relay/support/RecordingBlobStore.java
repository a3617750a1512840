package io.s3relay.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import com.google.common.hash.HashCode;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.blobstore.ForwardingBlobStore;
import org.gaul.s3proxy.blobstore.HttpResponse;
import org.gaul.s3proxy.blobstore.HttpResponseException;
import org.gaul.s3proxy.blobstore.domain.Blob;
import org.gaul.s3proxy.blobstore.domain.BlobMetadata;
import org.gaul.s3proxy.blobstore.domain.MultipartPart;
import org.gaul.s3proxy.blobstore.domain.MultipartUpload;
import org.gaul.s3proxy.blobstore.options.CreateContainerOptions;
import org.gaul.s3proxy.blobstore.options.GetOptions;
import org.gaul.s3proxy.blobstore.options.ListContainerOptions;
import org.gaul.s3proxy.blobstore.options.PutOptions;

/**
 * The S3 server's storage, recording which S3 operations reached the server (HeadBucket, PutObject,
 * CreateMultipartUpload...), and answering some of them with an HTTP error when a test asks it to.
 */
public class RecordingBlobStore extends ForwardingBlobStore {

    private final List<String> operations = new CopyOnWriteArrayList<>();
    private final Map<String, Refusal> refusals = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> putsPerKey = new ConcurrentHashMap<>();
    private volatile long putDelayMillis;
    private final Map<String, Long> bucketDelays = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> putsNow = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> mostPutsAtOnce = new ConcurrentHashMap<>();

    private record Refusal(int status, AtomicInteger remaining) {
    }

    /**
     * s3proxy keeps a stub object per multipart upload and reads it while handling UploadPart and
     * CompleteMultipartUpload (and lists the parts itself on completion): its own bookkeeping, not calls a client made.
     */
    private static boolean bookkeeping(String name) {
        return name != null && name.startsWith(".s3proxy-mpu-stub-");
    }

    public RecordingBlobStore(BlobStore delegate) {
        super(delegate);
    }

    public List<String> operations() {
        return List.copyOf(operations);
    }

    /**
     * The next {@code times} calls of an operation (as recorded: "UploadPart", "AbortMultipartUpload"...) are
     * answered with this HTTP status by the server (403 as AccessDenied); they are still recorded.
     */
    public void refuse(String operation, int status, int times) {
        refusals.put(operation, new Refusal(status, new AtomicInteger(times)));
    }

    /** How many PutObject calls reached the server for one key (0 if none). */
    public int putsOf(String container, String key) {
        AtomicInteger puts = putsPerKey.get(container + "/" + key);
        return puts == null ? 0 : puts.get();
    }

    /** Keys that more than one PutObject call reached: copies done twice. */
    public long keysPutMoreThanOnce() {
        return putsPerKey.values().stream().filter(p -> p.get() > 1).count();
    }

    /** Each PutObject from now on takes this much longer: a slow bucket, so that work is in flight when a test acts. */
    public void delayPuts(java.time.Duration delay) {
        putDelayMillis = delay.toMillis();
    }

    /** Each PutObject into one bucket from now on takes this much longer: that tenant's bucket is slow or stalls. */
    public void delayPutsTo(String container, java.time.Duration delay) {
        bucketDelays.put(container, delay.toMillis());
    }

    /** PutObject calls into the bucket in progress now. */
    public int putsInFlight(String container) {
        AtomicInteger now = putsNow.get(container);
        return now == null ? 0 : now.get();
    }

    /** The most PutObject calls into the bucket that were in progress at once. */
    public int mostPutsAtOnce(String container) {
        AtomicInteger most = mostPutsAtOnce.get(container);
        return most == null ? 0 : most.get();
    }

    private void record(String operation, String container) {
        operations.add(operation + " " + container);
        Refusal refusal = refusals.get(operation);
        if (refusal != null && refusal.remaining().getAndDecrement() > 0) {
            throw new HttpResponseException(operation + " refused by the test", new HttpResponse(refusal.status()));
        }
    }

    /** Reads a request body that will be refused, so that the client gets the answer rather than a broken pipe. */
    private static void drain(InputStream in) {
        try {
            in.transferTo(java.io.OutputStream.nullOutputStream());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public MultipartUpload initiateMultipartUpload(String container, BlobMetadata blobMetadata, PutOptions options) {
        record("CreateMultipartUpload", container);
        return super.initiateMultipartUpload(container, blobMetadata, options);
    }

    @Override
    public MultipartPart uploadMultipartPart(MultipartUpload upload, int partNumber, InputStream payload, long length,
                                             HashCode md5) {
        Refusal refusal = refusals.get("UploadPart");
        if (refusal != null && refusal.remaining().get() > 0) {
            drain(payload);
        }
        record("UploadPart", upload.containerName());
        return super.uploadMultipartPart(upload, partNumber, payload, length, md5);
    }

    @Override
    public String completeMultipartUpload(MultipartUpload upload, List<MultipartPart> parts) {
        record("CompleteMultipartUpload", upload.containerName());
        return super.completeMultipartUpload(upload, parts);
    }

    @Override
    public void abortMultipartUpload(MultipartUpload upload) {
        record("AbortMultipartUpload", upload.containerName());
        super.abortMultipartUpload(upload);
    }

    @Override
    public boolean containerExists(String container) {
        record("HeadBucket", container);
        return super.containerExists(container);
    }

    @Override
    public boolean createContainer(String container, CreateContainerOptions options) {
        operations.add("CreateBucket " + container);
        return super.createContainer(container, options);
    }

    @Override
    public org.gaul.s3proxy.blobstore.domain.PageSet<? extends org.gaul.s3proxy.blobstore.domain.StorageMetadata> list(
            String container, ListContainerOptions options) {
        operations.add("ListObjects " + container);
        return super.list(container, options);
    }

    @Override
    public String putBlob(String container, Blob blob, PutOptions options) {
        if (bookkeeping(blob.getMetadata().name())) {
            return super.putBlob(container, blob, options);
        }
        record("PutObject", container);
        AtomicInteger now = putsNow.computeIfAbsent(container, c -> new AtomicInteger());
        mostPutsAtOnce.computeIfAbsent(container, c -> new AtomicInteger()).accumulateAndGet(now.incrementAndGet(), Math::max);
        String stored;
        try {
            long delay = Math.max(putDelayMillis, bucketDelays.getOrDefault(container, 0L));
            if (delay > 0) {
                try {
                    Thread.sleep(delay);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            stored = super.putBlob(container, blob, options);
        } finally {
            now.decrementAndGet();
        }
        putsPerKey.computeIfAbsent(container + "/" + blob.getMetadata().name(), k -> new AtomicInteger()).incrementAndGet();
        return stored;
    }

    @Override
    public Blob getBlob(String container, String name, GetOptions options) {
        operations.add("GetObject " + container);
        return super.getBlob(container, name, options);
    }

    @Override
    public BlobMetadata blobMetadata(String container, String name) {
        if (bookkeeping(name)) {
            return super.blobMetadata(container, name);
        }
        operations.add("HeadObject " + container);
        return super.blobMetadata(container, name);
    }

    /** Reads an object without recording it: the test looking, not the relay. */
    public byte[] read(String container, String key) {
        Blob blob = delegate().getBlob(container, key, GetOptions.NONE);
        if (blob == null) {
            return null;
        }
        try (var in = blob.getPayload()) {
            return in.readAllBytes();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
