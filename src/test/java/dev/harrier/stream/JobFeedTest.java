package dev.harrier.stream;

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

    private static final long STALE = 1_000_000_000L;

    private void read(List<JobFeed.Entry> entries) {
        JobFeed.Read read = feed.startRead(0, STALE);
        assertThat(read.after()).isEqualTo(feed.readUpTo());
        feed.finishRead(read.number(), entries, false);
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
    void aTickWakesTheWaitingStreamsForAKeepAliveWithoutReading() {
        CompletableFuture<Boolean> wake = feed.after(10, 100).wake();
        feed.tick();
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
        JobFeed.Read first = feed.startRead(0, STALE);
        assertThat(first.after()).isEqualTo(10);
        assertThat(feed.startRead(1, STALE)).as("one read at a time").isNull();
        assertThat(feed.finishRead(first.number(), entries(11, 11), false)).as("read again").isTrue();
        JobFeed.Read second = feed.startRead(2, STALE);
        assertThat(second.after()).isEqualTo(11);
        assertThat(feed.finishRead(second.number(), List.of(), false)).as("nothing more asked").isFalse();
    }

    @Test
    void aFullPageIsFollowedByAnotherRead() {
        JobFeed.Read read = feed.startRead(0, STALE);
        assertThat(feed.finishRead(read.number(), entries(11, 20), true)).isTrue();
    }

    @Test
    void aReadThatNeverAnswersIsGivenUpAndItsLateResultIgnored() {
        JobFeed.Read hung = feed.startRead(0, STALE);
        JobFeed.Read next = feed.startRead(STALE + 1, STALE);
        assertThat(next).as("a stale read does not block the feed").isNotNull();
        assertThat(feed.finishRead(hung.number(), entries(11, 12), false)).isFalse();
        assertThat(feed.readUpTo()).as("the stale read's result is ignored").isEqualTo(10);
        feed.finishRead(next.number(), entries(11, 13), false);
        assertThat(feed.readUpTo()).isEqualTo(13);
    }

    @Test
    void aFailedReadLetsTheNextOneStart() {
        JobFeed.Read failed = feed.startRead(0, STALE);
        feed.readFailed(failed.number());
        assertThat(feed.startRead(1, STALE)).isNotNull();
    }
}
