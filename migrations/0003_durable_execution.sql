-- actionq schema, version 3: retries you can shape, queues as things (defaults,
-- pause), progress, and what retention and stats need to stay cheap.

-- A queue exists once an action was enqueued into it (Enqueue adds its row)
-- or an operator configured it. NULL defaults mean the built-in ones.
CREATE TABLE queues (
    name          text        PRIMARY KEY,
    max_attempts  integer,
    backoff       jsonb,
    lease_seconds float8,
    paused        boolean     NOT NULL DEFAULT false,
    paused_at     timestamptz,
    paused_by     text,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT queues_max_attempts_sane CHECK (max_attempts IS NULL OR max_attempts BETWEEN 1 AND 1000),
    CONSTRAINT queues_backoff_object CHECK (backoff IS NULL OR jsonb_typeof(backoff) = 'object'),
    CONSTRAINT queues_lease_sane CHECK (lease_seconds IS NULL OR lease_seconds > 0),
    CONSTRAINT queues_paused_dated CHECK (paused = (paused_at IS NOT NULL))
);

INSERT INTO queues (name) SELECT DISTINCT queue FROM actions;

-- The action's own retry policy ({"strategy", "base", "max", "jitter"}, seconds;
-- NULL: its queue's, else the built-in one) and the latest progress a worker
-- reported.
ALTER TABLE actions
    ADD COLUMN backoff jsonb
        CONSTRAINT actions_backoff_object CHECK (backoff IS NULL OR jsonb_typeof(backoff) = 'object'),
    ADD COLUMN progress jsonb
        CONSTRAINT actions_progress_object CHECK (progress IS NULL OR jsonb_typeof(progress) = 'object');

-- Attempts never exceed max_attempts. Before this version an expired lease did
-- not use up an attempt, so a row may have looped past its limit: it keeps
-- its history and gets one more attempt if it is still unfinished.
UPDATE actions SET max_attempts = CASE WHEN completed_at IS NULL THEN attempt + 1 ELSE attempt END
WHERE attempt > max_attempts OR (attempt = max_attempts AND status = 'pending');
ALTER TABLE actions DROP CONSTRAINT actions_attempts_sane;
ALTER TABLE actions ADD CONSTRAINT actions_attempts_sane
    CHECK (max_attempts >= 1 AND attempt >= 0 AND attempt <= max_attempts);

-- Finished actions by age: retention deletes the oldest, stats count the last
-- minute's, neither reads the rest.
CREATE INDEX actions_finished ON actions (completed_at) WHERE completed_at IS NOT NULL;

ALTER TABLE events DROP CONSTRAINT events_type_known;
ALTER TABLE events ADD CONSTRAINT events_type_known CHECK (event_type IN (
    'action_enqueued', 'action_claimed', 'action_completed', 'action_failed',
    'action_rejected', 'action_cancelled', 'claim_timed_out',
    'coordinator_cycle', 'coordinator_paused',
    'action_retry_scheduled', 'action_retried', 'action_progress',
    'queue_paused', 'queue_resumed', 'queue_updated'));

-- The delay before the retry that follows attempt `attempt` under `policy`
-- (NULL fields: exponential, base 2 s, max 1 h, jitter 0.1 only when the
-- whole policy is the built-in one). Jitter removes up to that fraction.
CREATE FUNCTION backoff_delay(policy jsonb, attempt integer) RETURNS float8
LANGUAGE sql VOLATILE AS $$
    SELECT d * (1 - j * random())
    FROM (SELECT CASE WHEN coalesce(policy ->> 'strategy', 'exponential') = 'fixed' THEN base
                      ELSE least(mx, base * power(2::float8, greatest(attempt, 1) - 1)) END AS d,
                 j
          FROM (SELECT coalesce((policy ->> 'base')::float8, 2) AS base,
                       coalesce((policy ->> 'max')::float8, 3600) AS mx,
                       CASE WHEN policy IS NULL THEN 0.1
                            ELSE coalesce((policy ->> 'jitter')::float8, 0) END AS j) AS p) AS q
$$;

-- A resumed queue wakes the claims waiting on it.
CREATE FUNCTION queues_notify_resumed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify(TG_TABLE_SCHEMA || '.work', NEW.name);
    RETURN NULL;
END;
$$;

CREATE TRIGGER queues_notify_resumed AFTER UPDATE ON queues
    FOR EACH ROW WHEN (OLD.paused AND NOT NEW.paused)
    EXECUTE FUNCTION queues_notify_resumed();
