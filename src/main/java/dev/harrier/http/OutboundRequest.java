package dev.harrier.http;

import dev.harrier.secret.SecretValues;
import java.net.URI;
import java.time.Duration;
import java.util.Map;

/**
 * One HTTP request to send: {@code body} may be null. Its header values and body may hold
 * {@code {{secret:NAME}}}: {@link OutboundHttp} fills them from {@code secrets} for each hop whose
 * host the secret allows, and redacts the values from what comes back.
 */
public record OutboundRequest(String method, URI url, Map<String, String> headers, byte[] body, Duration timeout,
                              SecretValues secrets) {

    public OutboundRequest {
        secrets = secrets == null ? SecretValues.NONE : secrets;
    }

    /** A request that uses no secret. */
    public OutboundRequest(String method, URI url, Map<String, String> headers, byte[] body, Duration timeout) {
        this(method, url, headers, body, timeout, SecretValues.NONE);
    }
}
