package dev.stowage.iscsi.login;

/** A login that must fail with {@link #status()}; the message says why (never a secret). */
public final class LoginException extends Exception {
    private static final long serialVersionUID = 1L;
    private final LoginStatus status;

    public LoginException(LoginStatus status, String message) {
        super(message);
        this.status = status;
    }

    public LoginStatus status() {
        return status;
    }
}
