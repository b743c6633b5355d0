package dev.harrier.queue;

import dev.harrier.handler.FieldProblem;
import io.vertx.pgclient.PgException;
import java.util.List;
import java.util.UUID;

/**
 * A child enqueued under a parent that has ended: the check before the insert says so, and the
 * trigger jobs_children_inserted (SQLSTATE {@value #SQLSTATE}) refuses a parent that ended in between.
 */
final class ParentEnded {

    static final String SQLSTATE = "HP001";

    private ParentEnded() {
    }

    static String message(UUID parent, JobStatus status) {
        return "job " + parent + " has ended (" + status.wire() + "): it takes no more children";
    }

    static boolean is(Throwable failure) {
        return failure instanceof PgException pg && SQLSTATE.equals(pg.getSqlState());
    }

    static Throwable problem(Throwable failure) {
        return new InvalidJobException(List.of(new FieldProblem("parentId",
                "the parent job has ended: it takes no more children (" + ((PgException) failure).getErrorMessage() + ")")));
    }
}
