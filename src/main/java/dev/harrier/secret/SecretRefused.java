package dev.harrier.secret;

/**
 * An attempt that may not go on because of a secret: it names a secret that no longer exists
 * ({@code secret_unavailable}), or would send one to a host its {@code allowedHosts} do not list
 * ({@code secret_not_allowed}). Permanent: another attempt would be refused the same way.
 */
public final class SecretRefused extends RuntimeException {

    public static final String UNAVAILABLE = "secret_unavailable";
    public static final String NOT_ALLOWED = "secret_not_allowed";

    private final String type;

    public SecretRefused(String type, String message) {
        super(message, null, false, false);
        this.type = type;
    }

    public String type() {
        return type;
    }
}
