package dev.harrier.handler;

/**
 * The items of a fan-out job that have a result, over every attempt of the job.
 *
 * @param ok items that succeeded
 * @param failed items that failed for good
 * @param okRecords the records the successful items hold: the elements of an item whose data is a
 *     JSON array, 1 for any other data (what {@code scrape} reports as {@code records})
 */
public record ItemCounts(int ok, int failed, long okRecords) {
}
