package io.s3relay.config;

import java.util.regex.Pattern;

/**
 * The customer's IAM role that the relay assumes, through STS, to write into the customer's bucket: the relay's own
 * AWS identity asks for it, with the external ID that the role's trust policy requires. {@link #toString()} never
 * shows the external ID.
 *
 * @param sessionName what the customer's CloudTrail shows for the relay's sessions: which account they are for
 */
public record RoleAccess(String roleArn, String externalId, String sessionName) {

    private static final Pattern ROLE_ARN = Pattern.compile("arn:aws[a-z-]*:iam::\\d{12}:role/[\\w+=,.@/-]{1,512}");
    /** STS's limits on an external ID: 2 to 1224 of these characters. */
    private static final Pattern EXTERNAL_ID = Pattern.compile("[\\w+=,.@:/-]{2,1224}");
    private static final int MAX_SESSION_NAME = 64;

    static String checkRoleArn(String roleArn) {
        if (!ROLE_ARN.matcher(roleArn).matches()) {
            throw new InvalidConfigurationException("role_arn must be an IAM role ARN such as "
                    + "arn:aws:iam::123456789012:role/s3-relay-upload, not '" + roleArn + "'");
        }
        return roleArn;
    }

    /** Checked after ${env:...} is resolved; the message never quotes it. */
    static String checkExternalId(String externalId) {
        if (!EXTERNAL_ID.matcher(externalId).matches()) {
            throw new InvalidConfigurationException("external_id must be 2 to 1224 letters, digits or + = , . @ : / - _");
        }
        return externalId;
    }

    /** {@code s3-relay-<account id>}, in the characters and length STS takes for a session name. */
    static String sessionNameFor(String accountId) {
        String name = "s3-relay-" + accountId.replaceAll("[^\\w+=,.@-]", "_");
        return name.length() > MAX_SESSION_NAME ? name.substring(0, MAX_SESSION_NAME) : name;
    }

    @Override
    public String toString() {
        return "RoleAccess[role_arn=" + roleArn + ", session_name=" + sessionName + "]";
    }
}
