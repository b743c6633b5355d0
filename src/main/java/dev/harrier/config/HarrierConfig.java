package dev.harrier.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Harrier's own settings, {@code harrier.*} (environment variables {@code HARRIER_*}). */
@ConfigMapping(prefix = "harrier")
public interface HarrierConfig {

    Db db();

    EmbeddedDb embeddedDb();

    Worker worker();

    Retry retry();

    Maintenance maintenance();

    Progress progress();

    Metrics metrics();

    Api api();

    Http http();

    Schedule schedule();

    Limits limits();

    SharedLimits sharedLimits();

    Source source();

    Pipeline pipeline();

    Secrets secrets();

    /** Secrets' encryption at rest (HARRIER_SECRETS_*). */
    interface Secrets {

        /** Base64 of 32 bytes: the AES-256-GCM key that seals secrets; none, and the secrets endpoints answer 409. */
        Optional<String> key();

        /** Earlier keys, comma-separated: they only open values, which start-up seals again with {@link #key()}. */
        Optional<String> oldKeys();
    }

    /** Where this instance runs, shown by GET /api/v1/instances; by default {@code FLY_REGION}. */
    Optional<String> region();

    /** Pipelines: the follow-ups ({@code then} links, callbacks) of jobs that ended (HARRIER_PIPELINE_*). */
    interface Pipeline {

        /** Whether this instance enqueues follow-ups (every instance does; each is enqueued once). */
        @WithDefault("true")
        boolean enabled();

        /** How often follow-ups are looked for besides the notification that announces them. */
        @WithDefault("1s")
        Duration followupInterval();
    }

    /** Sources of items read whole: an {@code each}'s {@code itemsFrom} (HARRIER_SOURCE_*). */
    interface Source {

        /** A source's reply is read up to this many bytes; past it the attempt fails for good. */
        @WithDefault("268435456")
        int maxBytes();
    }

    /** Limits of the contract's part 2 (HARRIER_LIMITS_*): past one, a 400 names the field. */
    interface Limits {

        /** Schedules a workspace may have. */
        @WithDefault("1000")
        int schedules();

        /** Cron expressions one schedule may have. */
        @WithDefault("10")
        int cronExpressions();

        /** Remote kinds a workspace may declare. */
        @WithDefault("1000")
        int kinds();

        /** Shared limits ({@code PUT /limits/{name}}) a workspace may have. */
        @WithDefault("1000")
        int sharedLimits();

        /** Datasets a workspace may have; a sync that would create one more fails for good. */
        @WithDefault("1000")
        int datasets();

        /** Secrets a workspace may have. */
        @WithDefault("1000")
        int secrets();

        /** Entries of one report call of a remote worker ({@code logs}, {@code items}, {@code children}). */
        @WithDefault("1000")
        int reportEntries();

        /** Bytes of one report call's body. */
        @WithDefault("1048576")
        int reportBytes();
    }

    /** Shared limits: how instances lease their shares of a limit (HARRIER_SHARED_LIMITS_*). */
    interface SharedLimits {

        /**
         * How long an instance holds concurrency permits without renewing them, and twice how far
         * ahead it reserves request slots: what an instance that dies holds back from the others.
         */
        @WithDefault("2s")
        Duration lease();
    }

    /**
     * A JSON file of schedules ({@code {"workspace": "default", "schedules": {"<name>": <PUT body>}}}),
     * applied at every start (HARRIER_SCHEDULES_FILE).
     */
    @WithName("schedules-file")
    Optional<String> schedulesFile();

    /** Schedules: every instance fires the due ones (a fire is missed only when none runs). */
    interface Schedule {

        /** Whether this instance fires due schedules. */
        @WithDefault("true")
        boolean enabled();

        /** How often due schedules are looked for. */
        @WithDefault("1s")
        Duration interval();

        /** A fire up to this late is created as usual; a later one was missed, and catchUp decides. */
        @WithDefault("60s")
        Duration misfireGrace();
    }

    /** Outbound HTTP, for the built-in kinds that call other services. */
    interface Http {

        /**
         * Allow targets on loopback, private, link-local and every other non-public address, but
         * not cloud metadata (see {@link #allowedTargets()}).
         */
        @WithDefault("false")
        boolean allowPrivateNetworks();

        /**
         * Targets jobs may reach although they are not public: address blocks ({@code 10.0.0.0/8},
         * {@code 127.0.0.1}) and {@code host:port} pairs ({@code my-app.internal:3000}). A cloud
         * metadata address only when an entry is that address itself.
         */
        Optional<List<String>> allowedTargets();

        /** Response bodies are kept up to this many bytes in results. */
        @WithDefault("1048576")
        int maxBodyBytes();

        /** Redirects followed, each target checked again. */
        @WithDefault("5")
        int maxRedirects();

        /** Keep-alive connections per host (the Vert.x pool; requests beyond it wait for a connection). */
        @WithDefault("256")
        int poolSizePerHost();

        /** Requests in flight to one host at once, across every job of this instance. */
        @WithDefault("256")
        int maxPerHost();
    }

    /** The HTTP API: keys, body limits, read tokens, streams. */
    interface Api {

        /** API keys as {@code workspace:key,workspace:key}; none here and in the file: one is generated. */
        Optional<String> keys();

        /** A file with one {@code workspace:key} a line ({@code #} comments). */
        Optional<String> keysFile();

        /** Largest body of {@code POST /api/v1/jobs}, in bytes. */
        @WithDefault("1048576")
        int maxJobBody();

        /** Largest body of {@code POST /api/v1/jobs/batch}, in bytes. */
        @WithDefault("33554432")
        int maxBatchBody();

        /** Key that signs read tokens (32 bytes or more); by default one generated and kept in the database. */
        Optional<String> tokenSecret();

        /** Longest life of a read token. */
        @WithDefault("24h")
        Duration maxTokenTtl();

        /** Longest silence on an event stream before a keep-alive comment. */
        @WithDefault("15s")
        Duration keepAlive();

        /**
         * Most bytes of unsent job documents one workspace stream holds for a slow reader; past
         * it the newest changes keep only the job's id, and their documents are read again when
         * they are sent. (A reader that accepts nothing for three keep-alive periods is closed; it
         * gets a {@code reset} event when it reconnects.)
         */
        @WithDefault("4194304")
        long streamBufferBytes();
    }

    /** Metrics that need a query. */
    interface Metrics {

        /** How often the queue depth gauges are read from the database. */
        @WithDefault("15s")
        Duration refresh();
    }

    /**
     * The database, read before Quarkus starts by {@code dev.harrier.boot.DatabaseBootstrap}
     * (listed here so that the configuration is complete and checked).
     */
    interface Db {

        /** {@code postgresql://user:password@host:5432/database}; empty for the embedded default. */
        Optional<String> url();

        /** How long start-up retries a refused or timed-out first connection. */
        @WithDefault("10")
        int connectWaitSeconds();

        /**
         * How long a request waits for a connection of the pool before it is refused with 503
         * (the pool is exhausted, or the database stalls).
         */
        @WithDefault("5s")
        Duration poolWait();

        /**
         * Connections, besides the pool's, whose sessions plan every statement once for all its
         * arguments ({@code sql.SmallBatches}): the claims, and the outcomes and enqueues of up to
         * {@code sql.SmallBatches#MAX_ROWS} jobs, run there without being planned again at each
         * execution. 0: every statement runs on the pool.
         */
        @WithDefault("4")
        int smallBatchPoolSize();

        /**
         * How often each listening connection makes a round trip; one that gets no answer within
         * the next interval is taken for dead and reopened.
         */
        @WithDefault("5s")
        Duration listenCheckInterval();
    }

    /** The embedded PostgreSQL used when no database is configured. */
    interface EmbeddedDb {

        @WithDefault(".harrier/pg")
        String dir();

        /** Set by Harrier itself when it started the embedded database. */
        @WithDefault("false")
        boolean active();
    }

    /** How this instance claims and runs jobs. */
    interface Worker {

        /** Whether this instance runs jobs at all (an API-only instance sets false). */
        @WithDefault("true")
        boolean enabled();

        /** This instance's name in leases; defaults to the host name and a random suffix. */
        Optional<String> instanceId();

        /** Jobs of one queue that this instance runs at once. */
        @WithDefault("20")
        int slots();

        /** Most jobs taken by one claim statement. */
        @WithDefault("1000")
        int claimBatch();

        /** Polling fallback: the longest a job waits when a notification was lost. */
        @WithDefault("1s")
        Duration pollInterval();

        /** How long a running job's lease lasts without renewal. */
        @WithDefault("30s")
        Duration leaseDuration();

        /** How often this instance renews its leases (well under the lease duration). */
        @WithDefault("10s")
        Duration heartbeatInterval();

        /** On shutdown, how long running jobs may finish before they are handed back. */
        @WithDefault("30s")
        Duration shutdownGrace();

        /** Timeout of a job that sets none and whose kind sets none. */
        @WithDefault("300s")
        Duration defaultTimeout();

        /** Attempts of a job that sets none. */
        @WithDefault("5")
        int defaultMaxAttempts();

        /** Most outcomes written by one completion statement. */
        @WithDefault("1000")
        int completionBatch();
    }

    /** Backoff between attempts: min(cap, base * factor^(attempt-1)), half of it jittered. */
    interface Retry {

        @WithDefault("2s")
        Duration base();

        @WithDefault("10m")
        Duration cap();

        @WithDefault("2.0")
        double factor();

        /** Overrides by job kind: {@code harrier.retry.kind."scrape".base=10s}. */
        @WithName("kind")
        Map<String, KindRetry> kinds();

        interface KindRetry {
            Optional<Duration> base();

            Optional<Duration> cap();

            Optional<Double> factor();
        }
    }

    /** Background loops that run on one instance at a time. */
    interface Maintenance {

        @WithDefault("true")
        boolean enabled();

        /** How often due scheduled and retrying jobs become pending. */
        @WithDefault("1s")
        Duration promoteInterval();

        /** How often expired leases are looked for. */
        @WithDefault("10s")
        Duration rescueInterval();

        /** How often terminal jobs past their retention are deleted. */
        @WithDefault("1m")
        Duration pruneInterval();

        /** How long the maintenance leader holds its row without renewal. */
        @WithDefault("15s")
        Duration leaderTtl();

        @WithDefault("7d")
        Duration completedRetention();

        @WithDefault("30d")
        Duration failedRetention();

        @WithDefault("7d")
        Duration cancelledRetention();

        /** Expired records of datasets are deleted this long after they expired. */
        @WithDefault("30d")
        Duration expiredRecordRetention();
    }

    /** Progress and log events. */
    interface Progress {

        /** The least time between two progress writes of one job; later reports replace earlier ones. */
        @WithDefault("250ms")
        Duration throttle();
    }
}
