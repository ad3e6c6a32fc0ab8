-- The health record (SQLite). The PostgreSQL twin has the same tables and columns. Times are
-- Unix seconds, UTC; dates are ISO YYYY-MM-DD; booleans are 0/1.
--
-- Every entry keeps the FHIR R4 resource it came from (imported, or written by staff), so an
-- export returns what was imported; the columns beside it are what the pages show and filter.

-- A chart's identifiers in the clinic's EHR (e.g. its medical record number), learnt from the
-- first import that matched the chart by name and date of birth.
CREATE TABLE chart_identifiers (
    practice_id  BIGINT NOT NULL REFERENCES practices (id),
    system       TEXT   NOT NULL,
    value        TEXT   NOT NULL,
    chart_id     BIGINT NOT NULL REFERENCES patient_charts (id) ON DELETE CASCADE,
    PRIMARY KEY (practice_id, system, value)
);
CREATE INDEX chart_identifiers_chart ON chart_identifiers (chart_id);

-- One structured entry of the record the patient may see: a problem, medication, allergy,
-- immunization, procedure, care plan, vital sign, lab result or imaging report.
CREATE TABLE health_entries (
    id             INTEGER PRIMARY KEY,
    chart_id       BIGINT NOT NULL REFERENCES patient_charts (id) ON DELETE CASCADE,
    resource_type  TEXT   NOT NULL,            -- FHIR type, e.g. Condition
    fhir_id        TEXT   NOT NULL,            -- the resource's id in the EHR (or ours)
    section        TEXT   NOT NULL CHECK (section IN ('problems', 'medications', 'allergies',
                       'immunizations', 'procedures', 'care_plans', 'vitals', 'labs', 'imaging')),
    code_system    TEXT   NOT NULL DEFAULT '',
    code           TEXT   NOT NULL DEFAULT '',
    title          TEXT   NOT NULL,            -- the code in words
    status         TEXT   NOT NULL DEFAULT '',
    recorded_on    TEXT,                       -- the day it is about; the date filter uses it
    detail         TEXT   NOT NULL DEFAULT '', -- one line more: dose, reaction, conclusion…
    performer      TEXT   NOT NULL DEFAULT '', -- the performing lab or clinician
    specimen       TEXT   NOT NULL DEFAULT '',
    report_fhir_id TEXT,                       -- a lab result's DiagnosticReport, if any
    needs_sharing  BIGINT NOT NULL DEFAULT 0,  -- results stay hidden until staff share them
    shared_at      BIGINT,
    shared_by      BIGINT REFERENCES staff_accounts (id),
    source         TEXT   NOT NULL CHECK (source IN ('import', 'staff')),
    resource       TEXT   NOT NULL,            -- the FHIR R4 resource, JSON
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL,
    UNIQUE (chart_id, resource_type, fhir_id)
);
CREATE INDEX health_entries_section ON health_entries (chart_id, section, recorded_on);

-- The measured values of a vital sign or lab result: one, or one per component (blood
-- pressure has two).
CREATE TABLE health_values (
    entry_id    BIGINT NOT NULL REFERENCES health_entries (id) ON DELETE CASCADE,
    seq         BIGINT NOT NULL,
    code        TEXT   NOT NULL DEFAULT '',
    title       TEXT   NOT NULL,
    value_num   REAL,
    value_text  TEXT   NOT NULL DEFAULT '',
    unit        TEXT   NOT NULL DEFAULT '',
    ref_low     REAL,
    ref_high    REAL,
    ref_text    TEXT   NOT NULL DEFAULT '',
    flag        TEXT   NOT NULL DEFAULT '' CHECK (flag IN ('', 'high', 'low', 'critical', 'abnormal')),
    PRIMARY KEY (entry_id, seq)
);
CREATE INDEX health_values_code ON health_values (code);

-- Clinicians' notes. Stored for the chart, never shown or exported to the patient: they live
-- in their own table so that no patient query can reach them by a missing filter.
CREATE TABLE chart_notes (
    id          INTEGER PRIMARY KEY,
    chart_id    BIGINT NOT NULL REFERENCES patient_charts (id) ON DELETE CASCADE,
    fhir_id     TEXT   NOT NULL,
    title       TEXT   NOT NULL,
    written_on  TEXT,
    body        TEXT   NOT NULL DEFAULT '',
    resource    TEXT   NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    UNIQUE (chart_id, fhir_id)
);

-- A record sent by the patient to an email address: by a secure link (the email holds a link,
-- the recipient types a one-time code the patient passes on), or as plain email with the
-- summary attached (only after the patient chose "send anyway").
CREATE TABLE record_transmissions (
    id              INTEGER PRIMARY KEY,
    account_id      BIGINT NOT NULL REFERENCES portal_accounts (id) ON DELETE CASCADE,
    chart_id        BIGINT NOT NULL REFERENCES patient_charts (id) ON DELETE CASCADE,
    method          TEXT   NOT NULL CHECK (method IN ('secure', 'plain')),
    recipient       TEXT   NOT NULL,
    from_day        TEXT,
    to_day          TEXT,
    token_hash      TEXT   UNIQUE,           -- secure only: SHA-256 of the link's token
    code_hash       TEXT,                    -- secure only: keyed hash of the one-time code
    code_shown      TEXT,                    -- the code, for the sender's confirmation page until the link is used or dead
    wrong_attempts  BIGINT NOT NULL DEFAULT 0,
    expires_at      BIGINT,
    opened_at       BIGINT,
    created_at      BIGINT NOT NULL
);
CREATE INDEX record_transmissions_account ON record_transmissions (account_id, created_at);

-- An email may carry one text attachment (the plainly emailed record summary).
ALTER TABLE outbox ADD COLUMN attachment_name TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN attachment TEXT NOT NULL DEFAULT '';

-- Each bundle a staff admin uploaded on a chart's page, and what became of it.
CREATE TABLE health_imports (
    id           INTEGER PRIMARY KEY,
    chart_id     BIGINT NOT NULL REFERENCES patient_charts (id) ON DELETE CASCADE,
    staff_id     BIGINT NOT NULL REFERENCES staff_accounts (id),
    imported_at  BIGINT NOT NULL,
    outcome      TEXT   NOT NULL CHECK (outcome IN ('imported', 'refused')),
    summary      TEXT   NOT NULL,
    problems     TEXT   NOT NULL DEFAULT ''  -- one refusal per line
);
CREATE INDEX health_imports_chart ON health_imports (chart_id, id);
