package dev.harrier.http;

import inet.ipaddr.IPAddress;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.Collections;
import java.util.HashSet;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * This host's own interface addresses, read again at most once a {@link #REFRESH_NANOS}: on a
 * machine whose address is public (or in a range nobody listed as private), a job aimed at it
 * would otherwise reach every service of the host bound to all interfaces, Harrier's management
 * port included.
 */
final class LocalAddresses {

    private static final Logger LOG = Logger.getLogger(LocalAddresses.class);
    private static final long REFRESH_NANOS = 60_000_000_000L;

    private volatile Set<IPAddress> addresses = Set.of();
    private volatile long readAt;

    boolean contains(IPAddress address) {
        long now = System.nanoTime();
        if (readAt == 0 || now - readAt > REFRESH_NANOS) {
            addresses = read();
            readAt = now;
        }
        return addresses.contains(address);
    }

    private static Set<IPAddress> read() {
        Set<IPAddress> found = new HashSet<>();
        try {
            for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                for (InetAddress address : Collections.list(nic.getInetAddresses())) {
                    found.add(AddressRules.of(address));
                }
            }
        } catch (SocketException e) {
            LOG.warnf("this host's addresses could not be read (%s); only the listed ranges are refused", e.getMessage());
        }
        return Set.copyOf(found);
    }
}
