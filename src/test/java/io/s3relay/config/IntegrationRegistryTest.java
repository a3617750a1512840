package io.s3relay.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.stream.Stream;

import io.s3relay.keys.PathTemplateRenderer;
import io.s3relay.upload.S3ClientFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading and reloading the integrations file: the last good configuration stays in force. */
class IntegrationRegistryTest {

    @TempDir
    Path dir;

    private Path file;
    private IntegrationRegistry registry;
    private final List<String> boundClients = new ArrayList<>();
    private final List<String> boundBuckets = new ArrayList<>();
    private final List<UploadTargets.Target> unbound = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** Records what the registry binds and unbinds, as Camel's registry would hold it. */
    private final UploadTargets targets = new UploadTargets() {
        @Override
        public Target bind(String bucket, software.amazon.awssdk.services.s3.S3Client client) {
            if (!boundClients.contains(client.toString() + System.identityHashCode(client))) {
                boundClients.add(client.toString() + System.identityHashCode(client));
            }
            boundBuckets.add(bucket);
            return new Target("put-" + boundBuckets.size(), "multipart-" + boundBuckets.size());
        }

        @Override
        public void unbind(Target target) {
            unbound.add(target);
        }
    };

    @BeforeEach
    void create() {
        file = dir.resolve("integrations.yaml");
        registry = new IntegrationRegistry(file, new IntegrationsFile(Map.of("ACME_SECRET", "from-env")::get),
                new PathTemplateRenderer(), new S3ClientFactory(Duration.ofSeconds(5), 2, null), targets, 50,
                Executors.newSingleThreadScheduledExecutor());
    }

    @AfterEach
    void close() {
        registry.close();
    }

    @Test
    void loadsIntegrationsByAccountWithSecretsFromTheEnvironment() throws Exception {
        write(integration("int_1", "acc_1", "{{ submission_id }}.pdf", "${env:ACME_SECRET}")
                + integration("int_2", "acc_1", "copies/{{ submission_id }}.pdf", "literal"));
        registry.reload();
        assertThat(registry.forAccount("acc_1")).extracting(ActiveIntegration::id).containsExactly("int_1", "int_2");
        assertThat(registry.get("int_1").settings().secretAccessKey()).isEqualTo("from-env");
        assertThat(registry.get("int_1").toString()).doesNotContain("from-env");
        assertThat(registry.forAccount("acc_other")).isEmpty();
    }

    @Test
    void takesASecretFromTheEnvironmentAsItIsBracesAndAll() {
        // ${env:NAME} is resolved here, not by Camel's properties: Camel would resolve the {{...}} inside the value,
        // and quote the whole value in its error when one of them is unknown
        String secret = "a{{env:PATH}}b{{no.such.setting}}c";
        IntegrationsFile.Contents contents = new IntegrationsFile(Map.of("BRACED", secret)::get).parse(
                "integrations:\n" + integration("int_1", "acc_1", "{{ submission_id }}.pdf", "${env:BRACED}"), "test");
        assertThat(contents.problems()).isEmpty();
        assertThat(contents.integrations().get("int_1").secretAccessKey()).isEqualTo(secret);
    }

    @Test
    void reportsATemplateTypoAndKeepsTheLastGoodVersionInForce() throws Exception {
        write(integration("int_1", "acc_1", "good/{{ submission_id }}.pdf", "s"));
        registry.reload();
        write(integration("int_1", "acc_1", "bad/{{ submision_id }}.pdf", "s"));
        registry.reload();
        assertThat(registry.get("int_1").pathTemplate().source()).isEqualTo("good/{{ submission_id }}.pdf");
        assertThat(registry.problem("int_1")).contains("path_template")
                .contains("unknown variable 'submision_id' (did you mean 'submission_id'?)");
    }

    @Test
    void keepsTheWholeConfigurationWhenTheFileDoesNotParse() throws Exception {
        write(integration("int_1", "acc_1", "{{ submission_id }}.pdf", "s"));
        registry.reload();
        Files.writeString(file, "integrations: [ { id: broken");
        registry.reload();
        assertThat(registry.get("int_1")).isNotNull();
    }

    @Test
    void rejectsOneBrokenIntegrationAndKeepsTheOthers() throws Exception {
        write(integration("int_ok", "acc_1", "{{ submission_id }}.pdf", "s")
                + integration("int_missing_env", "acc_1", "{{ submission_id }}.pdf", "${env:NOT_SET}")
                + "  - id: int_no_bucket\n    account_id: acc_1\n");
        registry.reload();
        assertThat(registry.all()).containsOnlyKeys("int_ok");
        assertThat(registry.problem("int_missing_env")).contains("NOT_SET");
        assertThat(registry.problem("int_no_bucket")).contains("bucket").contains("missing");
    }

    @Test
    void buildsOneClientPerConnectionAndKeepsItWhenOnlyTheTemplateChanges() throws Exception {
        write(integration("int_1", "acc_1", "a/{{ submission_id }}.pdf", "s"));
        registry.reload();
        var first = registry.get("int_1").client();
        write(integration("int_1", "acc_1", "b/{{ submission_id }}.pdf", "s"));
        registry.reload();
        assertThat(registry.get("int_1").client()).isSameAs(first);
        write(integration("int_1", "acc_1", "b/{{ submission_id }}.pdf", "rotated"));
        registry.reload();
        assertThat(registry.get("int_1").client()).isNotSameAs(first);
        assertThat(boundClients).hasSize(2);
    }

    @Test
    void takesAReplacedTargetOutOfTheRegistryAfterItsGracePeriod() throws Exception {
        write(integration("int_1", "acc_1", "a/{{ submission_id }}.pdf", "s"));
        registry.reload();
        var first = registry.get("int_1").target();
        write(integration("int_1", "acc_1", "a/{{ submission_id }}.pdf", "s").replace("bucket-b", "bucket-c"));
        registry.reload();
        assertThat(registry.get("int_1").target()).isNotEqualTo(first);
        assertThat(boundBuckets).containsExactly("bucket-b", "bucket-c");
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> unbound.contains(first));
        assertThat(unbound).containsExactly(first);
    }

    @Test
    void rejectsABucketNameThatBreaksS3sRulesWithoutRepeatingIt() throws Exception {
        write(integration("int_ok", "acc_1", "{{ submission_id }}.pdf", "s")
                + integration("int_placeholder", "acc_1", "{{ submission_id }}.pdf", "s")
                        .replace("bucket-b", "\"leak-{{env:SOME_SECRET}}\"")
                + integration("int_option", "acc_1", "{{ submission_id }}.pdf", "s")
                        .replace("bucket-b", "\"bucket-x?useDefaultCredentialsProvider=true\"")
                + integration("int_upper", "acc_1", "{{ submission_id }}.pdf", "s").replace("bucket-b", "My_Bucket"));
        registry.reload();
        assertThat(registry.all()).containsOnlyKeys("int_ok");
        assertThat(Stream.of("int_placeholder", "int_option", "int_upper").map(registry::problem))
                .allSatisfy(problem -> assertThat(problem)
                .startsWith("bucket is not a valid S3 bucket name: ")
                .doesNotContain("SOME_SECRET").doesNotContain("useDefaultCredentialsProvider"));
        assertThat(registry.problem("int_upper")).contains("only lowercase letters, digits, dots and hyphens");
    }

    @Test
    void rereadsTheFileOnlyWhenItChanged() throws Exception {
        write(integration("int_1", "acc_1", "{{ submission_id }}.pdf", "s"));
        registry.start();
        ActiveIntegration first = registry.get("int_1");
        registry.reloadIfChanged();
        assertThat(registry.get("int_1")).as("an unchanged file is not read again").isSameAs(first);

        write(integration("int_1", "acc_1", "{{ submission_id }}.pdf", "s") + integration("int_2", "acc_2", "{{ submission_id }}.pdf", "s"));
        registry.reloadIfChanged();
        assertThat(registry.get("int_2")).isNotNull();
    }

    @Test
    void aCheckThatFailedLeavesTheNextOneWorking() throws Exception {
        java.util.concurrent.atomic.AtomicInteger exploded = new java.util.concurrent.atomic.AtomicInteger();
        IntegrationsFile exploding = new IntegrationsFile(Map.<String, String>of()::get) {
            @Override
            public Contents read(Path path) {
                Contents contents = super.read(path);
                if (contents.integrations().containsKey("int_explodes")) {
                    exploded.incrementAndGet();
                    throw new StackOverflowError();
                }
                return contents;
            }
        };
        registry.close();
        registry = new IntegrationRegistry(file, exploding, new PathTemplateRenderer(),
                new S3ClientFactory(Duration.ofSeconds(5), 2, null), targets, 50,
                Executors.newSingleThreadScheduledExecutor());
        write(integration("int_1", "acc_1", "{{ submission_id }}.pdf", "s"));
        registry.start();

        write(integration("int_explodes", "acc_1", "{{ submission_id }}.pdf", "s"));
        registry.reloadIfChanged();
        assertThat(exploded.get()).isEqualTo(1);
        write(integration("int_1", "acc_1", "{{ submission_id }}.pdf", "s")
                + integration("int_2", "acc_1", "edited/{{ submission_id }}.pdf", "s"));
        registry.reloadIfChanged();

        assertThat(registry.get("int_2").pathTemplate().source()).isEqualTo("edited/{{ submission_id }}.pdf");
    }

    private void write(String items) throws Exception {
        Files.writeString(file, "integrations:\n" + items);
        // a new modification time even on coarse file systems
        Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + boundClients.size() * 1000L + items.length()));
    }

    private static String integration(String id, String account, String template, String secret) {
        return """
                  - id: %s
                    account_id: %s
                    bucket: bucket-b
                    region: us-east-1
                    access_key_id: k
                    secret_access_key: "%s"
                    endpoint: http://127.0.0.1:1
                    path_style: true
                    path_template: "%s"
                """.formatted(id, account, secret, template);
    }
}
