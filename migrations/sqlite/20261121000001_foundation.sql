-- Foundation schema (SQLite). The PostgreSQL twin is migrations/postgres/ with the same
-- tables and columns; a test compares them. Times are Unix seconds, UTC.

-- A clinic location. Appointment times are shown in its time zone.
CREATE TABLE practices (
    id          INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL,          -- shown to patients
    time_zone   TEXT    NOT NULL,          -- IANA zone, e.g. America/New_York
    phone       TEXT    NOT NULL DEFAULT '',
    created_at  BIGINT  NOT NULL
);

-- A clinician patients can book with.
CREATE TABLE providers (
    id            INTEGER PRIMARY KEY,
    practice_id   BIGINT  NOT NULL REFERENCES practices (id),
    display_name  TEXT    NOT NULL,        -- e.g. "Dr. Maya Patel"
    created_at    BIGINT  NOT NULL
);
CREATE INDEX providers_practice ON providers (practice_id);

-- What a provider practises; one row per specialty, searchable by name.
CREATE TABLE provider_specialties (
    provider_id  BIGINT NOT NULL REFERENCES providers (id) ON DELETE CASCADE,
    specialty    TEXT   NOT NULL,
    PRIMARY KEY (provider_id, specialty)
);

-- A patient's chart at one practice (the same person has one chart per practice).
CREATE TABLE patient_charts (
    id             INTEGER PRIMARY KEY,
    practice_id    BIGINT NOT NULL REFERENCES practices (id),
    given_name     TEXT   NOT NULL,
    family_name    TEXT   NOT NULL,
    date_of_birth  TEXT   NOT NULL,        -- ISO date, YYYY-MM-DD
    email          TEXT   NOT NULL DEFAULT '',
    phone          TEXT   NOT NULL DEFAULT '',  -- E.164 where known
    created_at     BIGINT NOT NULL
);
CREATE INDEX patient_charts_practice ON patient_charts (practice_id);

-- A patient-side sign-in. Linked to one or more charts through account_charts.
CREATE TABLE portal_accounts (
    id             INTEGER PRIMARY KEY,
    username       TEXT   NOT NULL UNIQUE, -- normalised: trimmed, lower case
    password_hash  TEXT   NOT NULL,        -- argon2id PHC string
    display_name   TEXT   NOT NULL,
    email          TEXT   NOT NULL DEFAULT '',
    status         TEXT   NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'revoked')),
    created_at     BIGINT NOT NULL
);

-- Which charts an account may see, and whether it is the holder's own or one they represent.
CREATE TABLE account_charts (
    account_id    BIGINT NOT NULL REFERENCES portal_accounts (id) ON DELETE CASCADE,
    chart_id      BIGINT NOT NULL REFERENCES patient_charts (id) ON DELETE CASCADE,
    relationship  TEXT   NOT NULL CHECK (relationship IN ('self', 'representative')),
    created_at    BIGINT NOT NULL,
    PRIMARY KEY (account_id, chart_id)
);
CREATE INDEX account_charts_chart ON account_charts (chart_id);

-- A clinic employee's sign-in, scoped to one practice.
CREATE TABLE staff_accounts (
    id             INTEGER PRIMARY KEY,
    practice_id    BIGINT  NOT NULL REFERENCES practices (id),
    username       TEXT    NOT NULL UNIQUE, -- normalised: trimmed, lower case
    password_hash  TEXT    NOT NULL,        -- argon2id PHC string
    display_name   TEXT    NOT NULL,
    role           TEXT    NOT NULL CHECK (role IN ('admin', 'provider', 'front_desk')),
    can_invite     BOOLEAN NOT NULL DEFAULT TRUE,  -- may invite patients to the portal
    active         BOOLEAN NOT NULL DEFAULT TRUE,
    created_at     BIGINT  NOT NULL
);

-- Server-side sessions, shared by every server instance. Exactly one of the two account
-- columns is set.
CREATE TABLE sessions (
    id_hash             TEXT   PRIMARY KEY,  -- SHA-256 of the cookie token; the token is never stored
    patient_account_id  BIGINT REFERENCES portal_accounts (id) ON DELETE CASCADE,
    staff_account_id    BIGINT REFERENCES staff_accounts (id) ON DELETE CASCADE,
    selected_chart_id   BIGINT REFERENCES patient_charts (id) ON DELETE SET NULL,  -- record switcher
    created_at          BIGINT NOT NULL,     -- absolute timeout counts from here
    last_seen_at        BIGINT NOT NULL,     -- idle timeout counts from here
    CHECK ((patient_account_id IS NULL) <> (staff_account_id IS NULL))
);
CREATE INDEX sessions_patient ON sessions (patient_account_id);
CREATE INDEX sessions_staff ON sessions (staff_account_id);

-- Failed sign-in counters, per account name and per client address, for slowing guessing.
CREATE TABLE auth_throttle (
    key                TEXT   PRIMARY KEY,  -- 'patient:<username>', 'staff:<username>' or 'ip:<keyed hash>'
    failures           BIGINT NOT NULL,     -- failures in the current window
    window_started_at  BIGINT NOT NULL,
    last_failure_at    BIGINT NOT NULL
);

-- Who did what to which record, and when. Rows are never updated or deleted (triggers below).
CREATE TABLE audit_log (
    id           INTEGER PRIMARY KEY,
    occurred_at  BIGINT NOT NULL,
    actor_kind   TEXT   NOT NULL CHECK (actor_kind IN ('patient', 'staff', 'system', 'anonymous')),
    actor_id     BIGINT,                    -- portal or staff account id, by actor_kind
    action       TEXT   NOT NULL,           -- e.g. 'sign_in', 'sign_in.failed', 'record.switch'
    chart_id     BIGINT,                    -- the patient record concerned, if any
    client_ip    TEXT,                      -- keyed hash of the client address
    detail       TEXT   NOT NULL DEFAULT '' -- short, non-secret context
);
CREATE INDEX audit_log_time ON audit_log (occurred_at);
CREATE INDEX audit_log_chart ON audit_log (chart_id);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
