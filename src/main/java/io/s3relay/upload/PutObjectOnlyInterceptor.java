package io.s3relay.upload;

import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.http.SdkHttpResponse;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Customers grant PutObject and nothing else, so a customer's client never sends anything else. Any other
 * call (the HeadBucket that the aws2-s3 endpoint makes when it starts, say) is answered here with a 403,
 * exactly what the customer's bucket would answer, without a request leaving the relay.
 */
public class PutObjectOnlyInterceptor implements ExecutionInterceptor {

    @Override
    public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
        if (!(context.request() instanceof PutObjectRequest)) {
            String operation = attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME);
            throw S3Exception.builder()
                    .statusCode(403)
                    .message("s3-relay only calls PutObject on customer buckets; " + operation + " was not sent")
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
