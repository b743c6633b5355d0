package dev.harrier.secret;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The secrets one attempt uses, decrypted in its memory only. {@link #fill} puts a value into a
 * request to a host its {@code allowedHosts} list (checked again at every redirect hop);
 * {@link #redact} replaces every value, raw, JSON-escaped, percent-encoded or base64, by
 * {@code [secret:NAME]} in whatever comes back, before anything is stored or logged.
 */
public final class SecretValues {

    /** {@code {{secret:NAME}}}: what a job's strings hold instead of a value. */
    public static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{secret:([A-Z][A-Z0-9_]{0,63})}}");

    public static final SecretValues NONE = new SecretValues(Map.of(), Set.of());

    /** One secret: its value, the hosts it may be sent to (empty: any), and the forms redaction looks for. */
    public record Secret(String name, String value, List<String> allowedHosts) {
    }

    private record Form(String text, String name) {
    }

    private final Map<String, Secret> secrets;
    private final Set<String> missing;
    private final List<Form> forms = new ArrayList<>();

    /** @param missing names the job uses that no longer exist: filling one fails the attempt */
    public SecretValues(Map<String, Secret> secrets, Set<String> missing) {
        this.secrets = Map.copyOf(secrets);
        this.missing = Set.copyOf(missing);
        for (Secret secret : secrets.values()) {
            for (String form : forms(secret.value())) {
                forms.add(new Form(form, secret.name()));
            }
        }
        // Longest first: a value that holds another is replaced whole.
        forms.sort(Comparator.comparingInt((Form f) -> f.text().length()).reversed());
    }

    /** The names of the placeholders in a text (a job's args, a callback), in order of first use. */
    public static Set<String> namesIn(String text) {
        Set<String> names = new LinkedHashSet<>();
        if (text == null || !text.contains("{{secret:")) {
            return names;
        }
        Matcher matcher = PLACEHOLDER.matcher(text);
        while (matcher.find()) {
            names.add(matcher.group(1));
        }
        return names;
    }

    public boolean isEmpty() {
        return secrets.isEmpty() && missing.isEmpty();
    }

    /** The names this attempt holds values of (for a remote worker's claim). */
    public Set<String> names() {
        return secrets.keySet();
    }

    /**
     * The text with its placeholders filled, for a request to {@code host}; a
     * {@link SecretRefused} when a secret is gone or may not go there.
     */
    public String fill(String text, String host) {
        return fill(text, host, UnaryOperator.identity(), false);
    }

    /**
     * A request body with its placeholders filled as its {@code Content-Type} needs: JSON-escaped
     * in JSON, percent-encoded in a form, as they are in anything else.
     */
    public String fillBody(String body, String contentType, String host) {
        String type = contentType == null ? "" : contentType.toLowerCase(Locale.ROOT);
        if (type.contains("json")) {
            return fill(body, host, SecretValues::jsonEscaped, false);
        }
        if (type.startsWith("application/x-www-form-urlencoded")) {
            return fill(body, host, value -> URLEncoder.encode(value, StandardCharsets.UTF_8), false);
        }
        return fill(body, host, UnaryOperator.identity(), false);
    }

    /**
     * The placeholders filled, each value encoded by {@code encode}. A name not held here fails
     * with {@code secret_unavailable}, or with {@code keepOthers} stays a placeholder (a remote
     * claim holds only the secrets of its kind).
     */
    private String fill(String text, String host, UnaryOperator<String> encode, boolean keepOthers) {
        if (text == null || !text.contains("{{secret:")) {
            return text;
        }
        Matcher matcher = PLACEHOLDER.matcher(text);
        StringBuilder filled = new StringBuilder();
        while (matcher.find()) {
            String name = matcher.group(1);
            Secret secret = secrets.get(name);
            if (secret == null && keepOthers) {
                matcher.appendReplacement(filled, Matcher.quoteReplacement(matcher.group()));
                continue;
            }
            if (secret == null) {
                throw new SecretRefused(SecretRefused.UNAVAILABLE, "the secret " + name + " does not exist (deleted since the job was enqueued)");
            }
            if (host != null && !allowed(secret.allowedHosts(), host)) {
                throw new SecretRefused(SecretRefused.NOT_ALLOWED, "the secret " + name + " may not be sent to " + host
                        + " (its allowedHosts: " + String.join(", ", secret.allowedHosts()) + ")");
            }
            matcher.appendReplacement(filled, Matcher.quoteReplacement(encode.apply(secret.value())));
        }
        matcher.appendTail(filled);
        return filled.toString();
    }

    /**
     * JSON text (a remote worker's claimed args) with the placeholders of the secrets held here
     * filled in, JSON-escaped; those of other secrets stay as they are.
     */
    public String fillJson(String json) {
        return fill(json, null, SecretValues::jsonEscaped, true);
    }

    /** Whether the text names a secret that no longer exists (checked before an attempt starts). */
    public Set<String> missing() {
        return missing;
    }

    /** The text with every known form of every value replaced by {@code [secret:NAME]}. */
    public String redact(String text) {
        if (text == null || forms.isEmpty()) {
            return text;
        }
        String result = text;
        for (Form form : forms) {
            if (result.contains(form.text())) {
                result = result.replace(form.text(), "[secret:" + form.name() + "]");
            }
        }
        return result;
    }

    /**
     * Bytes of any encoding: compared byte for byte (as ISO-8859-1, which maps every byte to one
     * character) with the UTF-8 bytes of each form.
     */
    public byte[] redact(byte[] bytes) {
        if (bytes == null || forms.isEmpty()) {
            return bytes;
        }
        String asBytes = new String(bytes, StandardCharsets.ISO_8859_1);
        String result = asBytes;
        for (Form form : forms) {
            String needle = new String(form.text().getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
            if (result.contains(needle)) {
                result = result.replace(needle, "[secret:" + form.name() + "]");
            }
        }
        return result == asBytes ? bytes : result.getBytes(StandardCharsets.ISO_8859_1);
    }

    static boolean allowed(List<String> allowedHosts, String host) {
        if (allowedHosts == null || allowedHosts.isEmpty()) {
            return true;
        }
        String target = host.toLowerCase(Locale.ROOT);
        for (String pattern : allowedHosts) {
            String p = pattern.toLowerCase(Locale.ROOT);
            if (p.startsWith("*.") ? target.endsWith(p.substring(1)) && target.length() > p.length() - 1 : target.equals(p)) {
                return true;
            }
        }
        return false;
    }

    /** The forms a value can come back in: raw, JSON-escaped, percent-encoded (both spaces), base64 (both alphabets). */
    static Set<String> forms(String value) {
        Set<String> forms = new LinkedHashSet<>();
        forms.add(value);
        forms.add(jsonEscaped(value));
        String percent = URLEncoder.encode(value, StandardCharsets.UTF_8);
        forms.add(percent);
        forms.add(percent.replace("+", "%20"));
        forms.add(lowerHex(percent));
        byte[] raw = value.getBytes(StandardCharsets.UTF_8);
        String base64 = Base64.getEncoder().encodeToString(raw);
        forms.add(base64);
        forms.add(stripPadding(base64));
        String url = Base64.getUrlEncoder().encodeToString(raw);
        forms.add(url);
        forms.add(stripPadding(url));
        forms.removeIf(String::isEmpty);
        return forms;
    }

    private static String jsonEscaped(String value) {
        return new String(JsonStringEncoder.getInstance().quoteAsString(value));
    }

    private static String stripPadding(String base64) {
        int end = base64.length();
        while (end > 0 && base64.charAt(end - 1) == '=') {
            end--;
        }
        return base64.substring(0, end);
    }

    private static String lowerHex(String percent) {
        StringBuilder lower = new StringBuilder(percent.length());
        for (int i = 0; i < percent.length(); i++) {
            char c = percent.charAt(i);
            boolean escaped = (i >= 1 && percent.charAt(i - 1) == '%') || (i >= 2 && percent.charAt(i - 2) == '%');
            lower.append(escaped ? Character.toLowerCase(c) : c);
        }
        return lower.toString();
    }
}
