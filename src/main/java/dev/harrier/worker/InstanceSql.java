package dev.harrier.worker;

/** The named statements on {@code harrier.instances}. */
final class InstanceSql {

    private InstanceSql() {
    }

    static final String INSTANCE_REGISTER = """
            INSERT INTO harrier.instances (id, host) VALUES ($1, $2)
            ON CONFLICT (id) DO UPDATE SET heartbeat_at = now()""";

    static final String INSTANCE_HEARTBEAT = """
            UPDATE harrier.instances SET heartbeat_at = now() WHERE id = $1""";

    static final String INSTANCE_REMOVE = """
            DELETE FROM harrier.instances WHERE id = $1""";
}
