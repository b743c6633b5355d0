package dev.harrier.http;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs outbound bodies so that the receiver can check they come from Harrier, for what, and are
 * fresh: {@code Harrier-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<purpose>." + body>},
 * one {@code v1=} per secret that signs (after a rotation, the previous one too). The purpose
 * ({@code http}, {@code callback}, {@code notify}) is signed, so a signature made for one cannot pass
 * for another. The receiver recomputes the HMAC with its secret, compares in constant time, and
 * rejects an old {@code t}.
 */
public final class RequestSigner {

    public static final String HEADER = "Harrier-Signature";
    public static final String HTTP = "http";
    public static final String CALLBACK = "callback";
    public static final String NOTIFY = "notify";

    private RequestSigner() {
    }

    /** The header's value. */
    public static String sign(List<String> secrets, String purpose, long unixSeconds, byte[] body) {
        StringBuilder header = new StringBuilder("t=").append(unixSeconds);
        for (String secret : secrets) {
            header.append(",v1=").append(HexFormat.of().formatHex(hmac(secret, purpose, unixSeconds, body)));
        }
        return header.toString();
    }

    /** The HMAC-SHA256 of {@code "<t>.<purpose>." + body} under {@code secret}. */
    public static byte[] hmac(String secret, String purpose, long unixSeconds, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            mac.update((unixSeconds + "." + purpose + ".").getBytes(StandardCharsets.UTF_8));
            mac.update(body == null ? new byte[0] : body);
            return mac.doFinal();
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException(e);
        }
    }
}
