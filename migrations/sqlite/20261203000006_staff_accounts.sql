-- Staff accounts that admins manage (SQLite). The PostgreSQL twin is in migrations/postgres/.

-- Where a new member's set-password link and password resets go; staff sign in with it.
ALTER TABLE staff_accounts ADD COLUMN email TEXT NOT NULL DEFAULT '';
-- A provider's own schedule: the overview lists that provider's visits.
ALTER TABLE staff_accounts ADD COLUMN provider_id BIGINT REFERENCES providers (id);

-- A link to choose a password: for a new member, or after an admin's reset. Single use, 72 hours.
CREATE TABLE staff_password_links (
    id          INTEGER PRIMARY KEY,
    staff_id    BIGINT NOT NULL REFERENCES staff_accounts (id) ON DELETE CASCADE,
    token_hash  TEXT   NOT NULL UNIQUE,   -- SHA-256 of the token; the token is only in the email
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    used_at     BIGINT
);
CREATE INDEX staff_password_links_staff ON staff_password_links (staff_id);
CREATE INDEX audit_log_actor ON audit_log (actor_kind, actor_id, occurred_at);
