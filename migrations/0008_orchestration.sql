-- actionq schema, version 8: orchestration. The status `waiting` (for
-- dependencies, a signal or a time), workflow runs with dependencies, kept
-- signals, concurrency/rate limits per queue, action type or key, and ordered
-- groups. One migration for all of them, so that the event-type and status
-- lists are written once.

ALTER TABLE actions
    ADD COLUMN workflow_id text,
    ADD COLUMN depends_on bigint[],
    ADD COLUMN concurrency_key text,
    ADD COLUMN group_key text,
    -- While waiting: what for ('dependencies', 'signal', 'sleep'), the signal's
    -- name, when the wait times out, and the step its wake-up is saved under.
    ADD COLUMN waiting_for text,
    ADD COLUMN wait_signal text,
    ADD COLUMN wait_until timestamptz,
    ADD COLUMN wait_step text;

ALTER TABLE actions DROP CONSTRAINT actions_status_known;
ALTER TABLE actions ADD CONSTRAINT actions_status_known CHECK (
    status IN ('pending', 'claimed', 'waiting', 'completed', 'failed', 'rejected', 'cancelled'));
ALTER TABLE actions ADD CONSTRAINT actions_waiting_for_known CHECK (
    (status = 'waiting') = (waiting_for IS NOT NULL)
    AND (waiting_for IS NULL OR waiting_for IN ('dependencies', 'signal', 'sleep')));
ALTER TABLE actions ADD CONSTRAINT actions_wait_signal_named CHECK (
    coalesce(waiting_for = 'signal', false) = (wait_signal IS NOT NULL));
ALTER TABLE actions ADD CONSTRAINT actions_wait_step_named CHECK (
    coalesce(waiting_for IN ('signal', 'sleep'), false) = (wait_step IS NOT NULL));
ALTER TABLE actions ADD CONSTRAINT actions_wait_until_waiting CHECK (
    wait_until IS NULL OR waiting_for IN ('signal', 'sleep'));
ALTER TABLE actions ADD CONSTRAINT actions_sleep_timed CHECK (
    waiting_for IS DISTINCT FROM 'sleep' OR wait_until IS NOT NULL);
ALTER TABLE actions ADD CONSTRAINT actions_depends_in_workflow CHECK (
    depends_on IS NULL OR workflow_id IS NOT NULL);

CREATE INDEX actions_workflow ON actions (workflow_id, id) WHERE workflow_id IS NOT NULL;
CREATE INDEX actions_waiting_signal ON actions (wait_signal, id) WHERE status = 'waiting';
CREATE INDEX actions_waiting_until ON actions (wait_until) WHERE status = 'waiting';
-- Concurrency limits count what is claimed now through actions_claim_deadline
-- (every claimed row, a bounded set): no index of their own, which every
-- claim and completion of every queue would pay for.
-- Ordered groups: the head of a group is its oldest action not yet ended.
CREATE INDEX actions_group_open ON actions (queue, group_key, id)
    WHERE group_key IS NOT NULL AND status IN ('pending', 'claimed', 'waiting');

-- Edges of workflow dependencies: action_id waits for depends_on.
CREATE TABLE action_dependencies (
    action_id  bigint NOT NULL REFERENCES actions (id) ON DELETE CASCADE,
    depends_on bigint NOT NULL REFERENCES actions (id) ON DELETE CASCADE,
    CONSTRAINT action_dependencies_pkey PRIMARY KEY (action_id, depends_on),
    CONSTRAINT action_dependencies_not_self CHECK (action_id <> depends_on)
);
CREATE INDEX action_dependencies_depends_on ON action_dependencies (depends_on);

-- One row per workflow run: serializes the settling of its dependants and
-- records its end.
CREATE TABLE workflows (
    id          text        PRIMARY KEY,
    status      text        NOT NULL DEFAULT 'running',
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz,
    CONSTRAINT workflows_status_known CHECK (status IN ('running', 'completed', 'failed')),
    CONSTRAINT workflows_finished_dated CHECK ((status = 'running') = (finished_at IS NULL))
);

-- Signals kept for actions that start waiting after they were sent.
CREATE TABLE signals (
    id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        text        NOT NULL,
    payload     jsonb       NOT NULL DEFAULT '{}',
    mode        text        NOT NULL DEFAULT 'broadcast',
    sent_by     text        NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    -- A one-shot signal is used up by the action it woke.
    consumed_by bigint,
    consumed_at timestamptz,
    CONSTRAINT signals_payload_object CHECK (jsonb_typeof(payload) = 'object'),
    CONSTRAINT signals_mode_known CHECK (mode IN ('broadcast', 'one')),
    CONSTRAINT signals_consumed_paired CHECK ((consumed_by IS NULL) = (consumed_at IS NULL))
);
CREATE INDEX signals_name ON signals (name, id);
CREATE INDEX signals_expires ON signals (expires_at);

-- Limits on claims: per queue (scope 'queue', match ''), per action type
-- (scope 'type', match the type) or per concurrency_key value (scope 'key',
-- match ''; each key value separately).
CREATE TABLE queue_limits (
    queue          text        NOT NULL REFERENCES queues (name) ON DELETE CASCADE,
    scope          text        NOT NULL,
    match          text        NOT NULL DEFAULT '',
    concurrency    integer,
    rate           integer,
    period_seconds float8,
    updated_at     timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT queue_limits_pkey PRIMARY KEY (queue, scope, match),
    CONSTRAINT queue_limits_scope_known CHECK (scope IN ('queue', 'type', 'key')),
    CONSTRAINT queue_limits_match_sane CHECK ((scope = 'type') = (match <> '')),
    CONSTRAINT queue_limits_concurrency_sane CHECK (concurrency IS NULL OR concurrency >= 1),
    CONSTRAINT queue_limits_rate_sane CHECK (
        (rate IS NULL AND period_seconds IS NULL) OR (rate >= 1 AND period_seconds > 0)),
    CONSTRAINT queue_limits_something CHECK (concurrency IS NOT NULL OR rate IS NOT NULL)
);

-- Token buckets of rate limits, by DB time: one per limit and (for scope
-- 'key') key value.
CREATE TABLE rate_buckets (
    queue       text        NOT NULL,
    scope       text        NOT NULL,
    match       text        NOT NULL,
    value       text        NOT NULL DEFAULT '',
    tokens      float8      NOT NULL,
    refilled_at timestamptz NOT NULL,
    CONSTRAINT rate_buckets_pkey PRIMARY KEY (queue, scope, match, value),
    CONSTRAINT rate_buckets_limit FOREIGN KEY (queue, scope, match)
        REFERENCES queue_limits (queue, scope, match) ON DELETE CASCADE
);

-- Does the queue have any limit? Kept on the queue row, so that the claim of
-- an unlimited queue pays one boolean.
ALTER TABLE queues ADD COLUMN limited boolean NOT NULL DEFAULT false;

ALTER TABLE events DROP CONSTRAINT events_type_known;
ALTER TABLE events ADD CONSTRAINT events_type_known CHECK (event_type IN (
    'action_enqueued', 'action_claimed', 'action_completed', 'action_failed',
    'action_rejected', 'action_cancelled', 'claim_timed_out',
    'coordinator_cycle', 'coordinator_paused',
    'action_retry_scheduled', 'action_retried', 'action_progress',
    'queue_paused', 'queue_resumed', 'queue_updated',
    'checkpoint_saved',
    'schedule_created', 'schedule_paused', 'schedule_resumed', 'schedule_deleted',
    'schedule_fired',
    'claim_released',
    'action_waiting', 'action_woken', 'signal_sent', 'action_ready',
    'workflow_finished', 'queue_limits_updated'));

-- Claims taken through a limited queue's claim (store/queries/limits.sql) are
-- marked, so that their end wakes the queue's waiting claimers (a slot freed);
-- so does the end of a group's head (the next one is claimable). The WHEN
-- clause keeps every other claim and completion free of any trigger call.
ALTER TABLE actions ADD COLUMN limit_claimed boolean;

CREATE FUNCTION actions_notify_slot_freed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify(TG_TABLE_SCHEMA || '.work', NEW.queue);
    RETURN NULL;
END;
$$;

CREATE TRIGGER actions_notify_slot_freed AFTER UPDATE ON actions
    FOR EACH ROW WHEN (
        (OLD.limit_claimed AND OLD.status = 'claimed' AND NEW.status <> 'claimed')
        OR (OLD.group_key IS NOT NULL AND OLD.status IN ('pending', 'claimed', 'waiting')
            AND NEW.status NOT IN ('pending', 'claimed', 'waiting')))
    EXECUTE FUNCTION actions_notify_slot_freed();
