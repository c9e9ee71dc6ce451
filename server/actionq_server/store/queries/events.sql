-- Queries on the append-only event log. The log is ordered by (txid, id) and
-- read only below the horizon: the oldest transaction id still running in
-- the reader's snapshot. Every transaction below the horizon has ended, so no
-- event can appear there later; a reader that has read everything below it
-- may move its cursor to (horizon, 0). See migration 0002.

-- name: event_insert
-- A named action must exist; no row comes back when it does not.
INSERT INTO events (action_id, event_type, actor, payload)
SELECT $1, $2, $3, $4
WHERE $1::bigint IS NULL OR EXISTS (SELECT 1 FROM actions WHERE id = $1::bigint)
RETURNING *;

-- name: event_list_after
-- One page after the cursor ($1, $2), the horizon of the same snapshot, and the
-- highest position retention dropped (a cursor below it is expired, see
-- store/retention.py). A function of migration 0004, which keeps one plan per
-- session over the partitioned log.
SELECT * FROM events_after($1, $2, $3, $4) ORDER BY txid, id;

-- name: event_list_after_for_actions
SELECT * FROM events_after_for_actions($1, $2, $3, $4, $5) ORDER BY txid, id;

-- name: event_horizon
-- The horizon, and whether committed events wait above it for an older
-- transaction to end (readers then poll until it moves past them).
SELECT h.horizon, EXISTS (SELECT 1 FROM events WHERE txid >= h.horizon) AS held_back
FROM (SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint AS horizon) AS h;
