package io.s3relay.upload;

import io.s3relay.config.ObjectOptions;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.s3.model.AbortMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;

/**
 * Puts an integration's object options on every upload call of its client, so that a single PutObject, a multipart
 * upload and check-integration's test object carry the same ones, whatever the caller set:
 * <ul>
 *   <li>PutObject and CreateMultipartUpload: encryption and KMS key, storage class, canned ACL, tags;</li>
 *   <li>PutObject and CompleteMultipartUpload: {@code If-None-Match: *} when the integration never overwrites
 *       (S3 checks it where the object comes into being);</li>
 *   <li>every call: the expected bucket owner.</li>
 * </ul>
 * Tags may differ per upload (their values are templates), and the aws2-s3 producer passes no tags to PutObject or
 * CreateMultipartUpload (nor user metadata to the latter). The caller renders them as S3's tagging query string and
 * announces them for one object with {@link #tagNext} on the thread that then makes the call (the customer's client
 * is synchronous: its interceptors run on the caller's thread), and withdraws them with {@link #clearTags} when the
 * upload ends. They are put only on a request for that very bucket and key, so tags can never reach another object.
 */
public class ObjectOptionsInterceptor implements ExecutionInterceptor {

    private record PendingTags(String bucket, String key, String tagging) {
    }

    private static final ThreadLocal<PendingTags> TAGS = new ThreadLocal<>();

    /** The tags ({@code k=v&...}) of the object {@code bucket/key} that this thread uploads next. */
    public static void tagNext(String bucket, String key, String tagging) {
        if (tagging == null) {
            TAGS.remove();
        } else {
            TAGS.set(new PendingTags(bucket, key, tagging));
        }
    }

    /** The upload of this thread has ended. */
    public static void clearTags() {
        TAGS.remove();
    }

    private static String tagsFor(String bucket, String key) {
        PendingTags pending = TAGS.get();
        return pending != null && pending.bucket().equals(bucket) && pending.key().equals(key) ? pending.tagging() : null;
    }

    private final ObjectOptions options;

    public ObjectOptionsInterceptor(ObjectOptions options) {
        this.options = options;
    }

    @Override
    public SdkRequest modifyRequest(Context.ModifyRequest context, ExecutionAttributes attributes) {
        SdkRequest request = context.request();
        if (request instanceof PutObjectRequest put) {
            PutObjectRequest.Builder b = put.toBuilder();
            if (options.serverSideEncryption() != null) {
                b.serverSideEncryption(options.serverSideEncryption()).ssekmsKeyId(options.kmsKeyId());
            }
            if (options.storageClass() != null) {
                b.storageClass(options.storageClass());
            }
            if (options.acl() != null) {
                b.acl(options.acl());
            }
            if (!options.overwrite()) {
                b.ifNoneMatch("*");
            }
            String tagging = tagsFor(put.bucket(), put.key());
            if (tagging != null) {
                b.tagging(tagging);
            }
            return b.expectedBucketOwner(options.expectedBucketOwner()).build();
        }
        if (request instanceof CreateMultipartUploadRequest create) {
            CreateMultipartUploadRequest.Builder b = create.toBuilder();
            if (options.serverSideEncryption() != null) {
                b.serverSideEncryption(options.serverSideEncryption()).ssekmsKeyId(options.kmsKeyId());
            }
            if (options.storageClass() != null) {
                b.storageClass(options.storageClass());
            }
            if (options.acl() != null) {
                b.acl(options.acl());
            }
            String tagging = tagsFor(create.bucket(), create.key());
            if (tagging != null) {
                b.tagging(tagging);
            }
            return b.expectedBucketOwner(options.expectedBucketOwner()).build();
        }
        if (request instanceof CompleteMultipartUploadRequest complete) {
            CompleteMultipartUploadRequest.Builder b = complete.toBuilder();
            if (!options.overwrite()) {
                b.ifNoneMatch("*");
            }
            return b.expectedBucketOwner(options.expectedBucketOwner()).build();
        }
        if (request instanceof UploadPartRequest part && options.expectedBucketOwner() != null) {
            return part.toBuilder().expectedBucketOwner(options.expectedBucketOwner()).build();
        }
        if (request instanceof AbortMultipartUploadRequest abort && options.expectedBucketOwner() != null) {
            return abort.toBuilder().expectedBucketOwner(options.expectedBucketOwner()).build();
        }
        return request;
    }
}
