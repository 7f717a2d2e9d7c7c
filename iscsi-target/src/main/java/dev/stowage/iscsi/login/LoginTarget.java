package dev.stowage.iscsi.login;

import java.util.Set;

/**
 * What login needs to know about a target.
 *
 * @param chap              null when the target requires no authentication
 * @param allowedInitiators initiator names allowed to log in; empty allows every initiator
 */
public record LoginTarget(String name, String alias, ChapCredentials chap, Set<String> allowedInitiators) {
    public LoginTarget {
        allowedInitiators = Set.copyOf(allowedInitiators);
    }

    public boolean allows(String initiatorName) {
        return allowedInitiators.isEmpty() || allowedInitiators.contains(initiatorName);
    }
}
