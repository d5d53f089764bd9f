-- Authentication hardening (audit, issue 10).

-- One row per rate-limit bucket, written first by every reservation: it serializes concurrent
-- reservations of a bucket (a row lock on PostgreSQL, the write lock on SQLite), so an attempt
-- is counted and recorded in one step.
CREATE TABLE auth_attempt_locks (
    bucket TEXT PRIMARY KEY
);

-- Sessions are now stored under the SHA-256 of their id (a copy of the database holds no live
-- session); sessions stored under the id itself cannot be found any more: they end.
DELETE FROM sessions;
