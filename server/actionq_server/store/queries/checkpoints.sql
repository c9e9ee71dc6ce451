-- Checkpoints: state a worker saves under a step name while it holds the
-- action's lease. The lease is checked and the action row share-locked in the
-- same statement, so no transition slips between the check and the save.

-- name: checkpoint_save
-- Saves (or replaces) one step; no row when the lease does not hold, or when
-- the action's checkpoints would outgrow $5 bytes of JSON.
WITH held AS (
    SELECT id, attempt, claimed_by FROM actions
    WHERE id = $1 AND status = 'claimed' AND lease_token = $2::uuid
    FOR SHARE
), saved AS (
    INSERT INTO checkpoints (action_id, step, state, attempt, state_bytes)
    SELECT id, $3, $4::text::jsonb, attempt, octet_length($4::text) FROM held
    WHERE (SELECT coalesce(sum(state_bytes), 0) FROM checkpoints
           WHERE action_id = $1 AND step <> $3) + octet_length($4::text) <= $5
    ON CONFLICT (action_id, step) DO UPDATE
    SET state = EXCLUDED.state, attempt = EXCLUDED.attempt,
        state_bytes = EXCLUDED.state_bytes, updated_at = now()
    RETURNING *
), logged AS (
    INSERT INTO events (action_id, event_type, actor, payload)
    SELECT s.action_id, 'checkpoint_saved', h.claimed_by,
           jsonb_build_object('step', s.step, 'attempt', s.attempt, 'bytes', s.state_bytes)
    FROM saved s JOIN held h ON h.id = s.action_id
)
SELECT s.*, true AS held FROM saved s
UNION ALL
SELECT NULL, NULL, NULL, NULL, NULL, NULL, NULL, true FROM held
WHERE NOT EXISTS (SELECT 1 FROM saved);

-- name: checkpoint_list
SELECT * FROM checkpoints WHERE action_id = $1 ORDER BY created_at, step;
