-- actionq schema, version 7: a claim whose caller went away is released. When
-- a Claim call is cancelled (a worker stopping during its long poll) while its
-- statement commits, nobody receives the leases; the server puts those
-- actions back to pending without using up the attempt (event
-- claim_released), instead of leaving them to expire and fail.

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
    'claim_released'));
