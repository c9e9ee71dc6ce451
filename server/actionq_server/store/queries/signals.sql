-- Durable sleep and signals (migration 0008): a claimed action suspends
-- (status 'waiting') until a named signal arrives or a time passes; a signal
-- wakes the waiters of its name and is kept for later ones. Every wake-up is
-- saved as the checkpoint of the wait's step, in the statement that wakes,
-- with its action_woken event.
--
-- Suspend and Signal of one name serialize on an advisory lock (signal_lock),
-- so that a signal cannot slip between a Suspend's look for kept signals and
-- its change to 'waiting'.

-- name: signal_lock
SELECT pg_advisory_xact_lock(hashtext(current_schema() || '.signal'), hashtext($1));

-- name: suspend_target
SELECT * FROM actions WHERE id = $1 FOR UPDATE;

-- name: suspend_step_checkpoint
SELECT state FROM checkpoints WHERE action_id = $1 AND step = $2;

-- name: signal_kept_broadcast
-- The newest kept broadcast of a name.
SELECT id, name, payload FROM signals
WHERE name = $1 AND mode = 'broadcast' AND expires_at > now()
ORDER BY id DESC
LIMIT 1;

-- name: signal_kept_one
-- The oldest kept one-shot signal of a name nobody used up yet.
SELECT id, name, payload FROM signals
WHERE name = $1 AND mode = 'one' AND consumed_by IS NULL AND expires_at > now()
ORDER BY id
LIMIT 1
FOR UPDATE SKIP LOCKED;

-- name: suspend_woken_now
-- A kept signal ($3, id $4, payload $5) answers the wait of the claimed action
-- $1 at once: its wake-up saved as step $2's checkpoint, action_woken.
WITH wake AS (
    SELECT jsonb_build_object('signal', $3::text, 'payload', $5::text::jsonb,
                              'timed_out', false, 'signal_id', $4::bigint,
                              'woke_at', now()) AS state
), saved AS (
    INSERT INTO checkpoints (action_id, step, state, attempt, state_bytes)
    SELECT a.id, $2, w.state, greatest(a.attempt, 1), octet_length(w.state::text)
    FROM actions a, wake w WHERE a.id = $1
    ON CONFLICT (action_id, step) DO UPDATE
    SET state = EXCLUDED.state, attempt = EXCLUDED.attempt,
        state_bytes = EXCLUDED.state_bytes, updated_at = now()
    RETURNING action_id, state
), logged AS (
    INSERT INTO events (action_id, event_type, actor, payload)
    SELECT a.id, 'action_woken', a.claimed_by,
           jsonb_build_object('step', $2::text, 'signal', $3::text, 'signal_id', $4::bigint,
                              'timed_out', false, 'while_claimed', true)
    FROM actions a WHERE a.id = $1
)
SELECT state FROM saved;

-- name: suspend_wait
-- claimed -> waiting: the lease is given up and the attempt not used (the
-- next claim counts it again); wait_until is $4, or now + $6 seconds.
WITH target AS (
    SELECT id, claimed_by AS previous_worker FROM actions
    WHERE id = $1 AND status = 'claimed' AND lease_token = $7::uuid
), waiting AS (
    UPDATE actions a
    SET status = 'waiting', waiting_for = $2, wait_signal = $3,
        wait_until = coalesce($4::timestamptz, now() + make_interval(secs => $6::float8)),
        wait_step = $5, claimed_by = NULL, lease_token = NULL, claim_deadline = NULL,
        attempt = a.attempt - 1, updated_at = now()
    FROM target t
    WHERE a.id = t.id
    RETURNING a.*, t.previous_worker
), logged AS (
    INSERT INTO events (action_id, event_type, actor, payload)
    SELECT id, 'action_waiting', previous_worker,
           jsonb_build_object('step', wait_step, 'signal', wait_signal, 'until', wait_until,
                              'attempt', attempt + 1, 'waiting_for', waiting_for)
    FROM waiting
)
SELECT * FROM waiting;

-- name: signal_insert
-- Kept until now + $5 seconds (0: not kept; it can then never match).
INSERT INTO signals (name, payload, mode, sent_by, expires_at)
VALUES ($1, $2::text::jsonb, $3, $4, now() + make_interval(secs => $5::float8))
RETURNING id, expires_at;

-- name: signal_wake
-- The actions waiting for signal $1 (id $2, payload $3) -> pending now, the
-- longest waiting first (earliest suspension, then lowest id); at most $4 of
-- them (NULL: all). The wake-up is saved as each wait step's checkpoint
-- (attempt at least 1: a suspension gave its attempt back), action_woken by
-- the sender $5. The actions_notify_requeued trigger wakes waiting claims.
WITH target AS (
    SELECT id, wait_step AS step FROM actions
    WHERE status = 'waiting' AND wait_signal = $1
    ORDER BY updated_at, id
    LIMIT $4
    FOR UPDATE
), woken AS (
    UPDATE actions a
    SET status = 'pending', run_after = now(), waiting_for = NULL, wait_signal = NULL,
        wait_until = NULL, wait_step = NULL, updated_at = now()
    FROM target t
    WHERE a.id = ANY(ARRAY(SELECT id FROM target)) AND a.id = t.id AND a.status = 'waiting'
    RETURNING a.id, a.attempt, t.step
), wake AS (
    SELECT jsonb_build_object('signal', $1::text, 'payload', $3::text::jsonb,
                              'timed_out', false, 'signal_id', $2::bigint,
                              'woke_at', now()) AS state
), saved AS (
    INSERT INTO checkpoints (action_id, step, state, attempt, state_bytes)
    SELECT w.id, w.step, k.state, greatest(w.attempt, 1), octet_length(k.state::text)
    FROM woken w, wake k
    ON CONFLICT (action_id, step) DO UPDATE
    SET state = EXCLUDED.state, attempt = EXCLUDED.attempt,
        state_bytes = EXCLUDED.state_bytes, updated_at = now()
), logged AS (
    INSERT INTO events (action_id, event_type, actor, payload)
    SELECT id, 'action_woken', $5,
           jsonb_build_object('step', step, 'signal', $1::text, 'signal_id', $2::bigint,
                              'timed_out', false)
    FROM woken ORDER BY id
)
SELECT id FROM woken ORDER BY id;

-- name: signal_used_up
-- A one-shot signal that woke action $2 is used up by it (and no longer kept).
UPDATE signals SET consumed_by = $2, consumed_at = now(), expires_at = now()
WHERE id = $1
RETURNING id;

-- name: signal_sent
INSERT INTO events (action_id, event_type, actor, payload)
VALUES (NULL, 'signal_sent', $1,
        jsonb_build_object('name', $2::text, 'mode', $3::text, 'signal_id', $4::bigint,
                           'woken', $5::bigint, 'kept_until', $6::timestamptz));

-- name: waiting_timed_out
-- Up to $1 waiting actions whose wait_until passed -> pending now, with a
-- timed-out wake-up saved as their step's checkpoint and action_woken; rows
-- another transaction holds are left to it (several replicas run this).
WITH target AS (
    SELECT id, wait_step AS step, coalesce(wait_signal, '') AS signal FROM actions
    WHERE status = 'waiting' AND wait_until <= now()
    ORDER BY wait_until
    LIMIT $1
    FOR UPDATE SKIP LOCKED
), woken AS (
    UPDATE actions a
    SET status = 'pending', run_after = now(), waiting_for = NULL, wait_signal = NULL,
        wait_until = NULL, wait_step = NULL, updated_at = now()
    FROM target t
    WHERE a.id = ANY(ARRAY(SELECT id FROM target)) AND a.id = t.id
    RETURNING a.id, a.attempt, t.step, t.signal
), saved AS (
    INSERT INTO checkpoints (action_id, step, state, attempt, state_bytes)
    SELECT w.id, w.step, s.state, greatest(w.attempt, 1), octet_length(s.state::text)
    FROM woken w
    CROSS JOIN LATERAL (
        SELECT jsonb_build_object('signal', w.signal, 'payload', '{}'::jsonb,
                                  'timed_out', true, 'signal_id', 0, 'woke_at', now()) AS state
    ) AS s
    ON CONFLICT (action_id, step) DO UPDATE
    SET state = EXCLUDED.state, attempt = EXCLUDED.attempt,
        state_bytes = EXCLUDED.state_bytes, updated_at = now()
), logged AS (
    INSERT INTO events (action_id, event_type, actor, payload)
    SELECT id, 'action_woken', 'server',
           jsonb_build_object('step', step, 'signal', signal, 'signal_id', 0, 'timed_out', true)
    FROM woken ORDER BY id
)
SELECT count(*) FROM woken;

-- name: waiting_next_until
-- Database time and the earliest timeout of a waiting action.
SELECT now() AS now,
       (SELECT min(wait_until) FROM actions WHERE status = 'waiting') AS earliest;

-- name: signal_prune_expired
-- Up to $1 signals no longer kept (expired, or one-shot and used up).
WITH doomed AS (
    SELECT id FROM signals WHERE expires_at <= now()
    ORDER BY expires_at
    LIMIT $1
    FOR UPDATE SKIP LOCKED
), gone AS (
    DELETE FROM signals WHERE id IN (SELECT id FROM doomed) RETURNING 1
)
SELECT count(*) FROM gone;
