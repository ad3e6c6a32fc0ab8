-- The staff pages at a clinic's size (10,000 patients, `portico seed --scale`): the inbox and the
-- requests queue sorted every matching row to show one page, and the needs-reply count on every
-- staff page read each waiting conversation's row for its status.

-- The inbox in its order (latest first, id to break ties), so a page is a walk of one index
-- that stops after the page; the needs-reply filter and count find their rows, status
-- included, in the second one without touching the table.
DROP INDEX conversations_practice;
CREATE INDEX conversations_latest ON conversations (practice_id, last_message_at, id);
CREATE INDEX conversations_needs_reply ON conversations (practice_id, needs_reply, status, last_message_at, id);

-- Only the open requests, in the queue's order (oldest change first): a page walks the first
-- rows of it instead of sorting every request the practice has waiting.
CREATE INDEX appointments_open_requests ON appointments (practice_id, updated_at, id)
    WHERE state IN ('requested', 'cancellation_requested', 'reschedule_requested');
-- The queue's counts by kind, for the practice or one provider, from the index alone.
DROP INDEX appointments_practice_state;
CREATE INDEX appointments_practice_state ON appointments (practice_id, state, provider_id);
