package io.s3relay.submission;

import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Reads the upstream JSON message ({@code {"submission": {...}}} or {@code {"combined_submission": {...}}})
 * and rejects what cannot be processed with a message a person can act on.
 */
public class SubmissionParser {

    private final ObjectMapper mapper;

    public SubmissionParser(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    public Submission parse(String json) {
        if (json == null || json.isBlank()) {
            throw new InvalidSubmissionException("message body is empty");
        }
        JsonNode root;
        try {
            root = mapper.readTree(json);
        } catch (JsonProcessingException e) {
            throw new InvalidSubmissionException("message is not valid JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw new InvalidSubmissionException("message is not a JSON object");
        }
        boolean single = root.has(SubmissionKind.SUBMISSION.jsonField());
        boolean combined = root.has(SubmissionKind.COMBINED_SUBMISSION.jsonField());
        if (single == combined) {
            throw new InvalidSubmissionException(single
                    ? "message has both 'submission' and 'combined_submission'"
                    : "message has neither 'submission' nor 'combined_submission'");
        }
        SubmissionKind kind = single ? SubmissionKind.SUBMISSION : SubmissionKind.COMBINED_SUBMISSION;
        JsonNode node = root.get(kind.jsonField());
        if (!node.isObject()) {
            throw new InvalidSubmissionException("'" + kind.jsonField() + "' is not a JSON object");
        }
        String id = requiredText(node, kind, "id");
        String accountId = requiredText(node, kind, "account_id");
        String processedAt = optionalText(node, kind, "processed_at");
        if (processedAt != null) {
            try {
                OffsetDateTime.parse(processedAt);
            } catch (DateTimeParseException e) {
                throw new InvalidSubmissionException(kind.jsonField() + ".processed_at is not an ISO-8601 time: " + processedAt);
            }
        }
        JsonNode test = node.get("test");
        if (test != null && !test.isNull() && !test.isBoolean()) {
            throw new InvalidSubmissionException(kind.jsonField() + ".test must be true or false");
        }
        JsonNode metadata = node.get("metadata");
        if (metadata != null && !metadata.isNull() && !metadata.isObject()) {
            throw new InvalidSubmissionException(kind.jsonField() + ".metadata must be a JSON object");
        }
        String downloadUrl = requiredText(node, kind, "download_url");
        return new Submission(kind, id, accountId,
                kind == SubmissionKind.SUBMISSION ? optionalText(node, kind, "template_id") : null,
                kind == SubmissionKind.SUBMISSION ? optionalText(node, kind, "template_name") : null,
                test != null && test.asBoolean(false),
                processedAt,
                metadata == null || metadata.isNull() ? Map.of() : toMap((ObjectNode) metadata),
                downloadUrl);
    }

    /** Best effort for error reports: the kind, id and account of a message that failed to parse, or null. */
    public Submission identify(String json) {
        try {
            JsonNode root = mapper.readTree(json);
            for (SubmissionKind kind : SubmissionKind.values()) {
                JsonNode node = root == null ? null : root.get(kind.jsonField());
                if (node != null && node.path("id").isTextual() && !node.path("id").asText().isBlank()) {
                    return new Submission(kind, node.path("id").asText(),
                            node.path("account_id").isTextual() ? node.path("account_id").asText() : null,
                            null, null, node.path("test").asBoolean(false), null, null, null);
                }
            }
        } catch (Exception ignored) {
            // not even JSON: nothing can be identified
        }
        return null;
    }

    private Map<String, Object> toMap(ObjectNode node) {
        @SuppressWarnings("unchecked")
        Map<String, Object> map = mapper.convertValue(node, LinkedHashMap.class);
        return map;
    }

    private static String requiredText(JsonNode node, SubmissionKind kind, String field) {
        String value = optionalText(node, kind, field);
        if (value == null || value.isBlank()) {
            throw new InvalidSubmissionException(kind.jsonField() + "." + field + " is missing");
        }
        return value;
    }

    private static String optionalText(JsonNode node, SubmissionKind kind, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw new InvalidSubmissionException(kind.jsonField() + "." + field + " must be a string");
        }
        return value.asText();
    }
}
