package io.s3relay.config;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Reads the integrations YAML file. A file that does not parse is an error as a whole; an integration that is
 * wrong is reported on its own, so that one customer's typo never takes the others down.
 */
public class IntegrationsFile {

    private static final Pattern ENV_REFERENCE = Pattern.compile("^\\$\\{env:([A-Za-z_][A-Za-z0-9_]*)}$");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private final Function<String, String> environment;

    public IntegrationsFile(Function<String, String> environment) {
        this.environment = environment;
    }

    public IntegrationsFile() {
        this(System::getenv);
    }

    /**
     * What one read of the file gave: the usable integrations, a problem per rejected one, and the account of each
     * rejected one where it could be read (its submissions then fail with that problem instead of going nowhere).
     */
    public record Contents(Map<String, Integration> integrations, Map<String, String> problems,
                           Map<String, String> rejectedAccounts) {
    }

    public Contents read(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new InvalidConfigurationException("cannot read " + file + ": " + e.getMessage(), e);
        }
        return parse(text, file.toString());
    }

    public Contents parse(String yaml, String source) {
        JsonNode root;
        try {
            root = YAML.readTree(yaml);
        } catch (IOException e) {
            throw new InvalidConfigurationException(source + " is not valid YAML" + whereAndWhy(e));
        }
        Map<String, Integration> integrations = new LinkedHashMap<>();
        Map<String, String> problems = new LinkedHashMap<>();
        Map<String, String> rejectedAccounts = new LinkedHashMap<>();
        // an empty or cut-off file (an editor writing in place, a failed copy) is not "no integrations": that
        // takes an explicit empty list, so that no account loses its uploads by accident
        JsonNode list = root == null || !root.isObject() ? null : root.get("integrations");
        if (list == null || !list.isArray()) {
            throw new InvalidConfigurationException(source + " must hold a list named 'integrations' "
                    + "(write 'integrations: []' for none)");
        }
        int index = 0;
        for (JsonNode node : list) {
            index++;
            String id = node.path("id").asText("").strip();
            String name = id.isEmpty() ? "#" + index : id;
            try {
                if (id.isEmpty()) {
                    throw new InvalidConfigurationException("id is missing");
                }
                if (integrations.containsKey(id) || problems.containsKey(id)) {
                    throw new InvalidConfigurationException("id is used by another integration too");
                }
                integrations.put(id, toIntegration(id, node));
            } catch (InvalidConfigurationException | IllegalArgumentException e) {
                problems.put(name, e.getMessage());
                String account = optional(node, "account_id");
                if (account != null) {
                    rejectedAccounts.put(name, account);
                }
            }
        }
        return new Contents(integrations, problems, rejectedAccounts);
    }

    private Integration toIntegration(String id, JsonNode node) {
        List<String> missing = new ArrayList<>();
        String accountId = text(node, "account_id", missing);
        String bucket = text(node, "bucket", missing);
        String region = text(node, "region", missing);
        String roleArn = optional(node, "role_arn");
        String externalId = optional(node, "external_id");
        String accessKeyId = optional(node, "access_key_id");
        String secret = optional(node, "secret_access_key");
        if (roleArn != null && (accessKeyId != null || secret != null)) {
            // which one was meant is not for the relay to guess: a role with keys beside it is refused whole
            throw new InvalidConfigurationException("give either role_arn (with external_id) or access_key_id and "
                    + "secret_access_key, not both");
        }
        if (roleArn == null) {
            if (externalId != null) {
                throw new InvalidConfigurationException("external_id is only used with role_arn");
            }
            if (accessKeyId == null) {
                missing.add("access_key_id");
            }
            if (secret == null) {
                missing.add("secret_access_key");
            }
        } else if (externalId == null) {
            missing.add("external_id");
        }
        String pathTemplate = text(node, "path_template", missing);
        if (!missing.isEmpty()) {
            throw new InvalidConfigurationException(String.join(", ", missing) + (missing.size() == 1 ? " is" : " are") + " missing"
                    + (roleArn == null && missing.contains("access_key_id") ? " (or give role_arn and external_id)" : ""));
        }
        URI endpoint = null;
        String endpointText = optional(node, "endpoint");
        if (endpointText != null) {
            try {
                endpoint = URI.create(endpointText);
            } catch (IllegalArgumentException e) {
                throw new InvalidConfigurationException("endpoint is not a URL: " + endpointText);
            }
            if (endpoint.getScheme() == null || !endpoint.getScheme().matches("https?") || endpoint.getHost() == null) {
                throw new InvalidConfigurationException("endpoint must be an http(s) URL, not '" + endpointText + "'");
            }
        }
        RoleAccess role = roleArn == null ? null : new RoleAccess(RoleAccess.checkRoleArn(roleArn),
                RoleAccess.checkExternalId(resolve(externalId, "external_id")), RoleAccess.sessionNameFor(accountId));
        return new Integration(id, accountId, BucketName.check(bucket), region,
                role == null ? resolve(accessKeyId, "access_key_id") : null,
                role == null ? resolve(secret, "secret_access_key") : null, role,
                endpoint, node.path("path_style").asBoolean(false),
                SubmissionTypes.parse(optional(node, "submission_types")),
                pathTemplate, optional(node, "test_path_template"), optional(node, "combined_path_template"),
                ObjectOptions.read(node));
    }

    /**
     * Where the YAML broke and the parser's reason, without its snippet of the offending line: that line may hold
     * a secret (31 characters of a 40-character key were printed before).
     */
    private static String whereAndWhy(IOException e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof MarkedYAMLException marked) {
                Mark mark = marked.getProblemMark() != null ? marked.getProblemMark() : marked.getContextMark();
                String where = mark == null ? "" : " at line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1);
                String why = marked.getProblem() == null ? "" : ": " + marked.getProblem();
                return where + why;
            }
        }
        if (e instanceof com.fasterxml.jackson.core.JsonProcessingException json && json.getLocation() != null) {
            return " at line " + json.getLocation().getLineNr() + ", column " + json.getLocation().getColumnNr();
        }
        return "";
    }

    /**
     * A literal, or {@code ${env:NAME}} read from the environment so that secrets stay out of the file. The value is
     * taken as it is: Camel's {@code {{env:NAME}}} would resolve placeholders inside it and quote it in its errors.
     */
    private String resolve(String value, String field) {
        Matcher m = ENV_REFERENCE.matcher(value);
        if (!m.matches()) {
            return value;
        }
        String resolved = environment.apply(m.group(1));
        if (resolved == null || resolved.isBlank()) {
            throw new InvalidConfigurationException(field + " refers to environment variable " + m.group(1) + ", which is not set");
        }
        return resolved;
    }

    private static String text(JsonNode node, String field, List<String> missing) {
        String value = optional(node, field);
        if (value == null) {
            missing.add(field);
        }
        return value;
    }

    private static String optional(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull() || !value.isValueNode()) {
            return null;
        }
        String text = value.asText();
        return text.isBlank() ? null : text;
    }
}
