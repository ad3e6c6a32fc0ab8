-- Secure messaging (SQLite): conversations between a patient record and its practice. The
-- PostgreSQL twin has the same tables and columns. Times are Unix seconds, UTC; booleans are 0/1.

ALTER TABLE practices ADD COLUMN address TEXT NOT NULL DEFAULT '';
ALTER TABLE practices ADD COLUMN messaging_enabled BIGINT NOT NULL DEFAULT 1;
ALTER TABLE practices ADD COLUMN message_response_time TEXT NOT NULL DEFAULT 'within 2 business days';
ALTER TABLE practices ADD COLUMN staff_shown_as TEXT NOT NULL DEFAULT 'name'
    CHECK (staff_shown_as IN ('name', 'care_team'));

-- One conversation about one record, with the practice (never with one person).
CREATE TABLE conversations (
    id               INTEGER PRIMARY KEY,
    practice_id      BIGINT NOT NULL REFERENCES practices (id),
    chart_id         BIGINT NOT NULL REFERENCES patient_charts (id),
    topic            TEXT   NOT NULL CHECK (topic IN ('appointment', 'medication', 'test_result', 'billing', 'other')),
    subject          TEXT   NOT NULL,
    status           TEXT   NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
    needs_reply      BIGINT NOT NULL DEFAULT 0,      -- the patient's side wrote last
    last_message_id  BIGINT NOT NULL DEFAULT 0,
    last_message_at  BIGINT NOT NULL,
    last_staff_name  TEXT   NOT NULL DEFAULT '',     -- who answered last, for the inbox
    started_by       TEXT   NOT NULL CHECK (started_by IN ('patient', 'staff')),
    idempotency_key  TEXT   NOT NULL,                -- a retried "send" finds this one
    created_at       BIGINT NOT NULL,
    closed_at        BIGINT,
    closed_by_name   TEXT   NOT NULL DEFAULT '',
    UNIQUE (chart_id, idempotency_key)
);
CREATE INDEX conversations_chart ON conversations (chart_id, last_message_at);
CREATE INDEX conversations_practice ON conversations (practice_id, needs_reply, last_message_at);

-- Every message ever sent. Never edited or deleted (triggers below); a staff message entered
-- in error is marked in message_withdrawals and stays here.
CREATE TABLE messages (
    id                 INTEGER PRIMARY KEY,
    conversation_id    BIGINT NOT NULL REFERENCES conversations (id),
    author_kind        TEXT   NOT NULL CHECK (author_kind IN ('patient', 'representative', 'staff')),
    author_account_id  BIGINT REFERENCES portal_accounts (id),
    author_staff_id    BIGINT REFERENCES staff_accounts (id),
    author_name        TEXT   NOT NULL,              -- as it was when they wrote
    body               TEXT   NOT NULL,
    idempotency_key    TEXT   NOT NULL,
    created_at         BIGINT NOT NULL,
    CHECK ((author_account_id IS NULL) <> (author_staff_id IS NULL)),
    UNIQUE (conversation_id, idempotency_key)
);
CREATE INDEX messages_conversation ON messages (conversation_id, id);

CREATE TRIGGER messages_no_update BEFORE UPDATE ON messages
BEGIN
    SELECT RAISE(ABORT, 'messages are never edited or deleted');
END;
CREATE TRIGGER messages_no_delete BEFORE DELETE ON messages
BEGIN
    SELECT RAISE(ABORT, 'messages are never edited or deleted');
END;

CREATE TABLE message_withdrawals (
    message_id    BIGINT PRIMARY KEY REFERENCES messages (id),
    staff_id      BIGINT NOT NULL REFERENCES staff_accounts (id),
    staff_name    TEXT   NOT NULL,
    reason        TEXT   NOT NULL,
    withdrawn_at  BIGINT NOT NULL
);

-- How far each reader has read: a portal account ('account') or a staff member ('staff').
CREATE TABLE message_reads (
    conversation_id  BIGINT NOT NULL REFERENCES conversations (id),
    reader_kind      TEXT   NOT NULL CHECK (reader_kind IN ('account', 'staff')),
    reader_id        BIGINT NOT NULL,
    last_read_id     BIGINT NOT NULL,
    read_at          BIGINT NOT NULL,
    PRIMARY KEY (conversation_id, reader_kind, reader_id)
);

-- What a patient is writing, saved as they type; conversation_id 0 is a new conversation.
CREATE TABLE message_drafts (
    account_id       BIGINT NOT NULL REFERENCES portal_accounts (id) ON DELETE CASCADE,
    chart_id         BIGINT NOT NULL REFERENCES patient_charts (id) ON DELETE CASCADE,
    conversation_id  BIGINT NOT NULL,
    topic            TEXT   NOT NULL DEFAULT '',
    subject          TEXT   NOT NULL DEFAULT '',
    body             TEXT   NOT NULL DEFAULT '',
    updated_at       BIGINT NOT NULL,
    PRIMARY KEY (account_id, chart_id, conversation_id)
);

-- The last "you have a new message" email per conversation and account (one per 4 hours).
CREATE TABLE message_alerts (
    conversation_id  BIGINT NOT NULL REFERENCES conversations (id),
    account_id       BIGINT NOT NULL REFERENCES portal_accounts (id) ON DELETE CASCADE,
    message_id       BIGINT NOT NULL,
    sent_at          BIGINT NOT NULL,
    PRIMARY KEY (conversation_id, account_id)
);
