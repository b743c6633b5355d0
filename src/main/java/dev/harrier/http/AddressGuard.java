package dev.harrier.http;

import inet.ipaddr.IPAddress;
import io.netty.util.NetUtil;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Keeps outbound requests away from the service's own network: a URL must be http or https, and
 * every address its host resolves to must be globally reachable ({@link AddressRules}: the IANA
 * special-purpose ranges, multicast, cloud metadata, this host's own addresses, and the IPv4 address
 * inside NAT64 and 6to4 addresses). The operator opens what jobs may reach on purpose with
 * {@code harrier.http.allowed-targets} ({@link AllowedTargets}), or every non-public address but
 * metadata with {@code harrier.http.allow-private-networks}. The caller connects to the address
 * checked here, not to a second lookup of the name (which could answer differently: DNS
 * rebinding), and checks every redirect hop again.
 */
public final class AddressGuard {

    /**
     * Why a request is not sent: a target that may not be called, or a request that cannot be
     * (a header with a line break). Never retried; its message is the error users see.
     */
    public static final class Refused extends RuntimeException {
        public Refused(String message) {
            super(message, null, false, false);
        }
    }

    private static final Duration LOOKUP_TTL = Duration.ofSeconds(30);
    private static final int MAX_CACHED_LOOKUPS = 10_000;

    private record Lookup(List<InetAddress> addresses, long expiresAt) {
    }

    private final Vertx vertx;
    private final boolean allowPrivateNetworks;
    private final AllowedTargets allowed;
    private final LocalAddresses local = new LocalAddresses();
    private final Map<String, Lookup> lookups = new ConcurrentHashMap<>();

    public AddressGuard(Vertx vertx, boolean allowPrivateNetworks, List<String> allowedTargets) {
        this.vertx = vertx;
        this.allowPrivateNetworks = allowPrivateNetworks;
        this.allowed = AllowedTargets.parse(allowedTargets);
    }

    /** The address to connect to for {@code url}, after the checks; fails with {@link Refused}. */
    public Uni<InetAddress> resolve(URI url) {
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            return Uni.createFrom().failure(new Refused("only http and https URLs are fetched, not '" + url.getScheme() + "'"));
        }
        String host = url.getHost();
        if (host == null || host.isBlank()) {
            return Uni.createFrom().failure(new Refused("the URL has no host"));
        }
        String name = stripBrackets(host);
        int port = url.getPort() > 0 ? url.getPort() : scheme.equals("https") ? 443 : 80;
        InetAddress literal = NetUtil.createInetAddressFromIpAddressString(name);
        if (literal != null) {
            return Uni.createFrom().item(() -> check(host, port, List.of(literal)));
        }
        Lookup cached = lookups.get(name);
        if (cached != null && cached.expiresAt() - System.nanoTime() > 0) {
            return Uni.createFrom().item(() -> check(host, port, cached.addresses()));
        }
        // The JDK resolver blocks: it runs on a worker thread, never on the event loop. Unordered,
        // so that lookups of many hosts do not queue behind each other.
        return vertx.executeBlocking(() -> List.of(InetAddress.getAllByName(name)), false)
                .onFailure(UnknownHostException.class).transform(e -> new Refused("unknown host '" + host + "'"))
                .invoke(addresses -> remember(name, addresses))
                .map(addresses -> check(host, port, addresses));
    }

    /**
     * A job of 10,000 pages of one site would otherwise hop to a worker thread 10,000 times for the
     * same answer. Kept as long as the JDK keeps a positive answer by default; the address checked
     * is still the one connected to.
     */
    private void remember(String name, List<InetAddress> addresses) {
        if (lookups.size() >= MAX_CACHED_LOOKUPS) {
            lookups.clear();
        }
        lookups.put(name, new Lookup(addresses, System.nanoTime() + LOOKUP_TTL.toNanos()));
    }

    InetAddress check(String host, int port, List<InetAddress> addresses) {
        for (InetAddress address : addresses) {
            IPAddress ip = AddressRules.of(address);
            if (allowed.allows(host, port, ip)) {
                continue;
            }
            if (AddressRules.isMetadata(ip)) {
                throw new Refused("'" + host + "' resolves to " + address.getHostAddress()
                        + " (cloud metadata); only HARRIER_HTTP_ALLOWED_TARGETS naming that address itself allows it");
            }
            if (allowPrivateNetworks) {
                continue;
            }
            String category = AddressRules.forbidden(ip);
            IPAddress carried = AddressRules.embeddedIpv4(ip);
            if (category == null && (local.contains(ip) || (carried != null && local.contains(carried)))) {
                category = "an address of this host";
            }
            if (category != null) {
                throw new Refused("'" + host + "' resolves to " + address.getHostAddress() + " (" + category
                        + "), which jobs may not call; list it in HARRIER_HTTP_ALLOWED_TARGETS (a block or host:port) to allow it");
            }
        }
        return addresses.get(0);
    }

    /** The kind of address that is not globally reachable, or null for a public one (this host's own aside). */
    static String forbidden(InetAddress address) {
        return AddressRules.forbidden(AddressRules.of(address));
    }

    private static String stripBrackets(String host) {
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }
}
