-- Queries on actions. Each transition writes its event in the same statement,
-- so a transition and its history commit together or not at all.
--
-- Claims and the sweep find their rows with `a.id = ANY(array)`: an index
-- probe per row.
-- Joined to the CTE instead, the planner may hash-join a sequential scan of the
-- whole table, which it prices as cheap on small tables. (action_complete_many
-- keeps its join: measured, the ANY form cost it ~20 µs more per action.)

-- name: action_get
SELECT * FROM actions WHERE id = $1;

-- name: action_parent_depths
SELECT id, chain_depth, workflow_id FROM actions WHERE id = ANY($1::bigint[]);

-- name: producer_lock
-- Serializes enqueues per rate-limited producer for the rest of the transaction.
SELECT pg_advisory_xact_lock(hashtext(current_schema() || '.rate'), hashtext(p))
FROM unnest($1::text[]) AS p ORDER BY p;

-- name: producer_recent_counts
SELECT created_by,
       count(*) AS recent,
       extract(epoch FROM min(created_at) + interval '1 hour' - now())::float8 AS retry_after
FROM actions
WHERE created_by = ANY($1::text[]) AND created_at > now() - interval '1 hour'
  AND (created_by LIKE 'agent:%' OR created_by LIKE 'script:%')
GROUP BY created_by;

-- name: action_insert_many
-- Rows are inserted in request order, so ids increase with it. A row whose
-- idempotency key exists already is skipped (see action_get_by_keys). With a
-- request id ($15, digest $16) the call is recorded in the same statement, so
-- that a batch without keys, parents or rate limits is one statement and one
-- commit; a request id recorded already fails the statement with a unique
-- violation of enqueue_requests_pkey, and nothing is written. A queue seen for
-- the first time gets its row; max_attempts 0 takes the queue's default.
WITH known AS (
    INSERT INTO queues (name)
    SELECT DISTINCT q FROM unnest($1::text[]) AS q
    ON CONFLICT (name) DO NOTHING
), inserted AS (
    INSERT INTO actions (queue, action_type, project, target_ref, source_refs, payload, priority,
                         run_after, max_attempts, parent_id, chain_depth, created_by,
                         idempotency_key, payload_bytes, backoff, workflow_id,
                         concurrency_key, group_key, trace_context)
    SELECT n.queue, n.action_type, n.project, n.target_ref,
           ARRAY(SELECT jsonb_array_elements_text(n.source_refs::jsonb)), n.payload::jsonb,
           n.priority, coalesce(n.run_after, now() + make_interval(secs => n.delay_seconds)),
           coalesce(nullif(n.max_attempts, 0), q.max_attempts, 1), n.parent_id, n.chain_depth,
           n.created_by, n.idempotency_key, octet_length(n.payload), n.backoff::jsonb,
           n.workflow_id, n.concurrency_key, n.group_key, n.trace_context::jsonb
    FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
                $7::int[], $8::timestamptz[], $9::float8[], $10::int[], $11::bigint[],
                $12::int[], $13::text[], $14::text[], $17::text[], $18::text[], $19::text[],
                $20::text[], $21::text[])
         WITH ORDINALITY AS n(queue, action_type, project, target_ref, source_refs, payload,
                              priority, run_after, delay_seconds, max_attempts, parent_id,
                              chain_depth, created_by, idempotency_key, backoff, workflow_id,
                              concurrency_key, group_key, trace_context, ord)
    LEFT JOIN queues q ON q.name = n.queue
    ORDER BY n.ord
    ON CONFLICT (queue, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
    RETURNING *
), logged AS (
    INSERT INTO events (action_id, event_type, actor, payload)
    SELECT id, 'action_enqueued', created_by,
           jsonb_build_object('queue', queue, 'action_type', action_type, 'project', project,
                              'priority', priority, 'parent_id', parent_id)
    FROM inserted ORDER BY id
), recorded AS (
    INSERT INTO enqueue_requests (request_id, request_hash, action_ids, duplicates)
    SELECT $15::text, $16::bytea, coalesce(array_agg(id ORDER BY id), '{}'),
           coalesce(array_agg(false), '{}')
    FROM inserted
    HAVING $15::text IS NOT NULL
)
SELECT * FROM inserted ORDER BY id;

-- name: action_get_by_keys
SELECT * FROM actions
WHERE (queue, idempotency_key) IN (SELECT * FROM unnest($1::text[], $2::text[]));

-- name: action_claim
-- One queue, any action type: one walk of actions_claim_order, nothing when
-- the queue is paused. Only as many as fit in $6 bytes of payload are kept
-- (always the first), so that no batch of big payloads outgrows a response.
-- The lease is $5 seconds, NULL meaning the queue's default, else 30 s.
-- A limited queue is skipped (store/limits.py claims from it); of an ordered
-- group only its head, its oldest action not ended, can be claimed (a claimer
-- that skips a head locked by another finds the head still open behind it).
WITH settings AS (
    SELECT coalesce($5::float8, (SELECT lease_seconds FROM queues WHERE name = $1), 30) AS lease,
           coalesce((SELECT paused OR limited FROM queues WHERE name = $1), false) AS paused
), picked AS (
    SELECT id, priority, run_after, payload_bytes FROM actions a
    WHERE status = 'pending' AND queue = $1 AND run_after <= now()
      AND ($2::text = '' OR project = $2::text)
      AND NOT (SELECT paused FROM settings)
      AND (group_key IS NULL OR NOT EXISTS (
          SELECT 1 FROM actions g
          WHERE g.queue = a.queue AND g.group_key = a.group_key AND g.id < a.id
            AND g.group_key IS NOT NULL AND g.status IN ('pending', 'claimed', 'waiting')))
    ORDER BY priority, run_after, id
    LIMIT $3
    FOR UPDATE SKIP LOCKED
), kept AS (
    SELECT id FROM (
        SELECT id, sum(payload_bytes) OVER (ORDER BY priority, run_after, id)
                   - payload_bytes AS before
        FROM picked
    ) AS p
    WHERE before < $6
), claimed AS (
    UPDATE actions a
    SET status = 'claimed', claimed_by = $4, lease_token = gen_random_uuid(),
        claim_deadline = now() + make_interval(secs => (SELECT lease FROM settings)),
        attempt = a.attempt + 1, updated_at = now()
    WHERE a.id = ANY(ARRAY(SELECT id FROM kept))
    RETURNING a.*
), logged AS (
    INSERT INTO events (action_id, event_type, actor, payload)
    SELECT id, 'action_claimed', claimed_by,
           jsonb_build_object('attempt', attempt, 'claim_deadline', claim_deadline)
    FROM claimed ORDER BY priority, run_after, id
)
SELECT * FROM claimed ORDER BY priority, run_after, id;

-- name: action_claim_queues
-- Several queues ($1), any action type: one walk of actions_claim_order per
-- unpaused queue, merged in claim order; each claim gets $5 seconds of lease,
-- NULL meaning its queue's default, else 30 s. Payload budget, limited
-- queues and ordered groups as above.
WITH settings AS (
    SELECT n.name AS queue, coalesce($5::float8, q.lease_seconds, 30) AS lease
    FROM unnest($1::text[]) AS n(name)
    LEFT JOIN queues q ON q.name = n.name
    WHERE NOT coalesce(q.paused OR q.limited, false)
), picked AS (
    SELECT c.id, c.priority, c.run_after, c.payload_bytes, s.lease
    FROM settings s
    CROSS JOIN LATERAL (
        SELECT id, priority, run_after, payload_bytes FROM actions a
        WHERE status = 'pending' AND queue = s.queue
          AND run_after <= now() AND ($2::text = '' OR project = $2::text)
          AND (group_key IS NULL OR NOT EXISTS (
              SELECT 1 FROM actions g
              WHERE g.queue = a.queue AND g.group_key = a.group_key AND g.id < a.id
                AND g.group_key IS NOT NULL AND g.status IN ('pending', 'claimed', 'waiting')))
        ORDER BY priority, run_after, id
        LIMIT $3
        FOR UPDATE SKIP LOCKED
    ) AS c
    ORDER BY c.priority, c.run_after, c.id
    LIMIT $3
), kept AS (
    SELECT id, lease FROM (
        SELECT id, lease, sum(payload_bytes) OVER (ORDER BY priority, run_after, id)
                   - payload_bytes AS before
        FROM picked
    ) AS p
    WHERE before < $6
), claimed AS (
    UPDATE actions a
    SET status = 'claimed', claimed_by = $4, lease_token = gen_random_uuid(),
        claim_deadline = now() + make_interval(secs => k.lease), attempt = a.attempt + 1,
        updated_at = now()
    FROM kept k
    WHERE a.id = ANY(ARRAY(SELECT id FROM kept)) AND a.id = k.id
    RETURNING a.*
), logged AS (
    INSERT INTO events (action_id, event_type, actor, payload)
    SELECT id, 'action_claimed', claimed_by,
           jsonb_build_object('attempt', attempt, 'claim_deadline', claim_deadline)
    FROM claimed ORDER BY priority, run_after, id
)
SELECT * FROM claimed ORDER BY priority, run_after, id;

-- name: action_claim_types
-- Only the given action types ($7) of the given queues ($1): one walk of
-- actions_claim_order_by_type per unpaused queue and type, merged in claim
-- order; lease, payload budget, limited queues and groups as in
-- action_claim_queues.
WITH settings AS (
    SELECT n.name AS queue, coalesce($5::float8, q.lease_seconds, 30) AS lease
    FROM unnest($1::text[]) AS n(name)
    LEFT JOIN queues q ON q.name = n.name
    WHERE NOT coalesce(q.paused OR q.limited, false)
), picked AS (
    SELECT c.id, c.priority, c.run_after, c.payload_bytes, s.lease
    FROM settings s
    CROSS JOIN unnest($7::text[]) AS t(action_type)
    CROSS JOIN LATERAL (
        SELECT id, priority, run_after, payload_bytes FROM actions a
        WHERE status = 'pending' AND queue = s.queue AND action_type = t.action_type
          AND run_after <= now() AND ($2::text = '' OR project = $2::text)
          AND (group_key IS NULL OR NOT EXISTS (
              SELECT 1 FROM actions g
              WHERE g.queue = a.queue AND g.group_key = a.group_key AND g.id < a.id
                AND g.group_key IS NOT NULL AND g.status IN ('pending', 'claimed', 'waiting')))
        ORDER BY priority, run_after, id
        LIMIT $3
        FOR UPDATE SKIP LOCKED
    ) AS c
    ORDER BY c.priority, c.run_after, c.id
    LIMIT $3
), kept AS (
    SELECT id, lease FROM (
        SELECT id, lease, sum(payload_bytes) OVER (ORDER BY priority, run_after, id)
                   - payload_bytes AS before
        FROM picked
    ) AS p
    WHERE before < $6
), claimed AS (
    UPDATE actions a
    SET status = 'claimed', claimed_by = $4, lease_token = gen_random_uuid(),
        claim_deadline = now() + make_interval(secs => k.lease), attempt = a.attempt + 1,
        updated_at = now()
    FROM kept k
    WHERE a.id = ANY(ARRAY(SELECT id FROM kept)) AND a.id = k.id
    RETURNING a.*
), logged AS (
    INSERT INTO events (action_id, event_type, actor, payload)
    SELECT id, 'action_claimed', claimed_by,
           jsonb_build_object('attempt', attempt, 'claim_deadline', claim_deadline)
    FROM claimed ORDER BY priority, run_after, id
)
SELECT * FROM claimed ORDER BY priority, run_after, id;

-- name: action_heartbeat
-- Extends the lease; with progress ($4) stores it and logs action_progress.
WITH beat AS (
    UPDATE actions
    SET claim_deadline = now() + make_interval(secs => $3),
        progress = coalesce($4::jsonb, progress), updated_at = now()
    WHERE id = $1 AND status = 'claimed' AND lease_token = $2
    RETURNING id, claim_deadline, claimed_by, attempt, progress
), logged AS (
    INSERT INTO events (action_id, event_type, actor, payload)
    SELECT id, 'action_progress', claimed_by,
           jsonb_build_object('progress', progress, 'attempt', attempt)
    FROM beat WHERE $4::jsonb IS NOT NULL
)
SELECT claim_deadline FROM beat;

-- name: action_complete
-- An action of a workflow only with $6 (the caller then settles its
-- dependants in the same transaction); without, the one-statement hot path.
WITH done AS (
    UPDATE actions
    SET status = 'completed', result_ref = $3, result = $4, completed_at = now(),
        claim_deadline = NULL, updated_at = now()
    WHERE id = $1 AND status = 'claimed' AND ($2::uuid IS NULL OR lease_token = $2::uuid)
      AND ($6::boolean OR workflow_id IS NULL)
    RETURNING *
), logged AS (
    INSERT INTO events (action_id, event_type, actor, payload)
    SELECT id, 'action_completed', coalesce($5::text, claimed_by),
           jsonb_build_object('result_ref', result_ref, 'attempt', attempt)
    FROM done
)
SELECT * FROM done;

-- name: action_complete_many
-- Completes every item whose claim and lease still hold; returns their ids.
-- Actions of workflows only with $6, as in action_complete.
WITH input AS (
    SELECT * FROM unnest($1::bigint[], $2::uuid[], $3::text[], $4::jsonb[], $5::text[])
        AS i(id, lease_token, result_ref, result, actor)
), done AS (
    UPDATE actions a
    SET status = 'completed', result_ref = i.result_ref, result = i.result, completed_at = now(),
        claim_deadline = NULL, updated_at = now()
    FROM input i
    WHERE a.id = i.id AND a.status = 'claimed'
      AND (i.lease_token IS NULL OR a.lease_token = i.lease_token)
      AND ($6::boolean OR a.workflow_id IS NULL)
    RETURNING a.id, a.result_ref, a.attempt, coalesce(i.actor, a.claimed_by) AS actor,
              a.workflow_id, a.status
), logged AS (
    INSERT INTO events (action_id, event_type, actor, payload)
    SELECT id, 'action_completed', actor,
           jsonb_build_object('result_ref', result_ref, 'attempt', attempt)
    FROM done ORDER BY id
)
SELECT id, workflow_id, status FROM done;

-- name: action_get_many
SELECT * FROM actions WHERE id = ANY($1::bigint[]);

-- name: action_fail
-- While attempts remain (and $4, no_retry, is false): back to pending at now +
-- $5 seconds, or + the backoff of the action's policy (else its queue's),
-- logged as action_retry_scheduled. Otherwise failed for good: action_failed.
-- Actions of workflows only with $7, as in action_complete.
WITH target AS (
    SELECT a.id, a.claimed_by AS previous_worker,
           ($4::boolean OR a.attempt >= a.max_attempts) AS final,
           coalesce($5::float8, backoff_delay(coalesce(a.backoff, q.backoff), a.attempt)) AS delay
    FROM actions a LEFT JOIN queues q ON q.name = a.queue
    WHERE a.id = $1 AND a.status = 'claimed' AND ($2::uuid IS NULL OR a.lease_token = $2::uuid)
      AND ($7::boolean OR a.workflow_id IS NULL)
    FOR UPDATE OF a
), done AS (
    UPDATE actions a
    SET status = CASE WHEN t.final THEN 'failed' ELSE 'pending' END,
        failure_reason = $3,
        run_after = CASE WHEN t.final THEN a.run_after
                         ELSE now() + make_interval(secs => t.delay) END,
        completed_at = CASE WHEN t.final THEN now() END,
        claimed_by = CASE WHEN t.final THEN a.claimed_by END,
        lease_token = CASE WHEN t.final THEN a.lease_token END,
        claim_deadline = NULL,
        updated_at = now()
    FROM target t
    WHERE a.id = t.id
    RETURNING a.*, t.previous_worker, t.final, t.delay
), logged AS (
    INSERT INTO events (action_id, event_type, actor, payload)
    SELECT id, CASE WHEN final THEN 'action_failed' ELSE 'action_retry_scheduled' END,
           coalesce($6::text, previous_worker),
           CASE WHEN final
                THEN jsonb_build_object('reason', failure_reason, 'attempt', attempt,
                                        'max_attempts', max_attempts, 'no_retry', $4::boolean)
                ELSE jsonb_build_object('reason', failure_reason, 'attempt', attempt,
                                        'max_attempts', max_attempts, 'retry_at', run_after,
                                        'delay_seconds', delay)
           END
    FROM done
)
SELECT * FROM done;

-- name: action_reject
-- Actions of workflows only with $5, as in action_complete.
WITH done AS (
    UPDATE actions
    SET status = 'rejected', failure_reason = $3, rejected_by = $4, completed_at = now(),
        claim_deadline = NULL, updated_at = now()
    WHERE id = $1 AND status = 'claimed' AND ($2::uuid IS NULL OR lease_token = $2::uuid)
      AND ($5::boolean OR workflow_id IS NULL)
    RETURNING *
), logged AS (
    INSERT INTO events (action_id, event_type, actor, payload)
    SELECT id, 'action_rejected', rejected_by,
           jsonb_build_object('reason', failure_reason, 'worker', claimed_by)
    FROM done
)
SELECT * FROM done;

-- name: action_cancel
-- A waiting action stops waiting. Actions of workflows only with $4, as in
-- action_complete.
WITH done AS (
    UPDATE actions
    SET status = 'cancelled', failure_reason = $2, completed_at = now(),
        claim_deadline = NULL, waiting_for = NULL, wait_signal = NULL, wait_until = NULL,
        wait_step = NULL, updated_at = now()
    WHERE id = $1 AND status IN ('pending', 'claimed', 'waiting')
      AND ($4::boolean OR workflow_id IS NULL)
    RETURNING *
), logged AS (
    INSERT INTO events (action_id, event_type, actor, payload)
    SELECT id, 'action_cancelled', $3, jsonb_build_object('reason', failure_reason)
    FROM done
)
SELECT * FROM done;

-- name: action_sweep_expired
-- An expired lease uses up its attempt: with attempts left the action is
-- pending again at once (claim_timed_out); on its last attempt it ends failed
-- (claim_timed_out, then action_failed).
WITH expired AS (
    SELECT id, claimed_by AS previous_worker, attempt >= max_attempts AS final FROM actions
    WHERE status = 'claimed' AND claim_deadline < now()
    ORDER BY claim_deadline
    LIMIT $1
    FOR UPDATE SKIP LOCKED
), swept AS (
    UPDATE actions a
    SET status = CASE WHEN e.final THEN 'failed' ELSE 'pending' END,
        claimed_by = CASE WHEN e.final THEN a.claimed_by END,
        lease_token = CASE WHEN e.final THEN a.lease_token END,
        claim_deadline = NULL,
        failure_reason = CASE WHEN e.final
            THEN format('lease expired: worker %s held attempt %s of %s past its deadline',
                        e.previous_worker, a.attempt, a.max_attempts)
            ELSE a.failure_reason END,
        completed_at = CASE WHEN e.final THEN now() END,
        updated_at = now()
    FROM expired e WHERE a.id = ANY(ARRAY(SELECT id FROM expired)) AND a.id = e.id
    RETURNING a.*, e.previous_worker, e.final
), logged AS (
    INSERT INTO events (action_id, event_type, actor, payload)
    SELECT s.id, k.event_type, 'sweeper',
           CASE WHEN k.n = 0
                THEN jsonb_build_object('worker', s.previous_worker, 'attempt', s.attempt,
                                        'will_retry', NOT s.final)
                ELSE jsonb_build_object('reason', s.failure_reason, 'attempt', s.attempt,
                                        'max_attempts', s.max_attempts, 'lease_expired', true)
           END
    FROM swept s
    CROSS JOIN (VALUES (0, 'claim_timed_out'), (1, 'action_failed')) AS k(n, event_type)
    WHERE k.n = 0 OR s.final
    ORDER BY s.id, k.n
)
SELECT * FROM swept ORDER BY id;

-- name: action_retry_ids
-- Dead actions back to pending with fresh attempts; the caller checks that
-- every id was retried and rolls back otherwise.
WITH target AS (
    SELECT id, status AS previous_status, failure_reason AS previous_reason,
           attempt AS previous_attempt
    FROM actions
    WHERE id = ANY($1::bigint[]) AND status IN ('failed', 'rejected', 'cancelled')
    ORDER BY id
    FOR UPDATE
), done AS (
    UPDATE actions a
    SET status = 'pending', attempt = 0, run_after = now(), claimed_by = NULL,
        claim_deadline = NULL, lease_token = NULL, completed_at = NULL, failure_reason = NULL,
        rejected_by = NULL, result_ref = NULL, result = NULL, progress = NULL, updated_at = now()
    FROM target t
    WHERE a.id = ANY(ARRAY(SELECT id FROM target)) AND a.id = t.id
    RETURNING a.id, t.previous_status, t.previous_reason, t.previous_attempt
), logged AS (
    INSERT INTO events (action_id, event_type, actor, payload)
    SELECT id, 'action_retried', $2,
           jsonb_build_object('previous_status', previous_status,
                              'previous_reason', previous_reason,
                              'previous_attempt', previous_attempt)
    FROM done ORDER BY id
)
SELECT id FROM done ORDER BY id;

-- name: action_retry_matching
-- Up to $6 dead actions matching the filter, oldest id first (one more is
-- looked at to tell whether more match).
WITH candidates AS (
    SELECT id, status AS previous_status, failure_reason AS previous_reason,
           attempt AS previous_attempt
    FROM actions
    WHERE status = ANY($1::text[])
      AND ($2::text = '' OR action_type = $2::text)
      AND ($3::text = '' OR project = $3::text)
      AND ($4::text = '' OR queue = $4::text)
    ORDER BY id
    LIMIT $6 + 1
    FOR UPDATE SKIP LOCKED
), target AS (
    SELECT * FROM candidates ORDER BY id LIMIT $6
), done AS (
    UPDATE actions a
    SET status = 'pending', attempt = 0, run_after = now(), claimed_by = NULL,
        claim_deadline = NULL, lease_token = NULL, completed_at = NULL, failure_reason = NULL,
        rejected_by = NULL, result_ref = NULL, result = NULL, progress = NULL, updated_at = now()
    FROM target t
    WHERE a.id = ANY(ARRAY(SELECT id FROM target)) AND a.id = t.id
    RETURNING a.id, t.previous_status, t.previous_reason, t.previous_attempt
), logged AS (
    INSERT INTO events (action_id, event_type, actor, payload)
    SELECT id, 'action_retried', $5,
           jsonb_build_object('previous_status', previous_status,
                              'previous_reason', previous_reason,
                              'previous_attempt', previous_attempt)
    FROM done ORDER BY id
)
SELECT id, (SELECT count(*) FROM candidates) > $6 AS more FROM done ORDER BY id;

-- name: action_list_oldest_first
-- $7: the workflow run, $8: a case-insensitive substring of target_ref ('' for any).
SELECT * FROM actions
WHERE id > $1
  AND (cardinality($2::text[]) = 0 OR status = ANY($2::text[]))
  AND ($3::text = '' OR action_type = $3::text)
  AND ($4::text = '' OR project = $4::text)
  AND ($5::text = '' OR queue = $5::text)
  AND ($7::text = '' OR workflow_id = $7::text)
  AND ($8::text = '' OR position(lower($8::text) in lower(target_ref)) > 0)
ORDER BY id
LIMIT $6;

-- name: action_list_newest_first
SELECT * FROM actions
WHERE id < $1
  AND (cardinality($2::text[]) = 0 OR status = ANY($2::text[]))
  AND ($3::text = '' OR action_type = $3::text)
  AND ($4::text = '' OR project = $4::text)
  AND ($5::text = '' OR queue = $5::text)
  AND ($7::text = '' OR workflow_id = $7::text)
  AND ($8::text = '' OR position(lower($8::text) in lower(target_ref)) > 0)
ORDER BY id DESC
LIMIT $6;

-- name: action_stats
-- Counts without reading finished history: unfinished rows by status, dead
-- rows (bounded by retention), the last minute's finishes through
-- actions_finished, and all completed rows only when asked ($3).
SELECT queue, action_type,
       sum(pending)::bigint AS pending, sum(scheduled)::bigint AS scheduled,
       sum(waiting)::bigint AS waiting,
       sum(retryable)::bigint AS retryable, sum(claimed)::bigint AS claimed,
       sum(claimed_past_deadline)::bigint AS claimed_past_deadline,
       sum(completed)::bigint AS completed, sum(failed)::bigint AS failed,
       sum(rejected)::bigint AS rejected, sum(cancelled)::bigint AS cancelled,
       sum(completed_last_minute)::bigint AS completed_last_minute,
       sum(failed_last_minute)::bigint AS failed_last_minute,
       coalesce(extract(epoch FROM now() - min(oldest_due)), 0)::float8 AS oldest_pending_seconds
FROM (
    SELECT queue, action_type,
           count(*) FILTER (WHERE status = 'pending') AS pending,
           count(*) FILTER (WHERE status = 'pending' AND run_after > now()) AS scheduled,
           count(*) FILTER (WHERE status = 'waiting') AS waiting,
           count(*) FILTER (WHERE status = 'pending' AND attempt > 0) AS retryable,
           count(*) FILTER (WHERE status = 'claimed') AS claimed,
           count(*) FILTER (WHERE status = 'claimed' AND claim_deadline < now())
               AS claimed_past_deadline,
           0 AS completed, 0 AS failed, 0 AS rejected, 0 AS cancelled,
           0 AS completed_last_minute, 0 AS failed_last_minute,
           min(run_after) FILTER (WHERE status = 'pending' AND run_after <= now()) AS oldest_due
    FROM actions
    WHERE status IN ('pending', 'claimed', 'waiting')
      AND ($1::text = '' OR queue = $1::text) AND ($2::text = '' OR project = $2::text)
    GROUP BY queue, action_type
    UNION ALL
    SELECT queue, action_type, 0, 0, 0, 0, 0, 0,
           count(*) FILTER (WHERE status = 'completed'),
           count(*) FILTER (WHERE status = 'failed'),
           count(*) FILTER (WHERE status = 'rejected'),
           count(*) FILTER (WHERE status = 'cancelled'),
           0, 0, NULL
    FROM actions
    WHERE (status IN ('failed', 'rejected', 'cancelled') OR ($3::boolean AND status = 'completed'))
      AND ($1::text = '' OR queue = $1::text) AND ($2::text = '' OR project = $2::text)
    GROUP BY queue, action_type
    UNION ALL
    SELECT queue, action_type, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
           count(*) FILTER (WHERE status = 'completed'),
           count(*) FILTER (WHERE status = 'failed'),
           NULL
    FROM actions
    WHERE completed_at > now() - interval '1 minute'
      AND ($1::text = '' OR queue = $1::text) AND ($2::text = '' OR project = $2::text)
    GROUP BY queue, action_type
) AS parts
GROUP BY queue, action_type
ORDER BY queue, action_type;

-- name: action_next_due
-- The earliest run_after of a queue's pending actions that are not yet due.
SELECT min(run_after) FROM actions
WHERE status = 'pending' AND queue = $1 AND run_after > now();

-- name: action_due_queues
-- Which of these queues hold due work a claim could take (paused ones cannot).
SELECT q AS queue FROM unnest($1::text[]) AS q
WHERE EXISTS (SELECT 1 FROM actions
              WHERE status = 'pending' AND queue = q AND run_after <= now())
  AND NOT EXISTS (SELECT 1 FROM queues WHERE name = q AND paused);

-- name: enqueue_request_record
-- Records an Enqueue call by its request id; false when another call recorded
-- the id first (this one then rolls back and replays that one's outcome).
WITH recorded AS (
    INSERT INTO enqueue_requests (request_id, request_hash, action_ids, duplicates)
    VALUES ($1, $2, $3, $4)
    ON CONFLICT (request_id) DO NOTHING
    RETURNING 1
)
SELECT EXISTS (SELECT 1 FROM recorded);

-- name: enqueue_request_get
SELECT request_hash, action_ids, duplicates FROM enqueue_requests WHERE request_id = $1;

-- name: enqueue_request_prune
WITH pruned AS (
    DELETE FROM enqueue_requests WHERE created_at < now() - interval '1 day' RETURNING 1
)
SELECT count(*) FROM pruned;

-- name: queue_list
-- Every queue with its live counts (partial indexes: no finished row is read).
SELECT q.*,
       (SELECT count(*) FROM actions a WHERE a.status = 'pending' AND a.queue = q.name) AS pending,
       (SELECT count(*) FROM actions a WHERE a.status = 'claimed' AND a.queue = q.name) AS claimed,
       (SELECT count(*) FROM actions a WHERE a.status = 'waiting' AND a.queue = q.name) AS waiting
FROM queues q
WHERE $1::text = '' OR q.name = $1::text
ORDER BY q.name;

-- name: queue_update
-- Creates the queue or changes its defaults (NULL keeps one); queue_updated.
WITH updated AS (
    INSERT INTO queues AS q (name, max_attempts, backoff, lease_seconds)
    VALUES ($1, $2, $3::jsonb, $4)
    ON CONFLICT (name) DO UPDATE
    SET max_attempts = coalesce(EXCLUDED.max_attempts, q.max_attempts),
        backoff = coalesce(EXCLUDED.backoff, q.backoff),
        lease_seconds = coalesce(EXCLUDED.lease_seconds, q.lease_seconds),
        updated_at = now()
    RETURNING *
), logged AS (
    INSERT INTO events (action_id, event_type, actor, payload)
    SELECT NULL, 'queue_updated', $5,
           jsonb_build_object('queue', name, 'max_attempts', max_attempts, 'backoff', backoff,
                              'lease_seconds', lease_seconds)
    FROM updated
)
SELECT name FROM updated;

-- name: queue_pause
WITH paused AS (
    UPDATE queues SET paused = true, paused_at = now(), paused_by = $2, updated_at = now()
    WHERE name = $1 AND NOT paused
    RETURNING name
), logged AS (
    INSERT INTO events (action_id, event_type, actor, payload)
    SELECT NULL, 'queue_paused', $2, jsonb_build_object('queue', name, 'reason', $3::text)
    FROM paused
)
SELECT EXISTS (SELECT 1 FROM queues WHERE name = $1);

-- name: queue_resume
-- The queues_notify_resumed trigger wakes the claims waiting on it.
WITH resumed AS (
    UPDATE queues SET paused = false, paused_at = NULL, paused_by = NULL, updated_at = now()
    WHERE name = $1 AND paused
    RETURNING name
), logged AS (
    INSERT INTO events (action_id, event_type, actor, payload)
    SELECT NULL, 'queue_resumed', $2, jsonb_build_object('queue', name)
    FROM resumed
)
SELECT EXISTS (SELECT 1 FROM queues WHERE name = $1);

-- name: action_release
-- Claims nobody received (the Claim call was cancelled as it committed) go
-- back to pending, their attempt not used: each id with its own lease token.
WITH released AS (
    UPDATE actions a
    SET status = 'pending', attempt = a.attempt - 1, claimed_by = NULL, lease_token = NULL,
        claim_deadline = NULL, updated_at = now()
    FROM unnest($1::bigint[], $2::uuid[]) AS r(id, lease_token)
    WHERE a.id = r.id AND a.status = 'claimed' AND a.lease_token = r.lease_token
    RETURNING a.id, r.lease_token, a.attempt
), logged AS (
    INSERT INTO events (action_id, event_type, actor, payload)
    SELECT id, 'claim_released', 'server',
           jsonb_build_object('worker', $3::text, 'attempt', attempt + 1,
                              'reason', 'the Claim call was cancelled before it was answered')
    FROM released ORDER BY id
)
SELECT id FROM released ORDER BY id;
