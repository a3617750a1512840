package io.s3relay.upload;

import java.util.LinkedHashMap;
import java.util.Map;

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
 * Tags may differ per upload (their values are templates): the caller renders them as S3's tagging query string
 * and hands them over inside the request itself, as the user metadata entry {@link #TAGGING_METADATA}, which this
 * interceptor takes out again, so it is never stored as metadata.
 */
public class ObjectOptionsInterceptor implements ExecutionInterceptor {

    /** The user metadata entry that carries an upload's rendered tags to this interceptor. */
    public static final String TAGGING_METADATA = "s3relay-tagging";

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
            String tagging = tagging(put.metadata());
            if (tagging != null) {
                b.metadata(withoutTagging(put.metadata())).tagging(tagging);
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
            String tagging = tagging(create.metadata());
            if (tagging != null) {
                b.metadata(withoutTagging(create.metadata())).tagging(tagging);
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

    private static String tagging(Map<String, String> metadata) {
        String tagging = metadata == null ? null : metadata.get(TAGGING_METADATA);
        return tagging == null || tagging.isEmpty() ? null : tagging;
    }

    private static Map<String, String> withoutTagging(Map<String, String> metadata) {
        if (metadata == null || !metadata.containsKey(TAGGING_METADATA)) {
            return metadata;
        }
        Map<String, String> rest = new LinkedHashMap<>(metadata);
        rest.remove(TAGGING_METADATA);
        return rest;
    }
}
