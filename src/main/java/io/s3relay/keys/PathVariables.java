package io.s3relay.keys;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

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
    /** Every variable of either kind. */
    static final Set<String> ALL = union(SUBMISSION, COMBINED_SUBMISSION);

    private PathVariables() {
    }

    public static Set<String> namesFor(SubmissionKind kind) {
        return kind == SubmissionKind.SUBMISSION ? SUBMISSION : COMBINED_SUBMISSION;
    }

    /** @param now used for the time variables when the submission carries no {@code processed_at} */
    public static Map<String, Object> of(Submission submission, Instant now) {
        return of(submission, () -> now, ALL);
    }

    /**
     * Only the variables among {@code wanted}: a template that reads two ids need not pay for parsing the time or
     * copying the metadata on every key. A name outside {@code wanted} is absent, as an unknown name is.
     *
     * @param now asked only when a time variable is wanted and the submission carries no {@code processed_at}
     */
    static Map<String, Object> of(Submission submission, Supplier<Instant> now, Set<String> wanted) {
        Map<String, Object> vars = new LinkedHashMap<>();
        if (wanted.contains("account_id")) {
            vars.put("account_id", KeySanitizer.sanitize(submission.accountId()));
        }
        if (submission.kind() == SubmissionKind.SUBMISSION) {
            if (wanted.contains("template_id")) {
                vars.put("template_id", KeySanitizer.sanitize(submission.templateId()));
            }
            if (wanted.contains("template_name")) {
                vars.put("template_name", KeySanitizer.sanitize(submission.templateName()));
            }
            if (wanted.contains("submission_id")) {
                vars.put("submission_id", KeySanitizer.sanitize(submission.id()));
            }
        } else if (wanted.contains("combined_submission_id")) {
            vars.put("combined_submission_id", KeySanitizer.sanitize(submission.id()));
        }
        if (wanted.contains("timestamp") || wanted.contains("date") || wanted.contains("year")
                || wanted.contains("month") || wanted.contains("day")) {
            putTime(vars, submission.processedAt() == null
                    ? LocalDateTime.ofInstant(now.get(), ZoneOffset.UTC) : IsoOffsetTime.toUtc(submission.processedAt()));
        }
        if (wanted.contains("metadata")) {
            vars.put("metadata", sanitizeValue(submission.metadata()));
        }
        return vars;
    }

    private static void putTime(Map<String, Object> vars, LocalDateTime at) {
        String date = digits(at.getYear(), 4) + digits(at.getMonthValue(), 2) + digits(at.getDayOfMonth(), 2);
        vars.put("timestamp", date + digits(at.getHour(), 2) + digits(at.getMinute(), 2) + digits(at.getSecond(), 2));
        vars.put("date", date);
        vars.put("year", String.valueOf(at.getYear()));
        vars.put("month", String.valueOf(at.getMonthValue()));
        vars.put("day", String.valueOf(at.getDayOfMonth()));
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> all = new HashSet<>(a);
        all.addAll(b);
        return Set.copyOf(all);
    }

    /** Zero-padded, without a formatter: this runs for every key. */
    private static String digits(int value, int width) {
        String text = Integer.toString(value);
        return text.length() >= width ? text : "0".repeat(width - text.length()) + text;
    }

    /**
     * Strings are sanitised at any depth, map keys too (a template may write a key out with a for loop); numbers
     * and booleans stay typed so that comparisons still work.
     */
    private static Object sanitizeValue(Object value) {
        if (value instanceof String s) {
            return KeySanitizer.sanitize(s);
        }
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> out = new LinkedHashMap<>();
            map.forEach((k, v) -> out.put(KeySanitizer.sanitize(String.valueOf(k)), sanitizeValue(v)));
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
