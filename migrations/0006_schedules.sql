-- actionq schema, version 6: cron schedules. Each schedule enqueues its action
-- template once per tick of its cron expression, read in its IANA time zone.
-- A tick is claimed by a compare-and-set on next_run_at, in the transaction
-- that enqueues its action; the action's idempotency key names the schedule
-- and the tick, so that no tick can make two actions.

CREATE TABLE schedules (
    name           text        PRIMARY KEY,
    cron           text        NOT NULL,
    -- IANA zone name; 'UTC' when none was given.
    time_zone      text        NOT NULL,
    -- The action template as validated: queue, action_type, project,
    -- target_ref, source_refs, priority, created_by, max_attempts,
    -- delay_seconds, backoff (an object or null); its payload apart, kept as
    -- sent (jsonb keeps numbers exactly).
    action         jsonb       NOT NULL,
    payload        jsonb       NOT NULL DEFAULT '{}',
    paused         boolean     NOT NULL DEFAULT false,
    -- The next tick to enqueue (a paused schedule's is recomputed on resume).
    next_run_at    timestamptz NOT NULL,
    -- The last tick that enqueued an action, and that action (no foreign key:
    -- retention may delete the action, the schedule keeps its number).
    last_run_at    timestamptz,
    last_action_id bigint,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT schedules_action_object CHECK (jsonb_typeof(action) = 'object'),
    CONSTRAINT schedules_payload_object CHECK (jsonb_typeof(payload) = 'object')
);

-- The scheduler reads the earliest due tick of the running schedules.
CREATE INDEX schedules_due ON schedules (next_run_at) WHERE NOT paused;

ALTER TABLE events DROP CONSTRAINT events_type_known;
ALTER TABLE events ADD CONSTRAINT events_type_known CHECK (event_type IN (
    'action_enqueued', 'action_claimed', 'action_completed', 'action_failed',
    'action_rejected', 'action_cancelled', 'claim_timed_out',
    'coordinator_cycle', 'coordinator_paused',
    'action_retry_scheduled', 'action_retried', 'action_progress',
    'queue_paused', 'queue_resumed', 'queue_updated',
    'checkpoint_saved',
    'schedule_created', 'schedule_paused', 'schedule_resumed', 'schedule_deleted',
    'schedule_fired'));
