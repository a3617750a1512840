package io.s3relay.keys;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.StringJoiner;
import java.util.function.Supplier;

import io.s3relay.submission.Submission;

/**
 * An upload's object tags: each value template rendered with the path template's variables (sanitised the same
 * way), then kept to the characters S3 takes in a tag value, as S3's tagging query string.
 */
public final class ObjectTagging {

    /** S3's limit on a tag value. */
    public static final int MAX_VALUE_CHARS = 256;

    private ObjectTagging() {
    }

    /**
     * {@code key=value&...} for {@code x-amz-tagging}, or null without tags.
     *
     * @throws InvalidKeyException when a value renders longer than S3 allows, or the template fails
     */
    public static String render(PathTemplateRenderer renderer, Map<String, PathTemplate> tags, Submission submission,
                                Supplier<Instant> now) {
        if (tags.isEmpty()) {
            return null;
        }
        StringJoiner query = new StringJoiner("&");
        tags.forEach((key, template) -> {
            String value;
            try {
                value = tagValue(renderer.renderText(template, submission, now));
            } catch (InvalidKeyException e) {
                throw new InvalidKeyException("tag " + key + ": " + e.getMessage().replace("the path template", "the template"), e);
            }
            if (value.length() > MAX_VALUE_CHARS) {
                throw new InvalidKeyException("tag " + key + " renders " + value.length() + " characters; S3 allows at most "
                        + MAX_VALUE_CHARS + " in a tag value");
            }
            query.add(encode(key) + "=" + encode(value));
        });
        return query.toString();
    }

    /** Letters, digits, spaces and {@code + - = . _ : / @} stay; any other character becomes one underscore. */
    static String tagValue(String rendered) {
        String text = rendered == null ? "" : rendered.strip();
        StringBuilder out = new StringBuilder(text.length());
        text.codePoints().forEach(cp -> out.appendCodePoint(Character.isLetterOrDigit(cp) || cp == ' ' || cp == '+'
                || cp == '-' || cp == '=' || cp == '.' || cp == '_' || cp == ':' || cp == '/' || cp == '@' ? cp : '_'));
        return out.toString();
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
