package dev.stowage.server.config;

import dev.stowage.server.logging.Redactor;

/**
 * A configuration problem an operator must fix before the gateway can start. {@link #getMessage()}
 * is one line: {@code config error: <dotted.key>: <what is wrong>; <how to fix it>}, and never
 * contains a secret value (it passes through {@link Redactor}).
 */
public final class ConfigException extends RuntimeException {

    private final String key;

    /**
     * @param key     dotted key path such as {@code s3.credentials.secret_access_key}, or a file name
     *                for problems with the file as a whole
     * @param problem what is wrong, without the secret value when the key holds a secret
     * @param fix     what to write instead, or null when the problem says it already
     */
    public ConfigException(String key, String problem, String fix) {
        super(format(key, problem, fix));
        this.key = key;
    }

    /** The dotted path of the key at fault (or the file, for file-level problems). */
    public String key() {
        return key;
    }

    private static String format(String key, String problem, String fix) {
        String line = "config error: " + key + ": " + problem + (fix == null || fix.isBlank() ? "" : "; " + fix);
        return Redactor.redact(line.replace('\n', ' ').replace('\r', ' '));
    }

    @Override
    public String getMessage() {
        // Redact again: a secret may have been registered after this exception was built.
        return Redactor.redact(super.getMessage());
    }
}
