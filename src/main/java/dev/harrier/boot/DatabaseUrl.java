package dev.harrier.boot;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * A PostgreSQL connection given as one URL, {@code postgresql://user:password@host:5432/database},
 * the form that Supabase, Fly.io, Neon and Heroku print. Harrier turns it into the reactive URL used
 * at run time and the JDBC URL used for migrations.
 */
public record DatabaseUrl(String host, int port, String database, String user, String password, String query) {

    static final int DEFAULT_PORT = 5432;
    private static final String EXPECTED = "expected postgresql://user:password@host:5432/database";

    /** Parses the URL; a {@link StartupProblem} names what is wrong without echoing the password. */
    public static DatabaseUrl parse(String source, String name) {
        String text = source.strip();
        if (text.startsWith("jdbc:")) {
            text = text.substring("jdbc:".length());
        }
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            throw new StartupProblem(name + " is not a URL (" + EXPECTED + ")");
        }
        String scheme = uri.getScheme();
        if (scheme == null || !(scheme.equals("postgresql") || scheme.equals("postgres"))) {
            throw new StartupProblem(name + " must start with postgresql:// (" + EXPECTED + ")");
        }
        if (uri.getHost() == null || uri.getHost().isBlank()) {
            throw new StartupProblem(name + " has no host (" + EXPECTED + ")");
        }
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        String database = decode(path.startsWith("/") ? path.substring(1) : path);
        if (database.isBlank()) {
            throw new StartupProblem(name + " names no database (" + EXPECTED + ")");
        }
        String user = null;
        String password = null;
        String userInfo = uri.getRawUserInfo();
        if (userInfo != null) {
            int colon = userInfo.indexOf(':');
            user = decode(colon < 0 ? userInfo : userInfo.substring(0, colon));
            password = colon < 0 ? null : decode(userInfo.substring(colon + 1));
        }
        int port = uri.getPort() < 0 ? DEFAULT_PORT : uri.getPort();
        return new DatabaseUrl(uri.getHost(), port, database, user, password, uri.getRawQuery());
    }

    /** The URL for the Vert.x reactive client, credentials left out (they are set separately). */
    public String reactiveUrl() {
        return "postgresql://" + hostAndPort() + "/" + database + suffix();
    }

    /** The URL for the JDBC driver that Flyway migrates with. */
    public String jdbcUrl() {
        return "jdbc:postgresql://" + hostAndPort() + "/" + database + suffix();
    }

    /** Where this URL points, safe to print: no credentials. */
    public String describe() {
        return (user == null ? "" : user + "@") + hostAndPort() + "/" + database;
    }

    private String hostAndPort() {
        String h = host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
        return h + ":" + port;
    }

    private String suffix() {
        return query == null || query.isBlank() ? "" : "?" + query;
    }

    private static String decode(String part) {
        return URLDecoder.decode(part.replace("+", "%2B"), StandardCharsets.UTF_8);
    }
}
