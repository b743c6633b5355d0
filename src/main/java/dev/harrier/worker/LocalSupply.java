package dev.harrier.worker;

import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A producer's local supply: the attempts it claimed that wait for a slot, oldest first. Taking
 * one takes its slot in the same step, so that no reader sees an attempt neither waiting here nor
 * counted as running (the engine's shutdown waits on both: {@link QueueProducer#busy}).
 */
final class LocalSupply {

    private final ArrayDeque<RunningJob> waiting = new ArrayDeque<>();

    synchronized void add(RunningJob attempt) {
        waiting.add(attempt);
    }

    synchronized int size() {
        return waiting.size();
    }

    /**
     * The oldest waiting attempt, counted in {@code running} (its slot taken), if fewer than
     * {@code slots} handlers run; null when none waits or no slot is free.
     */
    synchronized RunningJob take(AtomicInteger running, int slots) {
        if (waiting.isEmpty() || running.get() >= slots) {
            return null;
        }
        running.incrementAndGet();
        return waiting.poll();
    }
}
