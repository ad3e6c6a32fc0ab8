-- Appointments (SPEC §2), SQLite. The PostgreSQL twin is migrations/postgres/ with the same
-- tables and columns. Times are Unix seconds, UTC; wall-clock hours are minutes after local
-- midnight in the practice's zone.

-- Practice policies (§2.2): one row per practice (provider_id NULL), optionally one per
-- provider overriding it. Approval is 'always', 'never' or 'inside_window'.
CREATE TABLE policies (
    id                          INTEGER PRIMARY KEY,
    practice_id                 BIGINT  NOT NULL REFERENCES practices (id),
    provider_id                 BIGINT  REFERENCES providers (id) ON DELETE CASCADE,
    online_booking              BOOLEAN NOT NULL,
    online_cancellation         BOOLEAN NOT NULL,
    online_rescheduling         BOOLEAN NOT NULL,
    booking_notice_hours        BIGINT  NOT NULL CHECK (booking_notice_hours BETWEEN 0 AND 720),
    cancellation_notice_hours   BIGINT  NOT NULL CHECK (cancellation_notice_hours BETWEEN 0 AND 720),
    reschedule_notice_hours     BIGINT  NOT NULL CHECK (reschedule_notice_hours BETWEEN 0 AND 720),
    cancellation_approval       TEXT    NOT NULL CHECK (cancellation_approval IN ('always', 'never', 'inside_window')),
    reschedule_approval         TEXT    NOT NULL CHECK (reschedule_approval IN ('always', 'never', 'inside_window')),
    late_cancellation_fee_cents BIGINT  NOT NULL CHECK (late_cancellation_fee_cents >= 0),
    no_show_fee_cents           BIGINT  NOT NULL CHECK (no_show_fee_cents >= 0),
    updated_at                  BIGINT  NOT NULL
);
CREATE UNIQUE INDEX policies_practice ON policies (practice_id) WHERE provider_id IS NULL;
CREATE UNIQUE INDEX policies_provider ON policies (provider_id) WHERE provider_id IS NOT NULL;

-- How a provider's day is cut into bookable slots.
CREATE TABLE provider_schedules (
    provider_id   BIGINT PRIMARY KEY REFERENCES providers (id) ON DELETE CASCADE,
    slot_minutes  BIGINT NOT NULL CHECK (slot_minutes BETWEEN 5 AND 240),
    updated_at    BIGINT NOT NULL
);

-- Weekly opening hours and breaks; weekday 0 = Monday.
CREATE TABLE provider_hours (
    id            INTEGER PRIMARY KEY,
    provider_id   BIGINT NOT NULL REFERENCES providers (id) ON DELETE CASCADE,
    kind          TEXT   NOT NULL CHECK (kind IN ('hours', 'break')),
    weekday       BIGINT NOT NULL CHECK (weekday BETWEEN 0 AND 6),
    start_minute  BIGINT NOT NULL CHECK (start_minute BETWEEN 0 AND 1440),
    end_minute    BIGINT NOT NULL CHECK (end_minute BETWEEN 0 AND 1440),
    CHECK (start_minute < end_minute)
);
CREATE INDEX provider_hours_provider ON provider_hours (provider_id);

-- Whole days a provider does not see patients (a practice-local date).
CREATE TABLE provider_days_off (
    provider_id  BIGINT NOT NULL REFERENCES providers (id) ON DELETE CASCADE,
    day          TEXT   NOT NULL,          -- YYYY-MM-DD
    note         TEXT   NOT NULL DEFAULT '',
    PRIMARY KEY (provider_id, day)
);

-- The reasons a patient can give for cancelling; 'other' takes free text.
CREATE TABLE cancellation_reasons (
    code      TEXT   PRIMARY KEY,
    label     TEXT   NOT NULL,
    position  BIGINT NOT NULL
);
INSERT INTO cancellation_reasons (code, label, position) VALUES
    ('feeling_better', 'Feeling better', 1),
    ('schedule_conflict', 'Schedule conflict', 2),
    ('transportation', 'Transportation', 3),
    ('cost', 'Cost', 4),
    ('by_mistake', 'Scheduled by mistake', 5),
    ('other', 'Other', 6);

-- One appointment. `state` follows app/src/domain/appointment.rs. A change waiting for an
-- answer (a reschedule asked for, a time proposed) keeps the booked time in starts_at and the
-- new one in pending_starts_at until it is decided. `policy` is the policy in force at booking.
CREATE TABLE appointments (
    id                 INTEGER PRIMARY KEY,
    chart_id           BIGINT NOT NULL REFERENCES patient_charts (id),
    practice_id        BIGINT NOT NULL REFERENCES practices (id),
    provider_id        BIGINT NOT NULL REFERENCES providers (id),
    starts_at          BIGINT NOT NULL,
    ends_at            BIGINT NOT NULL,
    pending_starts_at  BIGINT,
    pending_ends_at    BIGINT,
    state              TEXT   NOT NULL CHECK (state IN ('requested', 'confirmed', 'declined', 'cancellation_requested', 'reschedule_requested', 'proposed', 'cancelled', 'completed', 'no_show')),
    visit_reason       TEXT   NOT NULL,
    policy             TEXT   NOT NULL,    -- JSON snapshot of domain::policy::Policy
    booked_by          BIGINT REFERENCES portal_accounts (id) ON DELETE SET NULL,
    version            BIGINT NOT NULL DEFAULT 1,  -- bumped by every transition
    created_at         BIGINT NOT NULL,
    updated_at         BIGINT NOT NULL,
    CHECK (starts_at < ends_at)
);
CREATE INDEX appointments_chart ON appointments (chart_id, starts_at);
CREATE INDEX appointments_practice_state ON appointments (practice_id, state);
CREATE INDEX appointments_provider_time ON appointments (provider_id, starts_at);
CREATE INDEX appointments_provider_pending ON appointments (provider_id, pending_starts_at);

-- The slots appointments hold. The primary key makes a double booking of one provider's slot
-- impossible whatever the application does; an open reschedule or proposal holds both times.
CREATE TABLE slot_holds (
    provider_id     BIGINT NOT NULL REFERENCES providers (id),
    starts_at       BIGINT NOT NULL,
    appointment_id  BIGINT NOT NULL REFERENCES appointments (id) ON DELETE CASCADE,
    PRIMARY KEY (provider_id, starts_at)
);
CREATE INDEX slot_holds_appointment ON slot_holds (appointment_id);

-- An appointment's history ("Appointment details"): every transition, who made it and why.
CREATE TABLE appointment_events (
    id              INTEGER PRIMARY KEY,
    appointment_id  BIGINT NOT NULL REFERENCES appointments (id) ON DELETE CASCADE,
    occurred_at     BIGINT NOT NULL,
    actor_kind      TEXT   NOT NULL CHECK (actor_kind IN ('patient', 'representative', 'staff', 'system')),
    actor_id        BIGINT,
    actor_name      TEXT   NOT NULL,       -- as it was when they acted
    action          TEXT   NOT NULL,
    from_state      TEXT,                  -- NULL for the booking itself
    to_state        TEXT   NOT NULL,
    starts_at       BIGINT NOT NULL,       -- the time the event concerns
    reason          TEXT   NOT NULL DEFAULT '',
    note            TEXT   NOT NULL DEFAULT ''
);
CREATE INDEX appointment_events_appointment ON appointment_events (appointment_id, id);

-- The transactional outbox: messages written in the same transaction as the change that
-- causes them, delivered by a background worker with retries. `dedupe_key` makes a message
-- (a reminder, say) impossible to queue twice.
CREATE TABLE outbox (
    id               INTEGER PRIMARY KEY,
    channel          TEXT   NOT NULL CHECK (channel IN ('email', 'sms', 'voice')),
    recipient        TEXT   NOT NULL,
    subject          TEXT   NOT NULL,
    body             TEXT   NOT NULL,
    dedupe_key       TEXT   UNIQUE,
    status           TEXT   NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'logged', 'failed')),
    attempts         BIGINT NOT NULL DEFAULT 0,
    next_attempt_at  BIGINT NOT NULL,
    last_error       TEXT   NOT NULL DEFAULT '',
    created_at       BIGINT NOT NULL,
    sent_at          BIGINT
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
