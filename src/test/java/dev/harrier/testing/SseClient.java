package dev.harrier.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A real streaming Server-Sent Events client over java.net.http: reads the response as it arrives
 * and parses events (id, event, data, comments) the way a browser's EventSource does.
 */
public final class SseClient implements AutoCloseable {

    /** One parsed event; {@code id} is null when the event had none; comments have name ":". */
    public record Event(String id, String name, String data) {
    }

    private static final Event END = new Event(null, "<end>", null);

    private final HttpResponse<InputStream> response;
    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final List<String> otherLines = new CopyOnWriteArrayList<>();
    private final Thread reader;

    private SseClient(HttpResponse<InputStream> response) {
        this.response = response;
        this.reader = Thread.ofVirtual().start(this::read);
    }

    public static SseClient open(String url, Map<String, String> headers) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).header("Accept", "text/event-stream").GET();
        headers.forEach(request::header);
        HttpResponse<InputStream> response = HttpClient.newHttpClient()
                .send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        return new SseClient(response);
    }

    public int status() {
        return response.statusCode();
    }

    public String contentType() {
        return response.headers().firstValue("content-type").orElse("");
    }

    /** The next event that is not a comment; null if the stream ended first. */
    public Event next(Duration timeout) throws InterruptedException {
        while (true) {
            Event event = events.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (event == null) {
                throw new AssertionError("no event within " + timeout);
            }
            if (event == END) {
                events.add(END);
                return null;
            }
            if (!event.name().equals(":")) {
                return event;
            }
        }
    }

    /** The next event or comment, or null if none arrives within the timeout. */
    public Event poll(Duration timeout) throws InterruptedException {
        Event event = events.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (event == END) {
            events.add(END);
            return null;
        }
        return event;
    }

    /** Every event (comments included) until the server closes the stream. */
    public List<Event> untilEnd(Duration timeout) throws InterruptedException {
        List<Event> all = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Event event = events.poll(Math.max(1, (deadline - System.nanoTime()) / 1_000_000), TimeUnit.MILLISECONDS);
            if (event == null) {
                throw new AssertionError("the stream did not end within " + timeout + "; got " + all);
            }
            if (event == END) {
                events.add(END);
                return all;
            }
            all.add(event);
        }
    }

    /** Lines that are none of id, event, data or a comment (a browser ignores them; the API sends none). */
    public List<String> otherLines() {
        return List.copyOf(otherLines);
    }

    public boolean ended(Duration within) throws InterruptedException {
        reader.join(within);
        return !reader.isAlive();
    }

    private void read() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            String id = null;
            String name = null;
            StringBuilder data = null;
            String line;
            while ((line = in.readLine()) != null) {
                if (line.isEmpty()) {
                    if (data != null || name != null) {
                        events.add(new Event(id, name == null ? "message" : name, data == null ? null : data.toString()));
                    }
                    id = null;
                    name = null;
                    data = null;
                } else if (line.startsWith(":")) {
                    events.add(new Event(null, ":", line.substring(1).strip()));
                } else if (line.startsWith("id:")) {
                    id = line.substring(3).strip();
                } else if (line.startsWith("event:")) {
                    name = line.substring(6).strip();
                } else if (line.startsWith("data:")) {
                    String part = line.substring(5);
                    part = part.startsWith(" ") ? part.substring(1) : part;
                    data = data == null ? new StringBuilder(part) : data.append('\n').append(part);
                } else {
                    otherLines.add(line);
                }
            }
        } catch (IOException e) {
            // Closed by us or by the server: the end of the stream either way.
        } finally {
            events.add(END);
        }
    }

    @Override
    public void close() throws IOException {
        response.body().close();
        reader.interrupt();
    }
}
