package io.s3relay.upload;

import java.util.concurrent.atomic.AtomicLong;

import io.s3relay.config.UploadTargets;
import org.apache.camel.CamelContext;
import org.apache.camel.Endpoint;
import org.apache.camel.component.aws2.s3.AWS2S3Component;
import org.apache.camel.component.aws2.s3.AWS2S3Configuration;
import org.apache.camel.component.aws2.s3.AWS2S3Endpoint;
import org.apache.camel.support.service.ServiceHelper;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The aws2-s3 endpoints of the upload route, built as objects with the bucket and client set as values and bound in
 * Camel's registry, where the route finds them with {@code ref:} under a name of the relay's own
 * ({@code s3relay-put-7}, {@code s3relay-multipart-7}). A customer's bucket name never passes through an endpoint
 * URI, so it can never be read as a Camel placeholder or as an endpoint option.
 */
public class Aws2S3UploadTargets implements UploadTargets {

    private final CamelContext context;
    private final long partSize;
    private final AtomicLong sequence = new AtomicLong();

    public Aws2S3UploadTargets(CamelContext context, long partSize) {
        this.context = context;
        this.partSize = partSize;
    }

    @Override
    public Target bind(String bucket, S3Client client) {
        long n = sequence.incrementAndGet();
        Target target = new Target("s3relay-put-" + n, "s3relay-multipart-" + n);
        context.getRegistry().bind(target.putObject(), Endpoint.class, endpoint(bucket, client, false));
        context.getRegistry().bind(target.multipart(), Endpoint.class, endpoint(bucket, client, true));
        return target;
    }

    @Override
    public void unbind(Target target) {
        for (String name : new String[] {target.putObject(), target.multipart()}) {
            Endpoint endpoint = context.getRegistry().lookupByNameAndType(name, Endpoint.class);
            context.getRegistry().unbind(name);
            if (endpoint != null) {
                try {
                    context.removeEndpoint(endpoint);
                } catch (Exception e) {
                    ServiceHelper.stopAndShutdownService(endpoint);
                }
            }
        }
    }

    private Endpoint endpoint(String bucket, S3Client client, boolean multipart) {
        AWS2S3Configuration configuration = new AWS2S3Configuration();
        configuration.setBucketName(bucket);
        configuration.setAmazonS3Client(client);
        configuration.setAutoCreateBucket(false);
        configuration.setMultiPartUpload(multipart);
        configuration.setPartSize(partSize);
        AWS2S3Component component = context.getComponent("aws2-s3", AWS2S3Component.class);
        AWS2S3Endpoint endpoint = new AWS2S3Endpoint("aws2-s3://" + bucket, component, configuration);
        endpoint.setCamelContext(context);
        // started here, with its client: an endpoint that the route first uses while Camel is still starting is then
        // ready all the same (its HeadBucket is refused locally by PutObjectOnlyInterceptor, as for any endpoint)
        ServiceHelper.startService(endpoint);
        return endpoint;
    }
}
