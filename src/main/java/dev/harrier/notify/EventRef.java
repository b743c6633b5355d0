package dev.harrier.notify;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * What a NOTIFY on {@code harrier_events} announces: a job and the sequence number of its newest
 * event. Subscribers read the events themselves from the table, so a lost or merged notification
 * loses nothing.
 */
public record EventRef(UUID jobId, long seq) {

    /** Parses a payload {@code id:seq,id:seq}; malformed parts are skipped. */
    public static List<EventRef> parse(String payload) {
        List<EventRef> refs = new ArrayList<>();
        if (payload == null) {
            return refs;
        }
        for (String part : payload.split(",")) {
            int colon = part.indexOf(':');
            if (colon != 36) {
                continue;
            }
            try {
                refs.add(new EventRef(UUID.fromString(part.substring(0, colon)), Long.parseLong(part.substring(colon + 1))));
            } catch (IllegalArgumentException e) {
                // Not ours: a payload written by something else on the channel.
            }
        }
        return refs;
    }
}
