package dev.harrier.http;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A reply whose body was written to {@code file} (its {@code body()} bytes are empty); the file is
 * the caller's, to {@link #delete} when it is read.
 */
public record Download(OutboundReply reply, Path file) {

    public void delete() {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
