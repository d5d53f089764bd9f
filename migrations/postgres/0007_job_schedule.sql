-- Scheduled jobs run under a database lease: with several replicas, one claims a due job and the
-- others skip it. The SQLite twin is migrations/sqlite/0007_job_schedule.sql.
CREATE TABLE job_schedule (
    name        TEXT   PRIMARY KEY,
    holder      TEXT,
    lease_until BIGINT NOT NULL DEFAULT 0,
    last_run_at BIGINT NOT NULL DEFAULT 0
);
