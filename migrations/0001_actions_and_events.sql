-- actionq schema, version 1: actions (current state) and events (append-only history).
-- Runs with search_path set to the target schema; names are unqualified on purpose.

CREATE TABLE actions (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    queue           text        NOT NULL DEFAULT 'default',
    action_type     text        NOT NULL,
    project         text        NOT NULL,
    target_ref      text        NOT NULL DEFAULT '',
    source_refs     text[]      NOT NULL DEFAULT '{}',
    payload         jsonb       NOT NULL DEFAULT '{}',
    priority        integer     NOT NULL DEFAULT 0,
    status          text        NOT NULL DEFAULT 'pending',
    run_after       timestamptz NOT NULL DEFAULT now(),
    attempt         integer     NOT NULL DEFAULT 0,
    max_attempts    integer     NOT NULL DEFAULT 1,
    claimed_by      text,
    claim_deadline  timestamptz,
    lease_token     uuid,
    parent_id       bigint REFERENCES actions (id),
    chain_depth     integer     NOT NULL DEFAULT 0,
    created_by      text        NOT NULL,
    idempotency_key text,
    result_ref      text,
    result          jsonb,
    failure_reason  text,
    rejected_by     text,
    completed_at    timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT actions_status_known CHECK (
        status IN ('pending', 'claimed', 'completed', 'failed', 'rejected', 'cancelled')),
    CONSTRAINT actions_payload_object CHECK (jsonb_typeof(payload) = 'object'),
    CONSTRAINT actions_result_object CHECK (result IS NULL OR jsonb_typeof(result) = 'object'),
    CONSTRAINT actions_attempts_sane CHECK (max_attempts >= 1 AND attempt >= 0),
    CONSTRAINT actions_chain_depth_sane CHECK (chain_depth >= 0),
    CONSTRAINT actions_claim_owned CHECK (
        status <> 'claimed'
        OR (claimed_by IS NOT NULL AND claim_deadline IS NOT NULL AND lease_token IS NOT NULL)),
    CONSTRAINT actions_terminal_dated CHECK (
        (status IN ('completed', 'failed', 'rejected', 'cancelled')) = (completed_at IS NOT NULL)),
    CONSTRAINT actions_rejected_by_validator CHECK (status <> 'rejected' OR rejected_by IS NOT NULL)
);

-- Serve the claim exactly: equality on queue (and on each wanted action
-- type), then the claim order, so a claim never walks rows it cannot take.
CREATE INDEX actions_claim_order ON actions (queue, priority, run_after, id)
    WHERE status = 'pending';
CREATE INDEX actions_claim_order_by_type ON actions (queue, action_type, priority, run_after, id)
    WHERE status = 'pending';
-- Serves the sweeper.
CREATE INDEX actions_claim_deadline ON actions (claim_deadline) WHERE status = 'claimed';
-- Serves the per-producer rate limit, which only applies to these producers.
CREATE INDEX actions_rate_limited_recent ON actions (created_by, created_at)
    WHERE created_by LIKE 'agent:%' OR created_by LIKE 'script:%';
CREATE INDEX actions_parent ON actions (parent_id) WHERE parent_id IS NOT NULL;
CREATE INDEX actions_status_id ON actions (status, id);
CREATE UNIQUE INDEX actions_idempotency ON actions (queue, idempotency_key)
    WHERE idempotency_key IS NOT NULL;

CREATE TABLE events (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- Not a foreign key: history outlives the rows it describes, and the
    -- server checks the id when a coordinator names one.
    action_id   bigint,
    event_type  text        NOT NULL,
    actor       text        NOT NULL,
    payload     jsonb       NOT NULL DEFAULT '{}',
    created_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT events_payload_object CHECK (jsonb_typeof(payload) = 'object'),
    CONSTRAINT events_type_known CHECK (event_type IN (
        'action_enqueued', 'action_claimed', 'action_completed', 'action_failed',
        'action_rejected', 'action_cancelled', 'claim_timed_out',
        'coordinator_cycle', 'coordinator_paused'))
);

CREATE INDEX events_action ON events (action_id, id) WHERE action_id IS NOT NULL;

-- The log is append-only: the database refuses to change or remove history.
CREATE FUNCTION events_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'events are append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER events_no_update_delete BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION events_refuse_change();
CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION events_refuse_change();

-- Event ids become visible in id order: every statement that inserts events
-- first takes a transaction-scoped lock on the log, held until commit, so an
-- id taken earlier is always committed (or rolled back) before a later one is
-- taken. A reader of "id > cursor" therefore never skips a late commit.
CREATE FUNCTION events_serialize_ids() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(TG_RELID::bigint);
    RETURN NULL;
END;
$$;

CREATE TRIGGER events_serialize_ids BEFORE INSERT ON events
    FOR EACH STATEMENT EXECUTE FUNCTION events_serialize_ids();

-- LISTEN/NOTIFY only wakes listeners; identical notifications in one
-- transaction are folded into one by PostgreSQL.
CREATE FUNCTION events_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify(TG_TABLE_SCHEMA || '.events', '');
    RETURN NULL;
END;
$$;

CREATE TRIGGER events_notify AFTER INSERT ON events
    FOR EACH STATEMENT EXECUTE FUNCTION events_notify();

CREATE FUNCTION actions_notify_pending() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify(TG_TABLE_SCHEMA || '.work', q.queue)
    FROM (SELECT DISTINCT queue FROM changed WHERE status = 'pending') AS q;
    RETURN NULL;
END;
$$;

CREATE TRIGGER actions_notify_inserted AFTER INSERT ON actions
    REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION actions_notify_pending();

-- Requeues (a retry, a sweep) are few; the WHEN clause keeps claims and
-- completions, the hot updates, free of any trigger call.
CREATE FUNCTION actions_notify_requeued() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify(TG_TABLE_SCHEMA || '.work', NEW.queue);
    RETURN NULL;
END;
$$;

CREATE TRIGGER actions_notify_requeued AFTER UPDATE ON actions
    FOR EACH ROW WHEN (NEW.status = 'pending' AND OLD.status <> 'pending')
    EXECUTE FUNCTION actions_notify_requeued();
