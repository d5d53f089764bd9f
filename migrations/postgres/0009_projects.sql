-- Projects, as far as accounts need them (DESIGN §3): the project key pair made in the creating
-- staff member's browser, its private key sealed to the unit key (every staff member of the unit
-- reaches it through the unit key) and to each Researcher member; membership with DDS's Project
-- Owner flag; project keys carried by invites. The status history starts here ("In Progress" at
-- creation); the status machine, quotas and files come with the projects work.
-- The SQLite twin is migrations/sqlite/0009_projects.sql.
CREATE TABLE projects (
    id              BIGSERIAL PRIMARY KEY,
    -- {unit internal_ref}{counter:05}, as DDS.
    public_id       TEXT    NOT NULL UNIQUE,
    unit_id         BIGINT  NOT NULL REFERENCES units (id) ON DELETE RESTRICT,
    title           TEXT    NOT NULL,
    description     TEXT    NOT NULL,
    pi              TEXT    NOT NULL,
    public_key      BYTEA   NOT NULL,
    -- The project private key sealed to the unit public key it names.
    unit_public_key BYTEA   NOT NULL,
    unit_sealed_key BYTEA   NOT NULL,
    is_active       BOOLEAN NOT NULL DEFAULT TRUE,
    created_by      BIGINT  REFERENCES users (id) ON DELETE SET NULL,
    created_at      BIGINT  NOT NULL
);
CREATE INDEX projects_unit ON projects (unit_id);

CREATE TABLE project_statuses (
    project_id BIGINT  NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    status     TEXT    NOT NULL,
    is_aborted BOOLEAN NOT NULL DEFAULT FALSE,
    deadline   BIGINT,
    created_at BIGINT  NOT NULL
);
CREATE INDEX project_statuses_project ON project_statuses (project_id, created_at);

-- Researchers of a project (unit staff reach every project of their unit through the unit key).
CREATE TABLE project_members (
    project_id BIGINT  NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    user_id    BIGINT  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    is_owner   BOOLEAN NOT NULL DEFAULT FALSE,
    added_by   BIGINT  REFERENCES users (id) ON DELETE SET NULL,
    added_at   BIGINT  NOT NULL,
    PRIMARY KEY (project_id, user_id)
);
CREATE INDEX project_members_user ON project_members (user_id);

-- The project private key sealed to a member's public key. A seal made for an older public key
-- (before a password reset) no longer opens: the member is "access pending" until someone with
-- access seals again.
CREATE TABLE project_key_seals (
    project_id           BIGINT  NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    user_id              BIGINT  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    recipient_public_key BYTEA   NOT NULL,
    sealed               BYTEA   NOT NULL,
    sealed_by            BIGINT  REFERENCES users (id) ON DELETE SET NULL,
    sealed_at            BIGINT  NOT NULL,
    PRIMARY KEY (project_id, user_id)
);
CREATE INDEX project_key_seals_user ON project_key_seals (user_id);

-- Projects a Researcher invite leads to; `sealed` is the project key sealed to the invite key
-- (NULL while nobody with access has sealed it yet).
CREATE TABLE invite_projects (
    invite_id  BIGINT  NOT NULL REFERENCES invites (id) ON DELETE CASCADE,
    project_id BIGINT  NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    is_owner   BOOLEAN NOT NULL DEFAULT FALSE,
    sealed     BYTEA,
    PRIMARY KEY (invite_id, project_id)
);
CREATE INDEX invite_projects_project ON invite_projects (project_id);
