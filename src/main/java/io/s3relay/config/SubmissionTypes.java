package io.s3relay.config;

import java.util.Locale;

/** Which submissions an integration copies: live ones (the default), test ones, or both. */
public enum SubmissionTypes {
    LIVE, TEST, BOTH;

    public boolean accepts(boolean test) {
        return this == BOTH || (test ? this == TEST : this == LIVE);
    }

    public static SubmissionTypes parse(String value) {
        if (value == null || value.isBlank()) {
            return LIVE;
        }
        try {
            return valueOf(value.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("submission_types must be live, test or both, not '" + value + "'");
        }
    }
}
