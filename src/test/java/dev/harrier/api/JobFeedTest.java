package dev.harrier.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class JobFeedTest {

    private final JobFeed feed = new JobFeed(UUID.randomUUID(), 10);

    private static List<JobFeed.Entry> entries(long from, long to) {
        List<JobFeed.Entry> entries = new ArrayList<>();
        for (long seq = from; seq <= to; seq++) {
            entries.add(new JobFeed.Entry(seq, null, false, 100));
        }
        return entries;
    }

    private void read(List<JobFeed.Entry> entries) {
        assertThat(feed.startRead(false)).isEqualTo(feed.readUpTo());
        feed.finishRead(entries, false);
    }

    @Test
    void aStreamThatIsUpToDateWaitsAndIsWokenWhenTheFeedGrows() {
        JobFeed.Slice idle = feed.after(10, 100);
        assertThat(idle.events()).isEmpty();
        assertThat(idle.behind()).isFalse();
        CompletableFuture<Boolean> wake = idle.wake();
        assertThat(wake).isNotDone();

        read(entries(11, 13));

        assertThat(wake).isCompletedWithValue(true);
        JobFeed.Slice slice = feed.after(10, 100);
        assertThat(slice.events()).hasSize(3);
        assertThat(slice.lastSeq()).isEqualTo(13);
        assertThat(feed.after(11, 1).lastSeq()).as("at most the limit").isEqualTo(12);
    }

    @Test
    void aStreamBehindTheTailReadsTheTableItself() {
        read(entries(11, 13));
        assertThat(feed.after(9, 100).behind()).isTrue();
        assertThat(feed.after(10, 100).behind()).isFalse();
    }

    @Test
    void theTailKeepsTheNewestEventsUpToItsBound() {
        read(entries(11, 10 + JobFeed.MAX_EVENTS + 50));
        long newest = 10 + JobFeed.MAX_EVENTS + 50;
        assertThat(feed.after(10, 100).behind()).isTrue();
        JobFeed.Slice oldestKept = feed.after(newest - JobFeed.MAX_EVENTS, 1000);
        assertThat(oldestKept.behind()).isFalse();
        assertThat(oldestKept.events()).hasSize(JobFeed.MAX_EVENTS);
    }

    @Test
    void aSliceEndsAtTheTerminalStatus() {
        List<JobFeed.Entry> read = entries(11, 12);
        read.add(new JobFeed.Entry(13, null, true, 100));
        read(read);
        JobFeed.Slice slice = feed.after(10, 100);
        assertThat(slice.terminal()).isTrue();
        assertThat(slice.lastSeq()).isEqualTo(13);
    }

    @Test
    void aTickThatFindsNothingWakesTheStreamsForAKeepAlive() {
        CompletableFuture<Boolean> wake = feed.after(10, 100).wake();
        feed.startRead(true);
        feed.finishRead(List.of(), false);
        assertThat(wake).isCompletedWithValue(false);
        assertThat(feed.after(10, 100).wake()).as("a new signal for the next wait").isNotDone();
    }

    @Test
    void aReadThatFindsNothingNewWakesNobody() {
        CompletableFuture<Boolean> wake = feed.after(10, 100).wake();
        read(List.of());
        assertThat(wake).isNotDone();
    }

    @Test
    void aReadAskedForDuringAReadIsRepeatedAfterIt() {
        assertThat(feed.startRead(false)).isEqualTo(10);
        assertThat(feed.startRead(true)).as("one read at a time").isEqualTo(-1);
        assertThat(feed.finishRead(entries(11, 11), false)).as("again, as a tick").isTrue();
        assertThat(feed.startRead(false)).isEqualTo(11);
        assertThat(feed.finishRead(List.of(), false)).as("nothing more asked").isNull();
    }

    @Test
    void aFullPageIsFollowedByAnotherRead() {
        feed.startRead(false);
        assertThat(feed.finishRead(entries(11, 20), true)).isFalse();
    }
}
