-- actionq schema, version 9: API tokens. A token's secret is never stored:
-- only its SHA-256 (the secret is 256 random bits, so a plain hash is as good
-- as a slow one and lets every call check it cheaply).

CREATE TABLE tokens (
    id          text        PRIMARY KEY,
    name        text        NOT NULL,
    role        text        NOT NULL,
    names       text[]      NOT NULL DEFAULT '{}',
    secret_hash bytea       NOT NULL,
    created_by  text        NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz,
    revoked_at  timestamptz,
    CONSTRAINT tokens_role_known CHECK (
        role IN ('producer', 'worker', 'operator', 'coordinator', 'admin')),
    CONSTRAINT tokens_hash_sized CHECK (octet_length(secret_hash) = 32),
    CONSTRAINT tokens_expiry_after_creation CHECK (expires_at IS NULL OR expires_at > created_at)
);

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
    'workflow_finished', 'queue_limits_updated',
    'token_created', 'token_revoked'));
