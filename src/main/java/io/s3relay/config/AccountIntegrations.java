package io.s3relay.config;

import java.util.List;
import java.util.Map;

/**
 * An account's integrations as one submission finds them.
 *
 * @param inForce         the integrations that upload
 * @param notInForce      the account's integrations of the file that were rejected and have no good version to
 *                        fall back on, with the reason: their copies fail with it, so the customer hears why
 * @param hadIntegrations the account had integrations in force at some point since the relay started
 */
public record AccountIntegrations(List<ActiveIntegration> inForce, Map<String, String> notInForce,
                                  boolean hadIntegrations) {

    public boolean isEmpty() {
        return inForce.isEmpty() && notInForce.isEmpty();
    }
}
