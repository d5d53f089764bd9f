-- Keys are shared only by a key holder's explicit approval (docs/security.md "Threat model"):
-- invites carry no key material any more (the server draws the link's token and mails it, so
-- whoever reads the mail can at most register), and nothing is sealed to an invite. A new member
-- waits until a key holder compares their key fingerprint and approves.
-- The postgres twin is migrations/postgres/0010_key_approval.sql.
ALTER TABLE invites DROP COLUMN public_key;
ALTER TABLE invites DROP COLUMN wrapped_private_key;
ALTER TABLE invites DROP COLUMN sealed_unit_key;
ALTER TABLE invite_projects DROP COLUMN sealed;

-- What an approver is shown about someone waiting: who invited them ...
ALTER TABLE users ADD COLUMN invited_by INTEGER REFERENCES users (id) ON DELETE SET NULL;
-- ... or that their key pair comes from a password reset.
ALTER TABLE user_credentials ADD COLUMN key_origin TEXT NOT NULL DEFAULT 'registration'
    CHECK (key_origin IN ('registration', 'password-reset'));
