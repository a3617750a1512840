package io.s3relay.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.model.AccessKey;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * moto_server (the Python AWS mock) with IAM enforced: STS checks a role's trust policy and external ID, S3 checks
 * the caller's IAM policies. It runs as a separate process because moto is Python: nothing in the JVM can stand in for
 * it. Authentication is turned on the way moto documents it, {@code INITIAL_NO_AUTH_ACTION_COUNT}: the first three
 * calls (creating an administrator, its policy and its access key) go unauthenticated, every later call is signed
 * and authorised. moto's request recorder keeps every request it answered, which the tests read to count STS calls
 * and to see the headers the relay sent where moto does not act on them.
 * <p>
 * Without moto_server the tests are skipped, saying how to run them; with {@code S3RELAY_MOTO_TESTS=required} (CI)
 * they fail instead, so that they cannot pass by not running.
 */
public final class MotoServer implements AutoCloseable {

    /** moto's default account: the customer's and the platform's principals are both in it (see the tests). */
    public static final String ACCOUNT = "123456789012";
    public static final String REGION = "us-east-1";
    private static final int UNAUTHENTICATED_SETUP_CALLS = 3;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final URI endpoint;
    private final Path recording;
    private final AwsBasicCredentials admin;

    private MotoServer(Process process, URI endpoint, Path recording, AwsBasicCredentials admin) {
        this.process = process;
        this.endpoint = endpoint;
        this.recording = recording;
        this.admin = admin;
    }

    /** The moto_server program: S3RELAY_MOTO_SERVER, else on the PATH, else pyenv's shim; null when there is none. */
    static String program() {
        String configured = System.getenv("S3RELAY_MOTO_SERVER");
        if (configured != null && !configured.isBlank()) {
            return new File(configured).canExecute() ? configured : null;
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            File candidate = new File(dir, "moto_server");
            if (candidate.canExecute()) {
                return candidate.getPath();
            }
        }
        File pyenv = new File(System.getProperty("user.home"), ".pyenv/shims/moto_server");
        return pyenv.canExecute() ? pyenv.getPath() : null;
    }

    /** Starts moto_server on a free loopback port, or skips the test class (fails it where moto is required). */
    public static MotoServer startOrSkip() throws Exception {
        String program = program();
        String why = "moto_server is not installed (pip install 'moto[server]==5.2.1', or set S3RELAY_MOTO_SERVER to the"
                + " program): the IAM role and object option tests are skipped; S3RELAY_MOTO_TESTS=required makes them fail";
        if ("required".equals(System.getenv("S3RELAY_MOTO_TESTS"))) {
            assertThat(program).as(why).isNotNull();
        }
        assumeTrue(program != null, why);
        int port = RelayFixture.freePort();
        Path dir = Files.createTempDirectory("s3relay-moto");
        Path recording = dir.resolve("recording.jsonl");
        ProcessBuilder builder = new ProcessBuilder(program, "-H", "127.0.0.1", "-p", String.valueOf(port))
                .redirectErrorStream(true).redirectOutput(dir.resolve("moto.log").toFile());
        builder.environment().put("INITIAL_NO_AUTH_ACTION_COUNT", String.valueOf(UNAUTHENTICATED_SETUP_CALLS));
        builder.environment().put("MOTO_ENABLE_RECORDING", "true");
        builder.environment().put("MOTO_RECORDER_FILEPATH", recording.toString());
        Process process = builder.start();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!listening(port)) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                process.destroyForcibly();
                throw new IllegalStateException("moto_server did not start: " + Files.readString(dir.resolve("moto.log")));
            }
            Thread.sleep(100);
        }
        URI endpoint = URI.create("http://127.0.0.1:" + port);
        // the three unauthenticated calls: an administrator whom every later set-up call is signed as
        try (IamClient iam = IamClient.builder().region(Region.AWS_GLOBAL).endpointOverride(endpoint)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("setup", "setup"))).build()) {
            iam.createUser(r -> r.userName("moto-admin"));
            iam.putUserPolicy(r -> r.userName("moto-admin").policyName("admin").policyDocument(
                    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}]}"));
            AccessKey key = iam.createAccessKey(r -> r.userName("moto-admin")).accessKey();
            return new MotoServer(process, endpoint, recording,
                    AwsBasicCredentials.create(key.accessKeyId(), key.secretAccessKey()));
        }
    }

    private static boolean listening(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    public URI endpoint() {
        return endpoint;
    }

    public IamClient iam() {
        return IamClient.builder().region(Region.AWS_GLOBAL).endpointOverride(endpoint)
                .credentialsProvider(StaticCredentialsProvider.create(admin)).build();
    }

    public KmsClient kms() {
        return KmsClient.builder().region(Region.of(REGION)).endpointOverride(endpoint)
                .credentialsProvider(StaticCredentialsProvider.create(admin)).build();
    }

    /** The bucket owner's client (moto's account, as its administrator). */
    public S3Client s3() {
        return s3(admin);
    }

    public S3Client s3(AwsBasicCredentials credentials) {
        return S3Client.builder().region(Region.of(REGION)).endpointOverride(endpoint).forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(credentials)).build();
    }

    /** An IAM user with this inline policy, and its access key. */
    public AwsBasicCredentials user(String name, String policy) {
        try (IamClient iam = iam()) {
            iam.createUser(r -> r.userName(name));
            iam.putUserPolicy(r -> r.userName(name).policyName(name + "-policy").policyDocument(policy));
            AccessKey key = iam.createAccessKey(r -> r.userName(name)).accessKey();
            return AwsBasicCredentials.create(key.accessKeyId(), key.secretAccessKey());
        }
    }

    /** The relay's own AWS identity in moto: an IAM user allowed sts:AssumeRole, its ARN, and moto's STS. */
    public record Platform(AwsBasicCredentials credentials, String arn, URI stsEndpoint) {

        /** The relay's settings that make this user its identity (s3relay.aws.*). */
        public Map<String, String> relaySettings() {
            return Map.of("s3relay.aws.access-key-id", credentials.accessKeyId(),
                    "s3relay.aws.secret-access-key", credentials.secretAccessKey(),
                    "s3relay.aws.sts-endpoint", stsEndpoint.toString());
        }
    }

    /** Makes the platform's user, {@code s3relay-platform}, which customers' roles trust. */
    public Platform platformUser() {
        return new Platform(user("s3relay-platform", allow("\"sts:AssumeRole\"", "\"*\"")),
                "arn:aws:iam::" + ACCOUNT + ":user/s3relay-platform", endpoint);
    }

    /** A role that trusts {@code principalArn} when it gives {@code externalId}, with this inline policy; its ARN. */
    public String role(String name, String principalArn, String externalId, String policy) {
        String trust = """
                {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "%s"},
                  "Action": "sts:AssumeRole", "Condition": {"StringEquals": {"sts:ExternalId": "%s"}}}]}"""
                .formatted(principalArn, externalId);
        try (IamClient iam = iam()) {
            String arn = iam.createRole(r -> r.roleName(name).assumeRolePolicyDocument(trust)).role().arn();
            iam.putRolePolicy(r -> r.roleName(name).policyName(name + "-policy").policyDocument(policy));
            return arn;
        }
    }

    /** A policy that allows these actions on these resources. */
    public static String allow(String actions, String resources) {
        return """
                {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": %s, "Resource": %s}]}"""
                .formatted(actions, resources);
    }

    /** One request moto answered: method, URL, headers (lower-case names) and body as text. */
    public record Request(String method, String url, Map<String, String> headers, String body) {
        public String header(String name) {
            return headers.get(name.toLowerCase(java.util.Locale.ROOT));
        }

        /** A form parameter of the body (STS's query protocol), or null. */
        public String formParameter(String name) {
            for (String pair : body.split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0 && java.net.URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8).equals(name)) {
                    return java.net.URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                }
            }
            return null;
        }
    }

    /** Every request moto answered so far, as its recorder wrote them. */
    public List<Request> requests() throws IOException {
        List<Request> requests = new ArrayList<>();
        if (!Files.exists(recording)) {
            return requests;
        }
        for (String line : Files.readAllLines(recording)) {
            if (line.isBlank()) {
                continue;
            }
            JsonNode entry = JSON.readTree(line);
            Map<String, String> headers = new LinkedHashMap<>();
            entry.path("headers").fields().forEachRemaining(h -> headers.put(h.getKey().toLowerCase(java.util.Locale.ROOT),
                    h.getValue().asText()));
            String body = entry.path("body").asText("");
            if (entry.path("body_encoded").asBoolean(false)) {
                byte[] bytes = Base64.getDecoder().decode(body);
                // the PDFs' bytes are of no interest: only bodies that are form text are kept
                body = headers.getOrDefault("content-type", "").startsWith("application/x-www-form-urlencoded")
                        ? new String(bytes, StandardCharsets.UTF_8) : "";
            }
            requests.add(new Request(entry.path("method").asText(), entry.path("url").asText(), headers, body));
        }
        return requests;
    }

    /**
     * An integration (a YAML list item) that writes into a bucket of this server through a customer's role, with
     * lines of its own (its path template, object options) indented into the item.
     */
    public String roleIntegration(String id, String account, String bucket, String roleArn, String externalId,
                                  String extraYaml) {
        return """
                  - id: %s
                    account_id: %s
                    bucket: %s
                    region: us-east-1
                    role_arn: %s
                    external_id: %s
                    endpoint: %s
                    path_style: true
                """.formatted(id, account, bucket, roleArn, externalId, endpoint())
                + extraYaml.lines().map(l -> "    " + l + "\n").reduce("", String::concat);
    }

    /** The AssumeRole calls moto answered for a role. */
    public List<Request> assumeRoleCalls(String roleArn) throws IOException {
        return requests().stream().filter(r -> "AssumeRole".equals(r.formParameter("Action"))
                && roleArn.equals(r.formParameter("RoleArn"))).toList();
    }

    @Override
    public void close() throws Exception {
        process.destroy();
        if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
