-- Scheduled jobs run under a database lease: with several replicas, one claims a due job and the
-- others skip it. The PostgreSQL twin is migrations/postgres/0007_job_schedule.sql.
CREATE TABLE job_schedule (
    name        TEXT    PRIMARY KEY,
    holder      TEXT,
    lease_until INTEGER NOT NULL DEFAULT 0,
    last_run_at INTEGER NOT NULL DEFAULT 0
);
