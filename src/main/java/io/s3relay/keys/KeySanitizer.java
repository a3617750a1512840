package io.s3relay.keys;

/**
 * Replaces every character outside the S3 "safe characters" ({@code 0-9 a-z A-Z ! - _ . * ' ( )}) with one
 * underscore: one per character (code point), not per byte, so an emoji becomes a single {@code _}.
 */
public final class KeySanitizer {

    private KeySanitizer() {
    }

    public static String sanitize(String value) {
        if (value == null) {
            return null;
        }
        if (isAllSafe(value)) {
            return value;
        }
        StringBuilder out = new StringBuilder(value.length());
        value.codePoints().forEach(cp -> out.append(isSafe(cp) ? (char) cp : '_'));
        return out.toString();
    }

    private static boolean isAllSafe(String value) {
        for (int i = 0; i < value.length(); i++) {
            if (!isSafe(value.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    static boolean isSafe(int cp) {
        return (cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z')
                || cp == '!' || cp == '-' || cp == '_' || cp == '.' || cp == '*' || cp == '\'' || cp == '(' || cp == ')';
    }
}
