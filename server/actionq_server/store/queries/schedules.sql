-- Cron schedules (migration 0006). Every change of a schedule writes its event
-- in the same statement.

-- name: schedule_clock
SELECT now();

-- name: schedule_create
-- Nothing when the name is taken (the caller says SCHEDULE_EXISTS).
WITH created AS (
    INSERT INTO schedules (name, cron, time_zone, action, payload, paused, next_run_at)
    VALUES ($1, $2, $3, $4::jsonb, $5::jsonb, $6, $7)
    ON CONFLICT (name) DO NOTHING
    RETURNING *
), logged AS (
    INSERT INTO events (action_id, event_type, actor, payload)
    SELECT NULL, 'schedule_created', $8,
           jsonb_build_object('schedule', name, 'cron', cron, 'time_zone', time_zone,
                              'paused', paused, 'next_run_at', next_run_at, 'replaced', false)
    FROM created
)
SELECT * FROM created;

-- name: schedule_replace
-- Creates or replaces: a replaced schedule keeps its created_at and its last
-- tick (last_run_at, last_action_id); its next tick is the one given.
WITH stored AS (
    INSERT INTO schedules AS s (name, cron, time_zone, action, payload, paused, next_run_at)
    VALUES ($1, $2, $3, $4::jsonb, $5::jsonb, $6, $7)
    ON CONFLICT (name) DO UPDATE
        SET cron = EXCLUDED.cron, time_zone = EXCLUDED.time_zone, action = EXCLUDED.action,
            payload = EXCLUDED.payload, paused = EXCLUDED.paused,
            next_run_at = EXCLUDED.next_run_at, updated_at = now()
    RETURNING s.*, (s.xmax <> 0) AS replaced
), logged AS (
    INSERT INTO events (action_id, event_type, actor, payload)
    SELECT NULL, 'schedule_created', $8,
           jsonb_build_object('schedule', name, 'cron', cron, 'time_zone', time_zone,
                              'paused', paused, 'next_run_at', next_run_at,
                              'replaced', replaced)
    FROM stored
)
SELECT * FROM stored;

-- name: schedule_list
SELECT * FROM schedules ORDER BY name;

-- name: schedule_get
SELECT * FROM schedules WHERE name = $1;

-- name: schedule_pause
-- Pausing a paused schedule changes nothing and writes no event.
WITH paused AS (
    UPDATE schedules SET paused = true, updated_at = now()
    WHERE name = $1 AND NOT paused
    RETURNING *
), logged AS (
    INSERT INTO events (action_id, event_type, actor, payload)
    SELECT NULL, 'schedule_paused', $2, jsonb_build_object('schedule', name)
    FROM paused
)
SELECT * FROM paused
UNION ALL
SELECT * FROM schedules WHERE name = $1 AND NOT EXISTS (SELECT 1 FROM paused);

-- name: schedule_resume
-- The next tick ($3) is the first after now: missed ticks are not caught up.
-- Resuming a running schedule changes nothing and writes no event.
WITH resumed AS (
    UPDATE schedules SET paused = false, next_run_at = $3, updated_at = now()
    WHERE name = $1 AND paused
    RETURNING *
), logged AS (
    INSERT INTO events (action_id, event_type, actor, payload)
    SELECT NULL, 'schedule_resumed', $2,
           jsonb_build_object('schedule', name, 'next_run_at', next_run_at)
    FROM resumed
)
SELECT * FROM resumed
UNION ALL
SELECT * FROM schedules WHERE name = $1 AND NOT EXISTS (SELECT 1 FROM resumed);

-- name: schedule_delete
WITH deleted AS (
    DELETE FROM schedules WHERE name = $1 RETURNING *
), logged AS (
    INSERT INTO events (action_id, event_type, actor, payload)
    SELECT NULL, 'schedule_deleted', $2, jsonb_build_object('schedule', name)
    FROM deleted
)
SELECT * FROM deleted;

-- name: schedule_wake
-- Database time and the earliest tick of a running schedule: the scheduler
-- sleeps until then (capped), one query per wake-up whatever the count.
SELECT now() AS now, (SELECT min(next_run_at) FROM schedules WHERE NOT paused) AS earliest;

-- name: schedule_due
SELECT name, cron, time_zone, next_run_at, now() AS now FROM schedules
WHERE NOT paused AND next_run_at <= now()
ORDER BY next_run_at
LIMIT $1;

-- name: schedule_claim_tick
-- The compare-and-set that makes a tick this server's: only while the row
-- still holds the tick it read ($2), running, and not locked by a replica
-- firing it. Returns the template to enqueue; nothing when another won.
WITH due AS (
    SELECT name FROM schedules
    WHERE name = $1 AND next_run_at = $2 AND NOT paused
    FOR UPDATE SKIP LOCKED
)
UPDATE schedules s SET next_run_at = $3, last_run_at = $4, updated_at = now()
FROM due WHERE s.name = due.name
RETURNING s.action, s.payload;

-- name: schedule_fired
WITH noted AS (
    UPDATE schedules SET last_action_id = $2 WHERE name = $1 RETURNING name
)
INSERT INTO events (action_id, event_type, actor, payload)
SELECT $2, 'schedule_fired', 'schedule:' || $1::text,
       jsonb_build_object('schedule', $1::text, 'tick', $3::timestamptz, 'action_id', $2::bigint,
                          'duplicate', $4::boolean)
FROM noted;
