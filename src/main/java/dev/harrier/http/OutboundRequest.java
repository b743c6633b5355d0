package dev.harrier.http;

import java.net.URI;
import java.time.Duration;
import java.util.Map;

/** One HTTP request to send: {@code body} may be null. */
public record OutboundRequest(String method, URI url, Map<String, String> headers, byte[] body, Duration timeout) {
}
