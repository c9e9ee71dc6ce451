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
SELECT id, chain_depth FROM actions WHERE id = ANY($1::bigint[]);

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
-- violation of enqueue_requests_pkey, and nothing is written.
WITH inserted AS (
    INSERT INTO actions (queue, action_type, project, target_ref, source_refs, payload, priority,
                         run_after, max_attempts, parent_id, chain_depth, created_by,
                         idempotency_key, payload_bytes)
    SELECT n.queue, n.action_type, n.project, n.target_ref,
           ARRAY(SELECT jsonb_array_elements_text(n.source_refs::jsonb)), n.payload::jsonb,
           n.priority, coalesce(n.run_after, now() + make_interval(secs => n.delay_seconds)),
           n.max_attempts, n.parent_id, n.chain_depth, n.created_by, n.idempotency_key,
           octet_length(n.payload)
    FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
                $7::int[], $8::timestamptz[], $9::float8[], $10::int[], $11::bigint[],
                $12::int[], $13::text[], $14::text[])
         WITH ORDINALITY AS n(queue, action_type, project, target_ref, source_refs, payload,
                              priority, run_after, delay_seconds, max_attempts, parent_id,
                              chain_depth, created_by, idempotency_key, ord)
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
-- Any action type: one walk of actions_claim_order. Only as many as fit in
-- $6 bytes of payload are kept (always the first), so that no batch of big
-- payloads outgrows a response.
WITH picked AS (
    SELECT id, priority, run_after, payload_bytes FROM actions
    WHERE status = 'pending' AND queue = $1 AND run_after <= now()
      AND ($2::text = '' OR project = $2::text)
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
        claim_deadline = now() + make_interval(secs => $5), attempt = a.attempt + 1,
        updated_at = now()
    WHERE a.id = ANY(ARRAY(SELECT id FROM kept))
    RETURNING a.*
), logged AS (
    INSERT INTO events (action_id, event_type, actor, payload)
    SELECT id, 'action_claimed', claimed_by,
           jsonb_build_object('attempt', attempt, 'claim_deadline', claim_deadline)
    FROM claimed ORDER BY priority, run_after, id
)
SELECT * FROM claimed ORDER BY priority, run_after, id;

-- name: action_claim_types
-- Only the given action types ($7): one walk of actions_claim_order_by_type
-- per type, merged in claim order; payload budget $6 as in action_claim.
WITH picked AS (
    SELECT c.id, c.priority, c.run_after, c.payload_bytes
    FROM unnest($7::text[]) AS t(action_type)
    CROSS JOIN LATERAL (
        SELECT id, priority, run_after, payload_bytes FROM actions
        WHERE status = 'pending' AND queue = $1 AND action_type = t.action_type
          AND run_after <= now() AND ($2::text = '' OR project = $2::text)
        ORDER BY priority, run_after, id
        LIMIT $3
        FOR UPDATE SKIP LOCKED
    ) AS c
    ORDER BY c.priority, c.run_after, c.id
    LIMIT $3
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
        claim_deadline = now() + make_interval(secs => $5), attempt = a.attempt + 1,
        updated_at = now()
    WHERE a.id = ANY(ARRAY(SELECT id FROM kept))
    RETURNING a.*
), logged AS (
    INSERT INTO events (action_id, event_type, actor, payload)
    SELECT id, 'action_claimed', claimed_by,
           jsonb_build_object('attempt', attempt, 'claim_deadline', claim_deadline)
    FROM claimed ORDER BY priority, run_after, id
)
SELECT * FROM claimed ORDER BY priority, run_after, id;

-- name: action_heartbeat
UPDATE actions SET claim_deadline = now() + make_interval(secs => $3), updated_at = now()
WHERE id = $1 AND status = 'claimed' AND lease_token = $2
RETURNING claim_deadline;

-- name: action_complete
WITH done AS (
    UPDATE actions
    SET status = 'completed', result_ref = $3, result = $4, completed_at = now(),
        claim_deadline = NULL, updated_at = now()
    WHERE id = $1 AND status = 'claimed' AND ($2::uuid IS NULL OR lease_token = $2::uuid)
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
    RETURNING a.id, a.result_ref, a.attempt, coalesce(i.actor, a.claimed_by) AS actor
), logged AS (
    INSERT INTO events (action_id, event_type, actor, payload)
    SELECT id, 'action_completed', actor,
           jsonb_build_object('result_ref', result_ref, 'attempt', attempt)
    FROM done ORDER BY id
)
SELECT id FROM done;

-- name: action_get_many
SELECT * FROM actions WHERE id = ANY($1::bigint[]);

-- name: action_fail
-- Back to pending with a delay while attempts remain, else failed for good.
WITH done AS (
    UPDATE actions a
    SET status = CASE WHEN $4::boolean OR a.attempt >= a.max_attempts THEN 'failed' ELSE 'pending' END,
        failure_reason = $3,
        run_after = CASE WHEN $4::boolean OR a.attempt >= a.max_attempts THEN a.run_after
                         ELSE now() + make_interval(secs => coalesce($5::float8, least(3600, 2 ^ a.attempt)))
                    END,
        completed_at = CASE WHEN $4::boolean OR a.attempt >= a.max_attempts THEN now() END,
        claimed_by = CASE WHEN $4::boolean OR a.attempt >= a.max_attempts THEN a.claimed_by END,
        lease_token = CASE WHEN $4::boolean OR a.attempt >= a.max_attempts THEN a.lease_token END,
        claim_deadline = NULL,
        updated_at = now()
    WHERE a.id = $1 AND a.status = 'claimed' AND ($2::uuid IS NULL OR a.lease_token = $2::uuid)
    RETURNING a.*, (SELECT claimed_by FROM actions WHERE id = $1) AS previous_worker
), logged AS (
    INSERT INTO events (action_id, event_type, actor, payload)
    SELECT id, 'action_failed', coalesce($6::text, previous_worker),
           jsonb_build_object('reason', failure_reason, 'attempt', attempt,
                              'will_retry', status = 'pending',
                              'retry_at', CASE WHEN status = 'pending' THEN run_after END)
    FROM done
)
SELECT * FROM done;

-- name: action_reject
WITH done AS (
    UPDATE actions
    SET status = 'rejected', failure_reason = $3, rejected_by = $4, completed_at = now(),
        claim_deadline = NULL, updated_at = now()
    WHERE id = $1 AND status = 'claimed' AND ($2::uuid IS NULL OR lease_token = $2::uuid)
    RETURNING *
), logged AS (
    INSERT INTO events (action_id, event_type, actor, payload)
    SELECT id, 'action_rejected', rejected_by,
           jsonb_build_object('reason', failure_reason, 'worker', claimed_by)
    FROM done
)
SELECT * FROM done;

-- name: action_cancel
WITH done AS (
    UPDATE actions
    SET status = 'cancelled', failure_reason = $2, completed_at = now(),
        claim_deadline = NULL, updated_at = now()
    WHERE id = $1 AND status IN ('pending', 'claimed')
    RETURNING *
), logged AS (
    INSERT INTO events (action_id, event_type, actor, payload)
    SELECT id, 'action_cancelled', $3, jsonb_build_object('reason', failure_reason)
    FROM done
)
SELECT * FROM done;

-- name: action_sweep_expired
WITH expired AS (
    SELECT id, claimed_by AS previous_worker FROM actions
    WHERE status = 'claimed' AND claim_deadline < now()
    ORDER BY claim_deadline
    LIMIT $1
    FOR UPDATE SKIP LOCKED
), requeued AS (
    UPDATE actions a
    SET status = 'pending', claimed_by = NULL, claim_deadline = NULL, lease_token = NULL,
        updated_at = now()
    FROM expired WHERE a.id = ANY(ARRAY(SELECT id FROM expired)) AND a.id = expired.id
    RETURNING a.*, expired.previous_worker
), logged AS (
    INSERT INTO events (action_id, event_type, actor, payload)
    SELECT id, 'claim_timed_out', 'sweeper',
           jsonb_build_object('worker', previous_worker, 'attempt', attempt)
    FROM requeued ORDER BY id
)
SELECT * FROM requeued ORDER BY id;

-- name: action_list_oldest_first
SELECT * FROM actions
WHERE id > $1
  AND (cardinality($2::text[]) = 0 OR status = ANY($2::text[]))
  AND ($3::text = '' OR action_type = $3::text)
  AND ($4::text = '' OR project = $4::text)
  AND ($5::text = '' OR queue = $5::text)
ORDER BY id
LIMIT $6;

-- name: action_list_newest_first
SELECT * FROM actions
WHERE id < $1
  AND (cardinality($2::text[]) = 0 OR status = ANY($2::text[]))
  AND ($3::text = '' OR action_type = $3::text)
  AND ($4::text = '' OR project = $4::text)
  AND ($5::text = '' OR queue = $5::text)
ORDER BY id DESC
LIMIT $6;

-- name: action_stats
SELECT queue, action_type,
       count(*) FILTER (WHERE status = 'pending') AS pending,
       count(*) FILTER (WHERE status = 'claimed') AS claimed,
       count(*) FILTER (WHERE status = 'completed') AS completed,
       count(*) FILTER (WHERE status = 'failed') AS failed,
       count(*) FILTER (WHERE status = 'rejected') AS rejected,
       count(*) FILTER (WHERE status = 'cancelled') AS cancelled,
       coalesce(extract(epoch FROM now() - min(run_after)
                FILTER (WHERE status = 'pending' AND run_after <= now())), 0)::float8
           AS oldest_pending_seconds
FROM actions
WHERE ($1::text = '' OR queue = $1::text) AND ($2::text = '' OR project = $2::text)
GROUP BY queue, action_type
ORDER BY queue, action_type;

-- name: action_next_due
-- The earliest run_after of a queue's pending actions that are not yet due.
SELECT min(run_after) FROM actions
WHERE status = 'pending' AND queue = $1 AND run_after > now();

-- name: action_due_queues
SELECT q AS queue FROM unnest($1::text[]) AS q
WHERE EXISTS (SELECT 1 FROM actions
              WHERE status = 'pending' AND queue = q AND run_after <= now());

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
