package io.s3relay.keys;

import java.nio.charset.StandardCharsets;

/**
 * Normalises a rendered key and refuses the ones that would surprise a customer: the key is used as it is
 * by S3, so a leading slash, an empty folder or a {@code ..} folder is never what was meant.
 */
public final class ObjectKeyRules {

    public static final int MAX_KEY_BYTES = 1024;
    private static final java.util.regex.Pattern REPEATED_SLASHES = java.util.regex.Pattern.compile("/{2,}");

    private ObjectKeyRules() {
    }

    public static String normalise(String rendered) {
        String key = rendered == null ? "" : rendered.strip();
        if (key.contains("//")) {
            key = REPEATED_SLASHES.matcher(key).replaceAll("/");
        }
        while (key.startsWith("/")) {
            key = key.substring(1);
        }
        if (key.isEmpty()) {
            throw new InvalidKeyException("the path template rendered an empty key");
        }
        int bytes = key.length() * 3 <= MAX_KEY_BYTES ? key.length() : key.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_KEY_BYTES) {
            throw new InvalidKeyException("the rendered key is " + bytes + " bytes long; S3 allows at most " + MAX_KEY_BYTES);
        }
        if (key.contains(".")) {
            for (String segment : key.split("/", -1)) {
                if (segment.equals(".") || segment.equals("..")) {
                    throw new InvalidKeyException("the rendered key '" + key + "' contains a '" + segment + "' folder");
                }
            }
        }
        // Camel evaluates ${...} in the key header as its simple language: never let a template reach it
        if (key.contains("${") || key.contains("$simple{")) {
            throw new InvalidKeyException("the rendered key must not contain '${'");
        }
        for (int i = 0; i < key.length(); i++) {
            if (Character.isISOControl(key.charAt(i))) {
                throw new InvalidKeyException("the rendered key contains a control character");
            }
        }
        return key;
    }
}
