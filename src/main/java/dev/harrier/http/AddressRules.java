package dev.harrier.http;

import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressString;
import inet.ipaddr.ipv4.IPv4Address;
import inet.ipaddr.ipv6.IPv6Address;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.List;
import java.util.Set;

/**
 * Which addresses an outbound request may not reach: every range that IANA's special-purpose
 * address registries mark as not globally reachable (checked against the registries of
 * 2026-11), multicast, the cloud metadata addresses, and this host's own addresses. Addresses
 * that carry an IPv4 address inside an IPv6 one (IPv4-mapped and -compatible, NAT64's
 * {@code 64:ff9b::/96}, 6to4's {@code 2002::/16}) are judged by the IPv4 address they carry, which
 * is where a translator or relay would send the request. Parsing, containment and the embedded
 * addresses come from the IPAddress library; the tables below are the registries' data.
 *
 * <p>Where the registries list a few globally reachable anycast addresses inside a larger
 * non-global block ({@code 192.0.0.9}, {@code 192.0.0.10}, some of {@code 2001::/23}), the whole
 * block is refused: none of them is a web service a job would call.
 */
final class AddressRules {

    private record Range(IPAddress block, String category) {
        static Range of(String cidr, String category) {
            return new Range(new IPAddressString(cidr).getAddress().toPrefixBlock(), category);
        }
    }

    private static final List<Range> IPV4 = List.of(
            Range.of("0.0.0.0/8", "\"this network\""),
            Range.of("10.0.0.0/8", "private"),
            Range.of("100.64.0.0/10", "carrier-grade NAT"),
            Range.of("127.0.0.0/8", "loopback"),
            Range.of("169.254.0.0/16", "link-local"),
            Range.of("172.16.0.0/12", "private"),
            Range.of("192.0.0.0/24", "IETF protocol assignment"),
            Range.of("192.0.2.0/24", "documentation (TEST-NET-1)"),
            Range.of("192.88.99.0/24", "6to4 relay anycast (deprecated)"),
            Range.of("192.168.0.0/16", "private"),
            Range.of("198.18.0.0/15", "benchmarking"),
            Range.of("198.51.100.0/24", "documentation (TEST-NET-2)"),
            Range.of("203.0.113.0/24", "documentation (TEST-NET-3)"),
            Range.of("224.0.0.0/4", "multicast"),
            Range.of("240.0.0.0/4", "reserved"));

    private static final List<Range> IPV6 = List.of(
            Range.of("::/128", "unspecified"),
            Range.of("::1/128", "loopback"),
            Range.of("64:ff9b:1::/48", "local-use IPv4/IPv6 translation"),
            Range.of("100::/64", "discard-only"),
            Range.of("100:0:0:1::/64", "dummy prefix"),
            Range.of("2001::/23", "IETF protocol assignment"),
            Range.of("2001:db8::/32", "documentation"),
            Range.of("3fff::/20", "documentation"),
            Range.of("5f00::/16", "segment routing"),
            Range.of("fc00::/7", "private (unique local)"),
            Range.of("fe80::/10", "link-local"),
            Range.of("fec0::/10", "site-local (deprecated)"),
            Range.of("ff00::/8", "multicast"));

    /** IPv6 allocates global unicast addresses from this block only (RFC 4291); the rest is reserved or special. */
    private static final IPAddress GLOBAL_UNICAST = Range.of("2000::/3", "global unicast").block();

    /**
     * Instance metadata services (AWS, GCP, Azure, Oracle, OpenStack; ECS task metadata;
     * Alibaba; AWS's IPv6 endpoint; Azure's wire server, a public-looking address): reachable only
     * when {@code harrier.http.allowed-targets} names the address itself.
     */
    static final Set<IPAddress> METADATA = Set.of(
            address("169.254.169.254"), address("169.254.170.2"), address("169.254.169.253"),
            address("100.100.100.200"), address("168.63.129.16"), address("fd00:ec2::254"));

    private AddressRules() {
    }

    static IPAddress address(String text) {
        return new IPAddressString(text).getAddress().withoutPrefixLength();
    }

    static IPAddress of(InetAddress address) {
        if (address instanceof Inet4Address v4) {
            return new IPv4Address(v4);
        }
        // The zone of a link-local address is not part of what it reaches.
        return new IPv6Address(((Inet6Address) address).getAddress());
    }

    static boolean isMetadata(IPAddress address) {
        IPAddress target = embeddedIpv4(address);
        return METADATA.contains(address) || (target != null && METADATA.contains(target));
    }

    /** The kind of address that is not globally reachable, or null for one that is. */
    static String forbidden(IPAddress address) {
        if (isMetadata(address)) {
            return "cloud metadata";
        }
        if (address instanceof IPv6Address v6) {
            IPv4Address embedded = embeddedIpv4(v6);
            if (embedded != null) {
                String inner = forbidden(embedded);
                return inner == null ? null : inner + " (inside " + v6.toCompressedString() + ")";
            }
        }
        for (Range range : address.isIPv4() ? IPV4 : IPV6) {
            if (range.block().contains(address)) {
                return range.category();
            }
        }
        if (address.isIPv6() && !GLOBAL_UNICAST.contains(address)) {
            return "reserved (outside the global unicast 2000::/3)";
        }
        return null;
    }

    /** The IPv4 address an IPv6 address carries to: mapped, compatible, NAT64 (well-known prefix), 6to4. */
    static IPv4Address embeddedIpv4(IPAddress address) {
        if (!(address instanceof IPv6Address v6)) {
            return null;
        }
        if (v6.isIPv4Mapped() || (v6.isIPv4Compatible() && !v6.isUnspecified() && !v6.isLoopback())
                || v6.isWellKnownIPv4Translatable()) {
            return v6.getEmbeddedIPv4Address();
        }
        if (v6.is6To4()) {
            return v6.get6To4IPv4Address();
        }
        return null;
    }
}
