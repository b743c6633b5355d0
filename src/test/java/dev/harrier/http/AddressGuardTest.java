package dev.harrier.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.mutiny.core.Vertx;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.URI;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AddressGuardTest {

    private static final Vertx VERTX = Vertx.vertx();
    private final AddressGuard guard = new AddressGuard(VERTX, false, List.of());

    @AfterAll
    static void close() {
        VERTX.closeAndAwait();
    }

    @ParameterizedTest(name = "{0} is {1}")
    @CsvSource(delimiter = '|', value = {
            "127.0.0.1 | loopback",
            "127.255.0.9 | loopback",
            "::1 | loopback",
            "10.1.2.3 | private",
            "172.16.0.1 | private",
            "172.31.255.255 | private",
            "192.168.1.1 | private",
            "169.254.169.254 | cloud metadata",
            "169.254.170.2 | cloud metadata",
            "168.63.129.16 | cloud metadata",
            "fd00:ec2::254 | cloud metadata",
            "169.254.1.1 | link-local",
            "fe80::1 | link-local",
            "fd12:3456::1 | private (unique local)",
            "::ffff:127.0.0.1 | loopback",
            "::ffff:169.254.169.254 | cloud metadata",
            "0.0.0.0 | \"this network\"",
            ":: | unspecified",
            "0.1.2.3 | \"this network\"",
            "100.64.0.1 | carrier-grade NAT",
            "224.0.0.1 | multicast",
            "ff02::1 | multicast",
            "255.255.255.255 | reserved",
            // The special-purpose ranges the first guard let through.
            "192.0.2.10 | documentation (TEST-NET-1)",
            "198.51.100.7 | documentation (TEST-NET-2)",
            "203.0.113.99 | documentation (TEST-NET-3)",
            "198.18.0.1 | benchmarking",
            "198.19.255.254 | benchmarking",
            "192.0.0.8 | IETF protocol assignment",
            "192.88.99.1 | 6to4 relay anycast (deprecated)",
            "2001:db8::1 | documentation",
            "3fff::1 | documentation",
            "2001:2::1 | IETF protocol assignment",
            "100::1 | discard-only",
            "64:ff9b:1::a9fe:a9fe | local-use IPv4/IPv6 translation",
            // NAT64 and 6to4 carry an IPv4 address: judged by it.
            "64:ff9b::a9fe:a9fe | cloud metadata",
            "64:ff9b::7f00:1 | loopback (inside 64:ff9b::7f00:1)",
            "64:ff9b::a00:1 | private (inside 64:ff9b::a00:1)",
            "2002:a9fe:a9fe::1 | cloud metadata",
            "2002:7f00:1::1 | loopback (inside 2002:7f00:1::1)",
            "2002:c000:0201::1 | documentation (TEST-NET-1) (inside 2002:c000:201::1)",
    })
    void addressesThatAreNotGloballyReachableAreNamed(String address, String category) throws Exception {
        assertThat(AddressGuard.forbidden(InetAddress.getByName(address))).isEqualTo(category);
    }

    @ParameterizedTest
    @CsvSource({"93.184.216.34", "8.8.8.8", "172.32.0.1", "100.128.0.1", "2606:4700:4700::1111",
            "64:ff9b::808:808", "2002:808:808::1", "192.0.3.1", "198.20.0.1"})
    void publicAddressesPass(String address) throws Exception {
        assertThat(AddressGuard.forbidden(InetAddress.getByName(address))).isNull();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "http://[::ffff:169.254.169.254]/latest/meta-data/",
            "http://[::ffff:127.0.0.1]:8080/",
            "http://[::1]/",
            "http://[fd00:ec2::254]/",
            "http://169.254.169.254/computeMetadata/v1/",
            "http://0.0.0.0:8080/",
            "http://2130706433/",
            "http://0x7f.0.0.1/",
            "http://[64:ff9b::a9fe:a9fe]/latest/meta-data/",
            "http://[2002:a9fe:a9fe::1]/latest/meta-data/",
            "http://[64:ff9b::127.0.0.1]:8080/",
            "http://198.18.0.1/",
            "http://192.0.2.1/",
    })
    void literalAddressesInUrlsAreRefusedInEverySpelling(String url) {
        assertThatThrownBy(() -> guard.resolve(URI.create(url)).await().atMost(Duration.ofSeconds(20)))
                .isInstanceOf(AddressGuard.Refused.class);
    }

    @Test
    void aHostNameIsResolvedBeforeTheCheck() {
        assertThatThrownBy(() -> guard.resolve(URI.create("http://localhost:8080/x")).await().atMost(Duration.ofSeconds(10)))
                .isInstanceOf(AddressGuard.Refused.class)
                .hasMessageContaining("'localhost' resolves to")
                .hasMessageContaining("loopback")
                .hasMessageContaining("HARRIER_HTTP_ALLOWED_TARGETS");
    }

    @Test
    void onlyHttpAndHttpsAreFetched() {
        assertThatThrownBy(() -> guard.resolve(URI.create("file:///etc/passwd")).await().atMost(Duration.ofSeconds(10)))
                .isInstanceOf(AddressGuard.Refused.class).hasMessageContaining("only http and https");
        assertThatThrownBy(() -> guard.resolve(URI.create("gopher://example.com/")).await().atMost(Duration.ofSeconds(10)))
                .isInstanceOf(AddressGuard.Refused.class);
    }

    @Test
    void privateNetworksPassWhenTheOperatorAllowsThemButCloudMetadataDoesNot() {
        AddressGuard allowing = new AddressGuard(VERTX, true, List.of());

        InetAddress address = allowing.resolve(URI.create("http://127.0.0.1:9/")).await().atMost(Duration.ofSeconds(10));

        assertThat(address.isLoopbackAddress()).isTrue();
        assertThatThrownBy(() -> allowing.resolve(URI.create("http://169.254.169.254/")).await().atMost(Duration.ofSeconds(10)))
                .isInstanceOf(AddressGuard.Refused.class).hasMessageContaining("cloud metadata");
    }

    @Test
    void allowedTargetsOpenTheirBlocksAndHostPortsAndNothingElse() {
        AddressGuard allowing = new AddressGuard(VERTX, false, List.of("127.0.0.0/8", "localhost:7000", "fd00::/8"));

        assertThat(allowing.resolve(URI.create("http://127.0.0.1:9/")).await().atMost(Duration.ofSeconds(10)).isLoopbackAddress()).isTrue();
        assertThat(allowing.resolve(URI.create("http://localhost:7000/")).await().atMost(Duration.ofSeconds(10)).isLoopbackAddress()).isTrue();
        assertThat(allowing.resolve(URI.create("http://[fd12::1]/")).await().atMost(Duration.ofSeconds(10))).isNotNull();
        assertThatThrownBy(() -> allowing.resolve(URI.create("http://10.0.0.1/")).await().atMost(Duration.ofSeconds(10)))
                .isInstanceOf(AddressGuard.Refused.class).hasMessageContaining("private");
        assertThatThrownBy(() -> allowing.resolve(URI.create("http://192.168.0.1:7000/")).await().atMost(Duration.ofSeconds(10)))
                .as("host:port is the name as written, not any host on that port").isInstanceOf(AddressGuard.Refused.class);
        assertThatThrownBy(() -> allowing.resolve(URI.create("http://[fd00:ec2::254]/")).await().atMost(Duration.ofSeconds(10)))
                .as("a block holding a metadata address does not open it").isInstanceOf(AddressGuard.Refused.class)
                .hasMessageContaining("cloud metadata");
    }

    @Test
    void aMetadataAddressPassesOnlyWhenListedItself() {
        AddressGuard broad = new AddressGuard(VERTX, false, List.of("169.254.0.0/16"));
        AddressGuard exact = new AddressGuard(VERTX, false, List.of("169.254.169.254"));

        assertThatThrownBy(() -> broad.resolve(URI.create("http://169.254.169.254/")).await().atMost(Duration.ofSeconds(10)))
                .isInstanceOf(AddressGuard.Refused.class);
        assertThat(broad.resolve(URI.create("http://169.254.1.1/")).await().atMost(Duration.ofSeconds(10))).isNotNull();
        assertThat(exact.resolve(URI.create("http://169.254.169.254/")).await().atMost(Duration.ofSeconds(10))).isNotNull();
    }

    /** On this project's machines eth0 is 192.0.2.2, a TEST-NET-1 address the first guard let through. */
    @Test
    void thisHostsOwnAddressesAreRefusedWhateverTheirRange() throws Exception {
        for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            for (InetAddress own : Collections.list(nic.getInetAddresses())) {
                String literal = own instanceof Inet6Address ? "[" + own.getHostAddress().replaceAll("%.*", "") + "]"
                        : own.getHostAddress();
                assertThatThrownBy(() -> guard.resolve(URI.create("http://" + literal + ":9000/q/metrics")).await()
                        .atMost(Duration.ofSeconds(10)))
                        .as(literal).isInstanceOf(AddressGuard.Refused.class);
            }
        }
        assertThat(guard.check("host", 80, List.of(InetAddress.getByName("8.8.8.8")))).isNotNull();
    }

    @Test
    void anAllowedTargetThatIsNeitherABlockNorHostPortStopsTheStart() {
        assertThatThrownBy(() -> new AddressGuard(VERTX, false, List.of("http://app.internal:3000")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'http://app.internal:3000'");
    }

    @Test
    void anUnknownHostIsRefusedWithItsName() {
        assertThatThrownBy(() -> guard.resolve(URI.create("https://no-such-host.invalid/")).await().atMost(Duration.ofSeconds(20)))
                .isInstanceOf(AddressGuard.Refused.class).hasMessageContaining("unknown host 'no-such-host.invalid'");
    }
}
