package dev.harrier.http;

import io.smallrye.mutiny.Uni;
import io.netty.util.NetUtil;
import io.vertx.mutiny.core.Vertx;
import java.net.Inet4Address;
import java.net.Inet6Address;
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
 * every address its host resolves to must be public. Loopback, private (RFC 1918, IPv6 unique
 * local), link-local (which holds the cloud metadata address 169.254.169.254), carrier-grade NAT,
 * "this network", multicast and the IPv4-mapped forms of all of these are refused, unless the
 * operator allows private networks. The caller connects to the address checked here, not to a
 * second lookup of the name (which could answer differently: DNS rebinding).
 */
public final class AddressGuard {

    /** Why a URL may not be fetched; its message is the item error users see. */
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
    private final Map<String, Lookup> lookups = new ConcurrentHashMap<>();

    public AddressGuard(Vertx vertx, boolean allowPrivateNetworks) {
        this.vertx = vertx;
        this.allowPrivateNetworks = allowPrivateNetworks;
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
        InetAddress literal = NetUtil.createInetAddressFromIpAddressString(name);
        if (literal != null) {
            return Uni.createFrom().item(() -> check(host, List.of(literal)));
        }
        Lookup cached = lookups.get(name);
        if (cached != null && cached.expiresAt() - System.nanoTime() > 0) {
            return Uni.createFrom().item(() -> check(host, cached.addresses()));
        }
        // The JDK resolver blocks: it runs on a worker thread, never on the event loop. Unordered,
        // so that lookups of many hosts do not queue behind each other.
        return vertx.executeBlocking(() -> List.of(InetAddress.getAllByName(name)), false)
                .onFailure(UnknownHostException.class).transform(e -> new Refused("unknown host '" + host + "'"))
                .invoke(addresses -> remember(name, addresses))
                .map(addresses -> check(host, addresses));
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

    InetAddress check(String host, List<InetAddress> addresses) {
        if (allowPrivateNetworks) {
            return addresses.get(0);
        }
        for (InetAddress address : addresses) {
            String category = forbidden(address);
            if (category != null) {
                throw new Refused("'" + host + "' resolves to " + address.getHostAddress() + ", a " + category
                        + " address; set harrier.http.allow-private-networks=true to allow it");
            }
        }
        return addresses.get(0);
    }

    /** The kind of non-public address, or null for a public one. */
    static String forbidden(InetAddress address) {
        if (address instanceof Inet6Address v6) {
            byte[] b = v6.getAddress();
            InetAddress embedded = embeddedIpv4(b);
            if (embedded != null) {
                return forbidden(embedded);
            }
            if ((b[0] & 0xfe) == 0xfc) {
                return "private (unique local)";
            }
        }
        if (address.isLoopbackAddress()) {
            return "loopback";
        }
        if (address.isAnyLocalAddress()) {
            return "unspecified";
        }
        if (address.isLinkLocalAddress()) {
            return "link-local (cloud metadata)";
        }
        if (address.isSiteLocalAddress()) {
            return "private";
        }
        if (address.isMulticastAddress()) {
            return "multicast";
        }
        if (address instanceof Inet4Address v4) {
            byte[] b = v4.getAddress();
            int first = b[0] & 0xff;
            int second = b[1] & 0xff;
            if (first == 0) {
                return "\"this network\"";
            }
            if (first == 100 && second >= 64 && second <= 127) {
                return "carrier-grade NAT";
            }
            if (first >= 240) {
                return "reserved";
            }
        }
        return null;
    }

    /** The IPv4 address inside an IPv4-mapped (::ffff:a.b.c.d) or IPv4-compatible IPv6 address. */
    private static InetAddress embeddedIpv4(byte[] b) {
        for (int i = 0; i < 10; i++) {
            if (b[i] != 0) {
                return null;
            }
        }
        boolean mapped = (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff;
        boolean compatible = b[10] == 0 && b[11] == 0 && !(b[12] == 0 && b[13] == 0 && b[14] == 0 && (b[15] & 0xfe) == 0);
        if (!mapped && !compatible) {
            return null;
        }
        try {
            return InetAddress.getByAddress(new byte[] {b[12], b[13], b[14], b[15]});
        } catch (UnknownHostException e) {
            return null;
        }
    }

    private static String stripBrackets(String host) {
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }
}
