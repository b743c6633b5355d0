package dev.harrier.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.mutiny.core.Vertx;
import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AddressGuardTest {

    private static final Vertx VERTX = Vertx.vertx();
    private final AddressGuard guard = new AddressGuard(VERTX, false);

    @AfterAll
    static void close() {
        VERTX.closeAndAwait();
    }

    @ParameterizedTest(name = "{0} is {1}")
    @CsvSource({
            "127.0.0.1, loopback",
            "127.255.0.9, loopback",
            "::1, loopback",
            "10.1.2.3, private",
            "172.16.0.1, private",
            "172.31.255.255, private",
            "192.168.1.1, private",
            "169.254.169.254, link-local (cloud metadata)",
            "fe80::1, link-local (cloud metadata)",
            "fd00:ec2::254, private (unique local)",
            "::ffff:127.0.0.1, loopback",
            "::ffff:169.254.169.254, link-local (cloud metadata)",
            "0.0.0.0, unspecified",
            "100.64.0.1, carrier-grade NAT",
            "224.0.0.1, multicast",
    })
    void nonPublicAddressesAreNamed(String address, String category) throws Exception {
        assertThat(AddressGuard.forbidden(InetAddress.getByName(address))).isEqualTo(category);
    }

    @ParameterizedTest
    @CsvSource({"93.184.216.34", "8.8.8.8", "172.32.0.1", "100.128.0.1", "2606:4700:4700::1111"})
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
                .hasMessageContaining("harrier.http.allow-private-networks");
    }

    @Test
    void onlyHttpAndHttpsAreFetched() {
        assertThatThrownBy(() -> guard.resolve(URI.create("file:///etc/passwd")).await().atMost(Duration.ofSeconds(10)))
                .isInstanceOf(AddressGuard.Refused.class).hasMessageContaining("only http and https");
        assertThatThrownBy(() -> guard.resolve(URI.create("gopher://example.com/")).await().atMost(Duration.ofSeconds(10)))
                .isInstanceOf(AddressGuard.Refused.class);
    }

    @Test
    void privateNetworksPassWhenTheOperatorAllowsThem() {
        AddressGuard allowing = new AddressGuard(VERTX, true);

        InetAddress address = allowing.resolve(URI.create("http://127.0.0.1:9/")).await().atMost(Duration.ofSeconds(10));

        assertThat(address.isLoopbackAddress()).isTrue();
    }

    @Test
    void anUnknownHostIsRefusedWithItsName() {
        assertThatThrownBy(() -> guard.resolve(URI.create("https://no-such-host.invalid/")).await().atMost(Duration.ofSeconds(20)))
                .isInstanceOf(AddressGuard.Refused.class).hasMessageContaining("unknown host 'no-such-host.invalid'");
    }
}
