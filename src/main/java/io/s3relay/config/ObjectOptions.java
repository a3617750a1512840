package io.s3relay.config;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import software.amazon.awssdk.services.s3.model.StorageClass;

/**
 * What an integration asks S3 to do with each object it stores, beside storing it: encryption, storage class,
 * tags, the bucket owner's full control, the bucket owner it expects, and whether an existing object may be
 * replaced. Every field is optional; {@link #NONE} is S3's defaults. Applied by the integration's S3 client to
 * single and multipart uploads alike (see {@code upload.ObjectOptionsInterceptor}).
 *
 * @param tags tag keys to their value templates (Liquid, with the path template's variables), in file order
 */
public record ObjectOptions(String serverSideEncryption, String kmsKeyId, String storageClass,
                            Map<String, String> tags, String acl, String expectedBucketOwner, boolean overwrite) {

    public static final ObjectOptions NONE = new ObjectOptions(null, null, null, Map.of(), null, null, true);

    static final List<String> ENCRYPTIONS = List.of("AES256", "aws:kms");
    static final List<String> ACLS = List.of("bucket-owner-full-control");
    /** S3's limit on an object's tags. */
    static final int MAX_TAGS = 10;
    /** Tag keys: 1 to 128 letters, digits, spaces and {@code + - = . _ : / @}; {@code aws:} is AWS's own prefix. */
    private static final Pattern TAG_KEY = Pattern.compile("[\\p{L}\\p{N} +\\-=._:/@]{1,128}");
    private static final Pattern ACCOUNT_ID = Pattern.compile("\\d{12}");
    private static final Pattern KMS_KEY = Pattern.compile("[A-Za-z0-9:/_\\-]{1,2048}");

    public ObjectOptions {
        tags = tags == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(tags));
    }

    /** Whether any option differs from S3's defaults. */
    public boolean any() {
        return !equals(NONE);
    }

    /** The storage classes S3 knows, for the error that names them. */
    static List<String> storageClasses() {
        TreeSet<String> names = new TreeSet<>();
        StorageClass.knownValues().forEach(c -> names.add(c.toString()));
        return List.copyOf(names);
    }

    /**
     * The options of one integration of the file.
     *
     * @throws InvalidConfigurationException naming the field, and the allowed values where there is a list
     */
    static ObjectOptions read(JsonNode node) {
        String encryption = oneOf(node, "server_side_encryption", ENCRYPTIONS);
        String kmsKeyId = text(node, "kms_key_id");
        if (kmsKeyId != null && !"aws:kms".equals(encryption)) {
            throw new InvalidConfigurationException("kms_key_id needs server_side_encryption: aws:kms");
        }
        if (kmsKeyId != null && !KMS_KEY.matcher(kmsKeyId).matches()) {
            throw new InvalidConfigurationException("kms_key_id must be a KMS key id, key ARN, alias name or alias ARN");
        }
        String storageClass = oneOf(node, "storage_class", storageClasses());
        String acl = oneOf(node, "acl", ACLS);
        String owner = text(node, "expected_bucket_owner");
        if (owner != null && !ACCOUNT_ID.matcher(owner).matches()) {
            throw new InvalidConfigurationException("expected_bucket_owner must be the 12-digit AWS account id that owns the bucket");
        }
        boolean overwrite = true;
        JsonNode overwriteNode = node.get("overwrite");
        if (overwriteNode != null && !overwriteNode.isNull()) {
            if (!overwriteNode.isBoolean()) {
                throw new InvalidConfigurationException("overwrite must be true or false, not '" + overwriteNode.asText() + "'");
            }
            overwrite = overwriteNode.booleanValue();
        }
        return new ObjectOptions(encryption, kmsKeyId, storageClass, tags(node.get("tags")), acl, owner, overwrite);
    }

    private static Map<String, String> tags(JsonNode tags) {
        if (tags == null || tags.isNull()) {
            return Map.of();
        }
        if (!tags.isObject()) {
            throw new InvalidConfigurationException("tags must be a map of tag keys to values");
        }
        if (tags.size() > MAX_TAGS) {
            throw new InvalidConfigurationException("tags has " + tags.size() + " keys; S3 allows at most " + MAX_TAGS
                    + " tags on an object");
        }
        Map<String, String> out = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = tags.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> tag = it.next();
            String key = tag.getKey();
            if (!TAG_KEY.matcher(key).matches() || key.toLowerCase(java.util.Locale.ROOT).startsWith("aws:")) {
                problems.add("tag key '" + key + "' must be 1 to 128 letters, digits, spaces or + - = . _ : / @, and"
                        + " not start with aws:");
                continue;
            }
            JsonNode value = tag.getValue();
            if (value == null || !value.isValueNode() || value.isNull() || value.asText().isBlank()) {
                problems.add("tag " + key + " needs a value");
                continue;
            }
            out.put(key, value.asText());
        }
        if (!problems.isEmpty()) {
            throw new InvalidConfigurationException("tags: " + String.join("; ", problems));
        }
        return out;
    }

    private static String oneOf(JsonNode node, String field, List<String> allowed) {
        String value = text(node, field);
        if (value != null && !allowed.contains(value)) {
            throw new InvalidConfigurationException(field + " must be " + (allowed.size() == 1 ? "" : "one of ")
                    + String.join(", ", allowed) + ", not '" + value + "'");
        }
        return value;
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isValueNode()) {
            throw new InvalidConfigurationException(field + " must be a single value");
        }
        String text = value.asText().strip();
        return text.isEmpty() ? null : text;
    }

    /** The options as the commands show them: only the ones set. */
    public List<String> describe() {
        List<String> lines = new ArrayList<>();
        if (serverSideEncryption != null) {
            lines.add("server_side_encryption: " + serverSideEncryption + (kmsKeyId == null ? "" : " (kms_key_id " + kmsKeyId + ")"));
        }
        if (storageClass != null) {
            lines.add("storage_class: " + storageClass);
        }
        if (acl != null) {
            lines.add("acl: " + acl);
        }
        if (expectedBucketOwner != null) {
            lines.add("expected_bucket_owner: " + expectedBucketOwner);
        }
        if (!overwrite) {
            lines.add("overwrite: false (If-None-Match: *; an existing object is kept and reported as already_existed)");
        }
        return lines;
    }
}
