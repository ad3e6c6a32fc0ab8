-- The patient home's "new results" asks when this account last opened this record's health
-- record. With only audit_log_actor, that read every audit row the account ever wrote (each
-- list view adds one), and the home page slowed as the log grew: 1,251, 400, then 219 req/s over
-- three benchmark rounds. With the action and chart in the key it is one index seek.
CREATE INDEX audit_log_actor_action ON audit_log (actor_kind, actor_id, action, chart_id, occurred_at);
