-- Concurrency and rate limits on claims (store/limits.py). A limited queue's
-- claim is a transaction of two statements: limits_lock_queue takes the queue
-- row's lock, which serializes the limited claims of that queue across every
-- server; limits_claim, a statement of its own, then starts with a snapshot
-- that holds every claim committed before the lock was granted, so what it
-- counts is what is claimed now and no burst of claims can overshoot.

-- name: limits_lock_queue
-- NO KEY UPDATE: foreign-key checks (FOR KEY SHARE) of enqueues are not held up.
SELECT paused, limited FROM queues WHERE name = $1 FOR NO KEY UPDATE;

-- name: limits_claim
-- One limited queue ($1): up to $3 due pending actions in claim order, of the
-- types $7 (NULL: any), among the first $8 candidates. Types and key values
-- already at their limit (no slot or no whole token) are left out in the
-- scan, so a saturated tenant is skipped rather than blocking the others;
-- the rest is trimmed per type and per key to their free claims, and to the
-- queue's. Ordered groups: only a group's head (its oldest action not ended)
-- is a candidate. Claims are marked limit_claimed (their end wakes the
-- queue's claimers) and debit the token buckets, refilled by database time.
WITH settings AS (
    SELECT coalesce($5::float8, lease_seconds, 30) AS lease
    FROM queues WHERE name = $1 AND NOT paused
), lim AS (
    SELECT scope, match, concurrency, rate, period_seconds
    FROM queue_limits WHERE queue = $1
), running AS (
    SELECT action_type, concurrency_key, count(*) AS n
    FROM actions WHERE status = 'claimed' AND queue = $1
    GROUP BY action_type, concurrency_key
), bucket AS (
    SELECT b.scope, b.match, b.value,
           least(l.rate::float8,
                 b.tokens + extract(epoch FROM now() - b.refilled_at)::float8
                            * l.rate / l.period_seconds) AS tokens
    FROM rate_buckets b
    JOIN lim l ON l.scope = b.scope AND l.match = b.match
    WHERE b.queue = $1 AND l.rate IS NOT NULL
), room AS (
    -- Free claims of the queue's and each type's limit: slots left and whole
    -- tokens (a bucket not yet written is full).
    SELECT l.scope, l.match,
           least(coalesce(l.concurrency - (SELECT coalesce(sum(r.n), 0) FROM running r
                                           WHERE l.scope = 'queue' OR r.action_type = l.match),
                          2147483647),
                 coalesce(floor(coalesce((SELECT b.tokens FROM bucket b
                                          WHERE b.scope = l.scope AND b.match = l.match),
                                         l.rate)),
                          2147483647))::bigint AS free
    FROM lim l WHERE l.scope IN ('queue', 'type')
), key_limit AS (
    SELECT concurrency, rate FROM lim WHERE scope = 'key'
), full_keys AS (
    SELECT r.concurrency_key AS key
    FROM running r CROSS JOIN key_limit k
    WHERE r.concurrency_key IS NOT NULL AND k.concurrency IS NOT NULL
    GROUP BY r.concurrency_key, k.concurrency
    HAVING sum(r.n) >= k.concurrency
    UNION
    SELECT b.value FROM bucket b WHERE b.scope = 'key' AND b.tokens < 1
), queue_free AS (
    SELECT least($3::bigint, coalesce((SELECT free FROM room WHERE scope = 'queue'), $3)) AS n
), candidates AS (
    SELECT a.id, a.priority, a.run_after, a.payload_bytes, a.action_type, a.concurrency_key
    FROM actions a
    WHERE a.status = 'pending' AND a.queue = $1 AND a.run_after <= now()
      AND ($2::text = '' OR a.project = $2::text)
      AND ($7::text[] IS NULL OR a.action_type = ANY($7::text[]))
      AND EXISTS (SELECT 1 FROM settings)
      AND (SELECT n FROM queue_free) > 0
      AND NOT EXISTS (SELECT 1 FROM room f
                      WHERE f.scope = 'type' AND f.match = a.action_type AND f.free <= 0)
      AND (a.concurrency_key IS NULL
           OR NOT EXISTS (SELECT 1 FROM full_keys f WHERE f.key = a.concurrency_key))
      AND (a.group_key IS NULL
           OR NOT EXISTS (SELECT 1 FROM actions g
                          WHERE g.queue = a.queue AND g.group_key = a.group_key AND g.id < a.id
                            AND g.group_key IS NOT NULL
                            AND g.status IN ('pending', 'claimed', 'waiting')))
    ORDER BY a.priority, a.run_after, a.id
    LIMIT $8
), ranked AS (
    SELECT c.*,
           row_number() OVER (PARTITION BY c.action_type
                              ORDER BY c.priority, c.run_after, c.id) AS type_rank,
           row_number() OVER (PARTITION BY c.concurrency_key
                              ORDER BY c.priority, c.run_after, c.id) AS key_rank
    FROM candidates c
), key_room AS (
    SELECT k.key,
           least(coalesce(kl.concurrency - (SELECT coalesce(sum(r.n), 0) FROM running r
                                            WHERE r.concurrency_key = k.key),
                          2147483647),
                 coalesce(floor(coalesce((SELECT b.tokens FROM bucket b
                                          WHERE b.scope = 'key' AND b.value = k.key),
                                         kl.rate)),
                          2147483647))::bigint AS free
    FROM (SELECT DISTINCT concurrency_key AS key FROM candidates
          WHERE concurrency_key IS NOT NULL) AS k
    CROSS JOIN key_limit kl
), fitting AS (
    SELECT r.id
    FROM ranked r
    LEFT JOIN room t ON t.scope = 'type' AND t.match = r.action_type
    LEFT JOIN key_room k ON k.key = r.concurrency_key
    WHERE (t.free IS NULL OR r.type_rank <= t.free)
      AND (k.free IS NULL OR r.key_rank <= k.free)
    ORDER BY r.priority, r.run_after, r.id
    LIMIT (SELECT n FROM queue_free)
), locked AS (
    SELECT a.id, a.priority, a.run_after, a.payload_bytes FROM actions a
    WHERE a.id = ANY(ARRAY(SELECT id FROM fitting)) AND a.status = 'pending'
    FOR UPDATE SKIP LOCKED
), kept AS (
    SELECT id FROM (
        SELECT id, sum(payload_bytes) OVER (ORDER BY priority, run_after, id)
                   - payload_bytes AS before
        FROM locked
    ) AS p
    WHERE before < $6
), claimed AS (
    UPDATE actions a
    SET status = 'claimed', claimed_by = $4, lease_token = gen_random_uuid(),
        claim_deadline = now() + make_interval(secs => (SELECT lease FROM settings)),
        attempt = a.attempt + 1, limit_claimed = true, updated_at = now()
    WHERE a.id = ANY(ARRAY(SELECT id FROM kept))
    RETURNING a.*
), logged AS (
    INSERT INTO events (action_id, event_type, actor, payload)
    SELECT id, 'action_claimed', claimed_by,
           jsonb_build_object('attempt', attempt, 'claim_deadline', claim_deadline)
    FROM claimed ORDER BY priority, run_after, id
), counted AS (
    SELECT 'queue'::text AS scope, ''::text AS match, ''::text AS value, count(*) AS n
    FROM claimed
    UNION ALL
    SELECT 'type', action_type, '', count(*) FROM claimed GROUP BY action_type
    UNION ALL
    SELECT 'key', '', concurrency_key, count(*) FROM claimed
    WHERE concurrency_key IS NOT NULL GROUP BY concurrency_key
), debited AS (
    INSERT INTO rate_buckets AS rb (queue, scope, match, value, tokens, refilled_at)
    SELECT $1, l.scope, l.match, c.value,
           coalesce((SELECT b.tokens FROM bucket b
                     WHERE b.scope = l.scope AND b.match = l.match AND b.value = c.value),
                    l.rate) - c.n,
           now()
    FROM counted c
    JOIN lim l ON l.scope = c.scope AND l.match = c.match
    WHERE l.rate IS NOT NULL AND c.n > 0
    ON CONFLICT (queue, scope, match, value) DO UPDATE
    SET tokens = EXCLUDED.tokens, refilled_at = EXCLUDED.refilled_at
)
SELECT * FROM claimed ORDER BY priority, run_after, id;

-- name: limits_next_token
-- Seconds until the first empty token bucket of these queues holds a whole
-- token again; NULL when none is empty.
SELECT min((1 - t.tokens) * t.period_seconds / t.rate) FROM (
    SELECT l.rate, l.period_seconds,
           b.tokens + extract(epoch FROM now() - b.refilled_at)::float8
                      * l.rate / l.period_seconds AS tokens
    FROM rate_buckets b
    JOIN queue_limits l ON l.queue = b.queue AND l.scope = b.scope AND l.match = b.match
    WHERE b.queue = ANY($1::text[]) AND l.rate IS NOT NULL
) AS t
WHERE t.tokens < 1;

-- name: limits_limited_queues
-- The limited queues, and whether each has a rate limit.
SELECT q.name,
       EXISTS (SELECT 1 FROM queue_limits l WHERE l.queue = q.name AND l.rate IS NOT NULL)
           AS rated
FROM queues q WHERE q.limited;

-- name: limits_queue_lock
-- SetQueueLimits: create the queue if needed and hold its row (as a claim does).
WITH created AS (
    INSERT INTO queues (name) VALUES ($1) ON CONFLICT (name) DO NOTHING
)
SELECT 1;

-- name: limits_queue_hold
SELECT name FROM queues WHERE name = $1 FOR NO KEY UPDATE;

-- name: limits_delete_all
DELETE FROM queue_limits WHERE queue = $1;

-- name: limits_upsert
-- Each given limit: concurrency and rate 0 remove it; otherwise it replaces
-- the one of its scope and match, and its token buckets start full again.
WITH given AS (
    SELECT * FROM unnest($2::text[], $3::text[], $4::int[], $5::int[], $6::float8[])
        AS g(scope, match, concurrency, rate, period_seconds)
), removed AS (
    DELETE FROM queue_limits l USING given g
    WHERE l.queue = $1 AND l.scope = g.scope AND l.match = g.match
      AND g.concurrency IS NULL AND g.rate IS NULL
), emptied AS (
    DELETE FROM rate_buckets b USING given g
    WHERE b.queue = $1 AND b.scope = g.scope AND b.match = g.match
), upserted AS (
    INSERT INTO queue_limits AS l (queue, scope, match, concurrency, rate, period_seconds)
    SELECT $1, scope, match, concurrency, rate, period_seconds FROM given
    WHERE concurrency IS NOT NULL OR rate IS NOT NULL
    ON CONFLICT (queue, scope, match) DO UPDATE
    SET concurrency = EXCLUDED.concurrency, rate = EXCLUDED.rate,
        period_seconds = EXCLUDED.period_seconds, updated_at = now()
)
SELECT 1;

-- name: limits_settle
-- The queue's limited flag and the event, after the changes above.
WITH now_set AS (
    SELECT coalesce(jsonb_agg(jsonb_build_object(
               'scope', scope, 'action_type', match, 'concurrency', concurrency,
               'rate', rate, 'period_seconds', period_seconds) ORDER BY scope, match), '[]')
           AS limits,
           count(*) > 0 AS limited
    FROM queue_limits WHERE queue = $1
), flagged AS (
    UPDATE queues SET limited = (SELECT limited FROM now_set), updated_at = now()
    WHERE name = $1
), logged AS (
    INSERT INTO events (action_id, event_type, actor, payload)
    SELECT NULL, 'queue_limits_updated', $2,
           jsonb_build_object('queue', $1::text, 'limits', limits, 'replace', $3::boolean)
    FROM now_set
)
SELECT 1;

-- name: limits_list
-- The limits of every queue (or of the named one).
SELECT queue, scope, match, concurrency, rate, period_seconds FROM queue_limits
WHERE $1::text = '' OR queue = $1::text
ORDER BY queue, scope, match;
