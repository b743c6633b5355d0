package dev.harrier.http;

import java.net.URI;
import java.time.Duration;
import java.util.Map;

/** What came back: status, headers, the body (cut at the configured size), time taken, final URL. */
public record OutboundReply(int status, Map<String, String> headers, byte[] body, boolean truncated,
                            Duration duration, URI url) {

    public String header(String name) {
        for (Map.Entry<String, String> entry : headers.entrySet()) {
            if (entry.getKey().equalsIgnoreCase(name)) {
                return entry.getValue();
            }
        }
        return null;
    }
}
