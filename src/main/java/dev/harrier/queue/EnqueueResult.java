package dev.harrier.queue;

/** The job an enqueue produced, or the live job with the same unique key ({@code duplicate}). */
public record EnqueueResult(Job job, boolean duplicate) {
}
