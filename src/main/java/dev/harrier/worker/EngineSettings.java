package dev.harrier.worker;

import dev.harrier.config.HarrierConfig;
import dev.harrier.maintenance.MaintenanceSettings;
import dev.harrier.time.Backoff;
import java.net.InetAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * The settings of one engine instance, taken from {@link HarrierConfig}. Tests start several
 * engines in one JVM with different names and tighter timings through {@link #toBuilder()}.
 */
public record EngineSettings(
        String instanceId,
        int slots,
        int claimBatch,
        Duration pollInterval,
        Duration leaseDuration,
        Duration heartbeatInterval,
        Duration shutdownGrace,
        Duration defaultTimeout,
        int defaultMaxAttempts,
        int completionBatch,
        Backoff backoff,
        Map<String, Backoff> kindBackoff,
        Duration progressThrottle,
        boolean maintenance,
        MaintenanceSettings maintenanceTimings) {

    public static EngineSettings from(HarrierConfig config) {
        HarrierConfig.Worker w = config.worker();
        HarrierConfig.Retry r = config.retry();
        HarrierConfig.Maintenance m = config.maintenance();
        Backoff backoff = new Backoff(r.base(), r.cap(), r.factor());
        Map<String, Backoff> kinds = new HashMap<>();
        r.kinds().forEach((kind, k) -> kinds.put(kind, new Backoff(
                k.base().orElse(backoff.base()), k.cap().orElse(backoff.cap()), k.factor().orElse(backoff.factor()))));
        return new EngineSettings(
                w.instanceId().orElseGet(EngineSettings::defaultInstanceId),
                w.slots(), w.claimBatch(), w.pollInterval(), w.leaseDuration(), w.heartbeatInterval(),
                w.shutdownGrace(), w.defaultTimeout(), w.defaultMaxAttempts(), w.completionBatch(),
                backoff, Map.copyOf(kinds), config.progress().throttle(),
                m.enabled(), new MaintenanceSettings(m.promoteInterval(), m.rescueInterval(), m.pruneInterval(),
                        m.leaderTtl(), m.completedRetention(), m.failedRetention(), m.cancelledRetention(),
                        m.expiredRecordRetention()));
    }

    /** The backoff of a kind: its override, or the default. */
    public Backoff backoffFor(String kind) {
        return kindBackoff.getOrDefault(kind, backoff);
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    /** A copy with some settings changed: {@code settings.toBuilder().instanceId("b").slots(5).build()}. */
    public static final class Builder {
        private String instanceId;
        private int slots;
        private Duration pollInterval;
        private Duration leaseDuration;
        private Duration heartbeatInterval;
        private Duration shutdownGrace;
        private Backoff backoff;
        private boolean maintenance;
        private final EngineSettings base;

        private Builder(EngineSettings base) {
            this.base = base;
            this.instanceId = base.instanceId;
            this.slots = base.slots;
            this.pollInterval = base.pollInterval;
            this.leaseDuration = base.leaseDuration;
            this.heartbeatInterval = base.heartbeatInterval;
            this.shutdownGrace = base.shutdownGrace;
            this.backoff = base.backoff;
            this.maintenance = base.maintenance;
        }

        public Builder instanceId(String value) {
            instanceId = value;
            return this;
        }

        public Builder slots(int value) {
            slots = value;
            return this;
        }

        public Builder pollInterval(Duration value) {
            pollInterval = value;
            return this;
        }

        public Builder lease(Duration duration, Duration heartbeat) {
            leaseDuration = duration;
            heartbeatInterval = heartbeat;
            return this;
        }

        public Builder shutdownGrace(Duration value) {
            shutdownGrace = value;
            return this;
        }

        public Builder backoff(Backoff value) {
            backoff = value;
            return this;
        }

        public Builder maintenance(boolean value) {
            maintenance = value;
            return this;
        }

        public EngineSettings build() {
            EngineSettings b = base;
            return new EngineSettings(instanceId, slots, b.claimBatch, pollInterval, leaseDuration, heartbeatInterval,
                    shutdownGrace, b.defaultTimeout, b.defaultMaxAttempts, b.completionBatch, backoff, b.kindBackoff,
                    b.progressThrottle, maintenance, b.maintenanceTimings);
        }
    }

    private static String defaultInstanceId() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            host = "harrier";
        }
        return host + "-" + UUID.randomUUID().toString().substring(0, 8);
    }
}
