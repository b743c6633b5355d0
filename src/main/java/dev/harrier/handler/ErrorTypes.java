package dev.harrier.handler;

/**
 * The {@code error.type} values Harrier writes, a small vocabulary clients can switch on. Java
 * handlers may add words of their own ({@link JobFailure#ofType}).
 */
public final class ErrorTypes {

    /** A handler failed (any exception without a type of its own). */
    public static final String HANDLER = "handler";
    /** The attempt ran past its timeout, or a request past its deadline. */
    public static final String TIMEOUT = "timeout";
    /** A connection could not be made, or broke (DNS, refused, reset). */
    public static final String CONNECTION = "connection";
    /** The remote server answered with an error status (its status and a body excerpt in the message). */
    public static final String HTTP_STATUS = "http_status";
    /** The target may not be called (a non-public address) or the request cannot be sent (a header with a line break). */
    public static final String REFUSED = "refused";
    /** The instance running the attempt stopped renewing its lease (it died or was cut off); the job was rescued. */
    public static final String LEASE_EXPIRED = "lease_expired";
    /** The result cannot be written as JSON or stored. */
    public static final String INVALID_RESULT = "invalid_result";
    /** The stored arguments cannot be read by the kind (changed since the job was enqueued). */
    public static final String INVALID_ARGS = "invalid_args";
    /** No handler for the job's kind on the instance that claimed it. */
    public static final String UNKNOWN_KIND = "unknown_kind";

    private ErrorTypes() {
    }
}
