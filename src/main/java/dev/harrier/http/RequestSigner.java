package dev.harrier.http;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs webhook bodies so that the receiver can check they come from Harrier and are fresh:
 * {@code Harrier-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>." + body>}. The receiver
 * recomputes the HMAC with the shared secret, compares in constant time, and rejects old {@code t}.
 */
public final class RequestSigner {

    public static final String HEADER = "Harrier-Signature";

    private final byte[] secret;

    public RequestSigner(String secret) {
        this.secret = secret.getBytes(StandardCharsets.UTF_8);
    }

    public String sign(long unixSeconds, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            mac.update((unixSeconds + ".").getBytes(StandardCharsets.UTF_8));
            mac.update(body == null ? new byte[0] : body);
            return "t=" + unixSeconds + ",v1=" + HexFormat.of().formatHex(mac.doFinal());
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException(e);
        }
    }
}
