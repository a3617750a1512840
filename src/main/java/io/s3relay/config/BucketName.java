package io.s3relay.config;

import java.util.List;
import java.util.regex.Pattern;

/**
 * S3's rules for general purpose bucket names, checked when the integrations file is read. A customer chooses the
 * name: one that breaks these rules could never name a bucket, and it may carry text meant for the relay itself
 * (placeholders such as {@code {{env:NAME}}}, or endpoint options after {@code ?}), so it is refused before any
 * upload.
 */
final class BucketName {

    private static final Pattern CHARACTERS = Pattern.compile("[a-z0-9.-]+");
    private static final Pattern IP_ADDRESS = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final List<String> RESERVED_PREFIXES = List.of("xn--", "sthree-", "amzn-s3-demo-");
    private static final List<String> RESERVED_SUFFIXES = List.of("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3");

    private BucketName() {
    }

    /** @throws InvalidConfigurationException saying which rule the name breaks */
    static String check(String name) {
        String problem = problem(name);
        if (problem != null) {
            throw new InvalidConfigurationException("bucket is not a valid S3 bucket name: " + problem);
        }
        return name;
    }

    /** The rule a name breaks, or null. The name itself is not repeated: it may be long or hold anything. */
    static String problem(String name) {
        if (name.length() < 3 || name.length() > 63) {
            return "it must be 3 to 63 characters long, not " + name.length();
        }
        if (!CHARACTERS.matcher(name).matches()) {
            return "only lowercase letters, digits, dots and hyphens are allowed";
        }
        if (!Character.isLetterOrDigit(name.charAt(0)) || !Character.isLetterOrDigit(name.charAt(name.length() - 1))) {
            return "it must begin and end with a letter or a digit";
        }
        if (name.contains("..")) {
            return "two dots may not be next to each other";
        }
        if (IP_ADDRESS.matcher(name).matches()) {
            return "it may not look like an IP address";
        }
        for (String prefix : RESERVED_PREFIXES) {
            if (name.startsWith(prefix)) {
                return "the prefix '" + prefix + "' is reserved by S3";
            }
        }
        for (String suffix : RESERVED_SUFFIXES) {
            if (name.endsWith(suffix)) {
                return "the suffix '" + suffix + "' is reserved by S3";
            }
        }
        return null;
    }
}
