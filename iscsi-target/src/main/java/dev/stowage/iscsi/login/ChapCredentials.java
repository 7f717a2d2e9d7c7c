package dev.stowage.iscsi.login;

import java.util.Arrays;

/**
 * CHAP secrets of one target. The initiator proves it knows {@code secret} under the name
 * {@code user}; with mutual CHAP the target proves it knows {@code mutualSecret} under
 * {@code mutualUser}. {@link #toString()} never shows a secret.
 *
 * @param mutualUser   null when the target does not offer mutual authentication
 * @param mutualSecret null when the target does not offer mutual authentication
 */
public record ChapCredentials(String user, byte[] secret, String mutualUser, byte[] mutualSecret) {

    public ChapCredentials {
        if (user == null || user.isEmpty() || secret == null || secret.length == 0) {
            throw new IllegalArgumentException("CHAP needs a user name and a non-empty secret");
        }
        if ((mutualUser == null) != (mutualSecret == null)) {
            throw new IllegalArgumentException("mutual CHAP needs both a user name and a secret");
        }
        if (mutualSecret != null && Arrays.equals(secret, mutualSecret)) {
            throw new IllegalArgumentException("the mutual CHAP secret must differ from the initiator's secret");
        }
        secret = secret.clone();
        mutualSecret = mutualSecret == null ? null : mutualSecret.clone();
    }

    /** One-way CHAP. */
    public static ChapCredentials oneWay(String user, String secret) {
        return new ChapCredentials(user, secret.getBytes(java.nio.charset.StandardCharsets.UTF_8), null, null);
    }

    /** Mutual CHAP. */
    public static ChapCredentials mutual(String user, String secret, String mutualUser, String mutualSecret) {
        return new ChapCredentials(user, secret.getBytes(java.nio.charset.StandardCharsets.UTF_8), mutualUser,
                mutualSecret.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    public boolean mutualEnabled() {
        return mutualSecret != null;
    }

    @Override
    public byte[] secret() {
        return secret.clone();
    }

    @Override
    public byte[] mutualSecret() {
        return mutualSecret == null ? null : mutualSecret.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ChapCredentials c && user.equals(c.user) && Arrays.equals(secret, c.secret)
                && java.util.Objects.equals(mutualUser, c.mutualUser) && Arrays.equals(mutualSecret, c.mutualSecret);
    }

    @Override
    public int hashCode() {
        return user.hashCode();
    }

    @Override
    public String toString() {
        return "ChapCredentials[user=" + user + ", secret=***" + (mutualUser == null ? "" : ", mutualUser=" + mutualUser
                + ", mutualSecret=***") + "]";
    }
}
