package dev.harrier.remote;

import dev.harrier.queue.ClaimedJob;
import java.time.Instant;

/** A job claimed by a remote worker, with its lease token (shown this once) and its deadlines. */
public record RemoteClaim(ClaimedJob job, String leaseToken, Instant leaseExpiresAt, Instant timeoutAt) {
}
