package dev.harrier.remote;

import com.fasterxml.jackson.databind.JsonNode;

/** One item a remote worker reports: {@code input} and {@code data} any JSON, {@code status} ok or failed. */
public record WorkerItem(int index, JsonNode input, String status, Integer httpStatus, JsonNode data, String error) {
}
