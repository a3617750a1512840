package io.s3relay.support;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.blobstore.ForwardingBlobStore;
import org.gaul.s3proxy.blobstore.domain.Blob;
import org.gaul.s3proxy.blobstore.domain.BlobMetadata;
import org.gaul.s3proxy.blobstore.options.CreateContainerOptions;
import org.gaul.s3proxy.blobstore.options.GetOptions;
import org.gaul.s3proxy.blobstore.options.ListContainerOptions;
import org.gaul.s3proxy.blobstore.options.PutOptions;

/** The S3 server's storage, recording which S3 operations reached the server (HeadBucket, PutObject...). */
public class RecordingBlobStore extends ForwardingBlobStore {

    private final List<String> operations = new CopyOnWriteArrayList<>();

    public RecordingBlobStore(BlobStore delegate) {
        super(delegate);
    }

    public List<String> operations() {
        return List.copyOf(operations);
    }

    @Override
    public boolean containerExists(String container) {
        operations.add("HeadBucket " + container);
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
        operations.add("PutObject " + container);
        return super.putBlob(container, blob, options);
    }

    @Override
    public Blob getBlob(String container, String name, GetOptions options) {
        operations.add("GetObject " + container);
        return super.getBlob(container, name, options);
    }

    @Override
    public BlobMetadata blobMetadata(String container, String name) {
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
