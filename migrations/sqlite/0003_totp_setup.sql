-- An authenticator-app secret being set up (encrypted like totp_secret), until its first code
-- is confirmed. The PostgreSQL twin is migrations/postgres/0003_totp_setup.sql.
ALTER TABLE second_factors ADD COLUMN totp_pending_secret BLOB;
