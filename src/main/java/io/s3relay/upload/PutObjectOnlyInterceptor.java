package io.s3relay.upload;

import java.util.Set;

import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.http.SdkHttpResponse;
import software.amazon.awssdk.services.s3.model.AbortMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;

/**
 * Customers grant {@code s3:PutObject} and nothing else, so a customer's client sends only the calls that this
 * permission covers: PutObject for a PDF below {@code s3relay.upload.multipart-threshold}, and for a larger one
 * CreateMultipartUpload, UploadPart and CompleteMultipartUpload (IAM authorises all three with
 * {@code s3:PutObject}). AbortMultipartUpload, sent when a multipart upload fails, needs
 * {@code s3:AbortMultipartUpload}: it is let through, and a refusal is tolerated (see
 * {@link BestEffortAbortS3Client}).
 * <p>
 * Any other call (the HeadBucket that the aws2-s3 endpoint makes when it starts, ListParts, GetObject...) is
 * answered here with a 403, exactly what the customer's bucket would answer, without a request leaving the relay.
 */
public class PutObjectOnlyInterceptor implements ExecutionInterceptor {

    /** The requests a customer's client sends; every other one is refused locally. */
    static final Set<Class<? extends SdkRequest>> SENT = Set.of(PutObjectRequest.class,
            CreateMultipartUploadRequest.class, UploadPartRequest.class, CompleteMultipartUploadRequest.class,
            AbortMultipartUploadRequest.class);

    @Override
    public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
        if (!SENT.contains(context.request().getClass())) {
            String operation = attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME);
            throw S3Exception.builder()
                    .statusCode(403)
                    .message("s3-relay only uploads to customer buckets (PutObject, or a multipart upload); "
                            + operation + " was not sent")
                    .awsErrorDetails(AwsErrorDetails.builder()
                            .errorCode("AccessDenied")
                            .serviceName("S3")
                            .errorMessage(operation + " is not sent to customer buckets")
                            .sdkHttpResponse(SdkHttpResponse.builder().statusCode(403).build())
                            .build())
                    .build();
        }
    }
}
