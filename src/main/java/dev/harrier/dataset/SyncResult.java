package dev.harrier.dataset;

/**
 * What a sync did: {@code total} records in the snapshot, of them {@code duplicates} that repeated
 * a key (the last one won); the dataset's {@code version} it took. {@code expireSkipped}: a partial
 * scrape, which never expires records.
 */
public record SyncResult(String dataset, long total, long newRecords, long active, long changed, long expired,
                         long duplicates, long version, boolean expireSkipped) {
}
