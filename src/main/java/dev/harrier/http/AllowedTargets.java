package dev.harrier.http;

import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressString;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The targets an operator opened on purpose ({@code harrier.http.allowed-targets}): address
 * blocks (CIDR, or one address) and {@code host:port} pairs, such as a local stub or an app on
 * Fly's private network ({@code my-app.internal:3000}). A listed block lets its addresses through
 * whatever range they are in; a listed {@code host:port} lets that name and port through whatever
 * it resolves to. Cloud metadata addresses pass only when an entry names the address itself: a
 * block that contains one, or a name that resolves to one, does not open it.
 */
final class AllowedTargets {

    private static final Pattern HOST_PORT = Pattern.compile("(\\[[^\\]]+\\]|[^:\\[\\]/]+):(\\d{1,5})");

    private final List<IPAddress> blocks;
    private final Set<String> hostPorts;

    private AllowedTargets(List<IPAddress> blocks, Set<String> hostPorts) {
        this.blocks = blocks;
        this.hostPorts = hostPorts;
    }

    static final AllowedTargets NONE = new AllowedTargets(List.of(), Set.of());

    /** Parses the setting; an entry that is neither a block nor {@code host:port} is refused with its text. */
    static AllowedTargets parse(List<String> entries) {
        List<IPAddress> blocks = new ArrayList<>();
        List<String> hostPorts = new ArrayList<>();
        for (String raw : entries) {
            String entry = raw.trim();
            if (entry.isEmpty()) {
                continue;
            }
            IPAddressString block = new IPAddressString(entry);
            Matcher hostPort = HOST_PORT.matcher(entry);
            if (block.isIPAddress()) {
                blocks.add(block.getAddress().toPrefixBlock());
            } else if (hostPort.matches() && Integer.parseInt(hostPort.group(2)) <= 65_535) {
                hostPorts.add(key(hostPort.group(1), Integer.parseInt(hostPort.group(2))));
            } else {
                throw new IllegalArgumentException("harrier.http.allowed-targets: '" + entry
                        + "' is neither an address block (10.0.0.0/8, fd00::/8, 127.0.0.1) nor host:port");
            }
        }
        return new AllowedTargets(List.copyOf(blocks), Set.copyOf(hostPorts));
    }

    boolean isEmpty() {
        return blocks.isEmpty() && hostPorts.isEmpty();
    }

    /** Whether the target may be called although its address is not public. */
    boolean allows(String host, int port, IPAddress address) {
        if (AddressRules.isMetadata(address)) {
            return namesItself(address);
        }
        if (hostPorts.contains(key(host, port))) {
            return true;
        }
        for (IPAddress block : blocks) {
            if (block.contains(address)) {
                return true;
            }
        }
        return false;
    }

    private boolean namesItself(IPAddress address) {
        for (IPAddress block : blocks) {
            if (block.getCount().equals(BigInteger.ONE) && block.contains(address)) {
                return true;
            }
        }
        return false;
    }

    private static String key(String host, int port) {
        String name = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        return name.toLowerCase(Locale.ROOT) + ":" + port;
    }
}
