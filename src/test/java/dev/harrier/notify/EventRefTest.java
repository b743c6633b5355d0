package dev.harrier.notify;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;
import org.junit.jupiter.api.Test;

class EventRefTest {

    @Test
    void aPayloadOfManyReferencesIsParsedAndForeignPartsAreSkipped() {
        UUID a = UUID.randomUUID();
        UUID b = UUID.randomUUID();

        assertThat(EventRef.parse(a + ":3," + b + ":12,garbage,x:1," + a + ":notanumber"))
                .containsExactly(new EventRef(a, 3), new EventRef(b, 12));
        assertThat(EventRef.parse(null)).isEmpty();
    }
}
