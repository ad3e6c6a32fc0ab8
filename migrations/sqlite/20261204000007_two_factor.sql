-- Two-factor sign-in for staff (SQLite). The PostgreSQL twin is in migrations/postgres/

-- The TOTP secret, sealed with a key derived from PORTICO_SECRET_KEY ('' = none). It counts
-- only once confirmed with a first code; until then it is a set-up in progress.
ALTER TABLE staff_accounts ADD COLUMN totp_secret TEXT NOT NULL DEFAULT '';
ALTER TABLE staff_accounts ADD COLUMN totp_confirmed_at BIGINT;
-- The last 30-second step whose code was accepted: a code is never accepted twice.
ALTER TABLE staff_accounts ADD COLUMN totp_last_step BIGINT NOT NULL DEFAULT 0;

-- Whether every staff member of the practice must use a second factor (admins always must).
ALTER TABLE practices ADD COLUMN staff_two_factor BOOLEAN NOT NULL DEFAULT FALSE;

-- Single-use recovery codes, stored as keyed hashes; shown once.
CREATE TABLE staff_recovery_codes (
    id          INTEGER PRIMARY KEY,
    staff_id    BIGINT NOT NULL REFERENCES staff_accounts (id) ON DELETE CASCADE,
    code_hash   TEXT   NOT NULL,
    used_at     BIGINT
);
CREATE INDEX staff_recovery_codes_staff ON staff_recovery_codes (staff_id);

-- Between the password and the second factor: no session exists yet, only this, named by a
-- cookie. Five minutes, and a few wrong codes, then the password is asked for again.
CREATE TABLE staff_sign_in_steps (
    token_hash  TEXT   PRIMARY KEY,
    staff_id    BIGINT NOT NULL REFERENCES staff_accounts (id) ON DELETE CASCADE,
    next_path   TEXT   NOT NULL,
    expires_at  BIGINT NOT NULL,
    wrong       BIGINT NOT NULL DEFAULT 0
);

-- Admins must have a second factor before they use the staff pages; none has one yet, so
-- their sessions end here and their next sign-in sets it up.
DELETE FROM sessions
WHERE staff_account_id IN (SELECT id FROM staff_accounts WHERE role = 'admin');
