package dev.harrier.stream;

import dev.harrier.notify.Channel;
import dev.harrier.notify.EventRef;
import dev.harrier.notify.Notifier;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Announced job events, from the instance's {@link Notifier} (channel {@code harrier_events}), for
 * the job feeds. A notification only says "job X has new events up to seq N"; the feeds read the
 * events themselves from the table, so a lost or merged notification loses nothing, it only
 * delays (the followers of a job also re-read on their keep-alive tick).
 */
@ApplicationScoped
public class JobAnnouncements {

    private final List<JobFollower> jobFollowers = new CopyOnWriteArrayList<>();
    private final List<Runnable> reconnectFollowers = new CopyOnWriteArrayList<>();

    public JobAnnouncements(Notifier notifier) {
        notifier.subscribe(Channel.EVENTS, this::onNotified);
        notifier.onReconnect(this::wakeEveryone);
    }

    /**
     * Hands every announced event (of any job, any instance) to {@code announced} while some
     * follower's {@code following} says it follows a job, and calls {@code reconnected} after the LISTEN
     * connection was down (anything may have been missed). A follower that starts to follow a job
     * reads its events itself: what was announced before is not replayed.
     */
    public void followJobEvents(BooleanSupplier following, Consumer<EventRef> announced, Runnable reconnected) {
        jobFollowers.add(new JobFollower(following, announced));
        reconnectFollowers.add(reconnected);
    }

    private void onNotified(String payload) {
        // Every instance hears every event of a drain: with no stream open, nothing is parsed.
        if (jobFollowers.stream().noneMatch(follower -> follower.following().getAsBoolean())) {
            return;
        }
        for (EventRef ref : EventRef.parse(payload)) {
            jobFollowers.forEach(follower -> follower.announced().accept(ref));
        }
    }

    private void wakeEveryone() {
        reconnectFollowers.forEach(Runnable::run);
    }

    private record JobFollower(BooleanSupplier following, Consumer<EventRef> announced) {
    }
}
