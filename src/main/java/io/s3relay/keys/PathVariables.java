package io.s3relay.keys;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.s3relay.submission.Submission;
import io.s3relay.submission.SubmissionKind;

/**
 * The variables a path template may use, as the platform documents them, with every interpolated string
 * already sanitised so that whatever a customer's data holds ends up as safe key characters.
 */
public final class PathVariables {

    /** Variables of a submission's path template. */
    public static final Set<String> SUBMISSION = Set.of("account_id", "template_id", "template_name", "submission_id",
            "timestamp", "date", "year", "month", "day", "metadata");
    /** Variables of a combined submission's path template. */
    public static final Set<String> COMBINED_SUBMISSION = Set.of("account_id", "combined_submission_id",
            "timestamp", "date", "year", "month", "day", "metadata");

    private PathVariables() {
    }

    public static Set<String> namesFor(SubmissionKind kind) {
        return kind == SubmissionKind.SUBMISSION ? SUBMISSION : COMBINED_SUBMISSION;
    }

    /**
     * @param now used for the time variables when the submission carries no {@code processed_at}
     */
    public static Map<String, Object> of(Submission submission, Instant now) {
        Map<String, Object> vars = new LinkedHashMap<>();
        vars.put("account_id", KeySanitizer.sanitize(submission.accountId()));
        if (submission.kind() == SubmissionKind.SUBMISSION) {
            vars.put("template_id", KeySanitizer.sanitize(submission.templateId()));
            vars.put("template_name", KeySanitizer.sanitize(submission.templateName()));
            vars.put("submission_id", KeySanitizer.sanitize(submission.id()));
        } else {
            vars.put("combined_submission_id", KeySanitizer.sanitize(submission.id()));
        }
        ZonedDateTime at = (submission.processedAt() == null
                ? now : OffsetDateTime.parse(submission.processedAt()).toInstant()).atZone(ZoneOffset.UTC);
        String date = digits(at.getYear(), 4) + digits(at.getMonthValue(), 2) + digits(at.getDayOfMonth(), 2);
        vars.put("timestamp", date + digits(at.getHour(), 2) + digits(at.getMinute(), 2) + digits(at.getSecond(), 2));
        vars.put("date", date);
        vars.put("year", String.valueOf(at.getYear()));
        vars.put("month", String.valueOf(at.getMonthValue()));
        vars.put("day", String.valueOf(at.getDayOfMonth()));
        vars.put("metadata", sanitizeValue(submission.metadata()));
        return vars;
    }

    /** Zero-padded, without a formatter: this runs for every key. */
    private static String digits(int value, int width) {
        String text = Integer.toString(value);
        return text.length() >= width ? text : "0".repeat(width - text.length()) + text;
    }

    /** Strings are sanitised at any depth; numbers and booleans stay typed so that comparisons still work. */
    private static Object sanitizeValue(Object value) {
        if (value instanceof String s) {
            return KeySanitizer.sanitize(s);
        }
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> out = new LinkedHashMap<>();
            map.forEach((k, v) -> out.put(String.valueOf(k), sanitizeValue(v)));
            return out;
        }
        if (value instanceof List<?> list) {
            List<Object> out = new ArrayList<>(list.size());
            list.forEach(v -> out.add(sanitizeValue(v)));
            return out;
        }
        return value;
    }
}
