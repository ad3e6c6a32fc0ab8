-- Portal access (SQLite): invitations, enrollment, recovery, security codes, account settings.
-- The PostgreSQL twin has the same tables and columns. Times are Unix seconds, UTC.

-- Account settings. Booleans are 0/1 integers: sqlx's Any driver cannot read SQLite booleans.
ALTER TABLE portal_accounts ADD COLUMN phone TEXT NOT NULL DEFAULT '';
ALTER TABLE portal_accounts ADD COLUMN security_question TEXT NOT NULL DEFAULT '';
ALTER TABLE portal_accounts ADD COLUMN security_answer_hash TEXT NOT NULL DEFAULT '';  -- argon2id of the normalised answer
ALTER TABLE portal_accounts ADD COLUMN sms_opt_out BIGINT NOT NULL DEFAULT 0;
ALTER TABLE portal_accounts ADD COLUMN notify_appointments BIGINT NOT NULL DEFAULT 1;  -- appointment emails
ALTER TABLE portal_accounts ADD COLUMN notify_messages BIGINT NOT NULL DEFAULT 1;      -- "new message" emails
ALTER TABLE portal_accounts ADD COLUMN notify_reminders BIGINT NOT NULL DEFAULT 1;     -- reminder emails

-- Where the chart's portal access stands; shown in the staff chart header.
ALTER TABLE patient_charts ADD COLUMN portal_status TEXT NOT NULL DEFAULT 'not_invited'
    CHECK (portal_status IN ('not_invited', 'invited', 'active', 'revoked'));
UPDATE patient_charts SET portal_status = 'active'
    WHERE id IN (SELECT chart_id FROM account_charts);

-- An invitation to enroll: the emailed "Access your records" link and its access code (PIN).
CREATE TABLE portal_invitations (
    id                   INTEGER PRIMARY KEY,
    chart_id             BIGINT NOT NULL REFERENCES patient_charts (id),
    token_hash           TEXT   NOT NULL UNIQUE,  -- SHA-256 of the link's token
    pin_salt             TEXT   NOT NULL,         -- the PIN is a keyed hash of this; never stored
    status               TEXT   NOT NULL DEFAULT 'pending'
                             CHECK (status IN ('pending', 'used', 'cancelled', 'replaced')),
    invited_by           BIGINT REFERENCES staff_accounts (id),
    verified_token_hash  TEXT,                    -- identity proven: SHA-256 of the browser's step token
    verified_until       BIGINT,
    account_id           BIGINT REFERENCES portal_accounts (id),  -- who enrolled with it
    created_at           BIGINT NOT NULL,
    expires_at           BIGINT NOT NULL,
    used_at              BIGINT
);
CREATE INDEX portal_invitations_chart ON portal_invitations (chart_id);

-- Links revoked by staff, kept so that re-enabling restores exactly what was there.
CREATE TABLE revoked_links (
    account_id    BIGINT NOT NULL REFERENCES portal_accounts (id) ON DELETE CASCADE,
    chart_id      BIGINT NOT NULL REFERENCES patient_charts (id) ON DELETE CASCADE,
    relationship  TEXT   NOT NULL CHECK (relationship IN ('self', 'representative')),
    revoked_at    BIGINT NOT NULL,
    PRIMARY KEY (account_id, chart_id)
);

-- A forgot-password link: single use, 60 minutes.
CREATE TABLE password_resets (
    id                   INTEGER PRIMARY KEY,
    account_id           BIGINT NOT NULL REFERENCES portal_accounts (id) ON DELETE CASCADE,
    token_hash           TEXT   NOT NULL UNIQUE,
    verified_token_hash  TEXT,
    verified_until       BIGINT,
    created_at           BIGINT NOT NULL,
    expires_at           BIGINT NOT NULL,
    used_at              BIGINT
);
CREATE INDEX password_resets_account ON password_resets (account_id);

-- A security code sent by text, voice or email. Only its keyed hash is kept, bound to the
-- flow (`purpose`) and the thing it unlocks (`subject`).
CREATE TABLE security_codes (
    id             INTEGER PRIMARY KEY,
    purpose        TEXT   NOT NULL,   -- 'enroll', 'reset', 'email', 'phone'
    subject        TEXT   NOT NULL,   -- e.g. 'invitation:7', 'reset:3', 'account:2'
    budget_key     TEXT   NOT NULL,   -- whose daily limits it counts against
    code_hash      TEXT   NOT NULL,
    payload        TEXT   NOT NULL DEFAULT '',  -- the new email or phone being verified
    wrong_guesses  BIGINT NOT NULL DEFAULT 0,
    created_at     BIGINT NOT NULL,
    expires_at     BIGINT NOT NULL,
    used_at        BIGINT
);
CREATE INDEX security_codes_subject ON security_codes (purpose, subject);

-- Daily allowances (codes sent, wrong guesses), one counter per key and window.
CREATE TABLE daily_budgets (
    key                TEXT   PRIMARY KEY,
    used               BIGINT NOT NULL,
    window_started_at  BIGINT NOT NULL
);
