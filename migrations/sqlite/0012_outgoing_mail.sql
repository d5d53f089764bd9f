-- The durable outgoing-mail queue: a request only inserts a row (in its own transaction where it
-- has one); a worker in every `dds serve` delivers it. A row is claimed by one conditional UPDATE
-- (holder + lease), so with several replicas one message is sent by one of them. Failures are
-- retried with exponential backoff; after the last attempt the row keeps `failed_at` and the last
-- error. The text and HTML parts and the link (with its token: an invite's token opens the keys
-- sealed to the invite) are stored only sealed (AES-256-GCM under a key derived from the server
-- secret, AAD = recipient and subject) and erased once the message is sent or given up. Rows
-- are pruned by the cleanup job. The PostgreSQL twin is
-- migrations/postgres/0012_outgoing_mail.sql.
CREATE TABLE outgoing_mail (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    recipient       TEXT    NOT NULL,
    subject         TEXT    NOT NULL,
    body            BLOB    NOT NULL,
    created_at      INTEGER NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    holder          TEXT,
    lease_until     INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT,
    sent_at         INTEGER,
    failed_at       INTEGER
);
CREATE INDEX outgoing_mail_due ON outgoing_mail (next_attempt_at) WHERE sent_at IS NULL AND failed_at IS NULL;
