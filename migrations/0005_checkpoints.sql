-- actionq schema, version 5: checkpoints. A worker holding an action's lease
-- saves state under a step name; a later attempt reads what earlier attempts
-- saved and resumes after the last step. Deleting an action (retention)
-- deletes its checkpoints.

CREATE TABLE checkpoints (
    action_id  bigint      NOT NULL REFERENCES actions (id) ON DELETE CASCADE,
    step       text        NOT NULL,
    state      jsonb       NOT NULL DEFAULT '{}',
    attempt    integer     NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    -- Sizes as sent, so that a save can keep an action's checkpoints within
    -- one response without re-reading their JSON.
    state_bytes integer    NOT NULL,
    CONSTRAINT checkpoints_pkey PRIMARY KEY (action_id, step),
    CONSTRAINT checkpoints_state_object CHECK (jsonb_typeof(state) = 'object'),
    CONSTRAINT checkpoints_attempt_sane CHECK (attempt >= 1),
    CONSTRAINT checkpoints_state_bytes_sane CHECK (state_bytes >= 0)
);

ALTER TABLE events DROP CONSTRAINT events_type_known;
ALTER TABLE events ADD CONSTRAINT events_type_known CHECK (event_type IN (
    'action_enqueued', 'action_claimed', 'action_completed', 'action_failed',
    'action_rejected', 'action_cancelled', 'claim_timed_out',
    'coordinator_cycle', 'coordinator_paused',
    'action_retry_scheduled', 'action_retried', 'action_progress',
    'queue_paused', 'queue_resumed', 'queue_updated',
    'checkpoint_saved'));
