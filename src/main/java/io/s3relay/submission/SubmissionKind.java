package io.s3relay.submission;

/** What was processed upstream: a single submission or a combined (merged) PDF. */
public enum SubmissionKind {
    SUBMISSION("submission", "submission_id"),
    COMBINED_SUBMISSION("combined_submission", "combined_submission_id");

    private final String jsonField;
    private final String idVariable;

    SubmissionKind(String jsonField, String idVariable) {
        this.jsonField = jsonField;
        this.idVariable = idVariable;
    }

    /** The top-level field of the input message, e.g. {@code combined_submission}. */
    public String jsonField() {
        return jsonField;
    }

    /** The name of the id in path templates and status messages, e.g. {@code combined_submission_id}. */
    public String idVariable() {
        return idVariable;
    }
}
