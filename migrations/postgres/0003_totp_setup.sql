-- An authenticator-app secret being set up (encrypted like totp_secret), until its first code
-- is confirmed. The SQLite twin is migrations/sqlite/0003_totp_setup.sql.
ALTER TABLE second_factors ADD COLUMN totp_pending_secret BYTEA;
