-- Queries on the append-only event log. Event ids become visible in id order
-- (see the events_serialize_ids trigger), so "id > cursor" never skips one.

-- name: event_insert
-- A named action must exist; no row comes back when it does not.
INSERT INTO events (action_id, event_type, actor, payload)
SELECT $1, $2, $3, $4
WHERE $1::bigint IS NULL OR EXISTS (SELECT 1 FROM actions WHERE id = $1::bigint)
RETURNING *;

-- name: event_list_after
-- One page after a cursor, plus the newest id visible in the same snapshot:
-- when the page is not full, the reader may advance its cursor to it.
SELECT e.*, h.high_water
FROM (SELECT coalesce(max(id), 0) AS high_water FROM events) AS h
LEFT JOIN LATERAL (
    SELECT * FROM events
    WHERE id > $1 AND id <= h.high_water
      AND (cardinality($2::text[]) = 0 OR event_type = ANY($2::text[]))
    ORDER BY id
    LIMIT $3
) AS e ON true
ORDER BY e.id;

-- name: event_list_after_for_actions
SELECT e.*, h.high_water
FROM (SELECT coalesce(max(id), 0) AS high_water FROM events) AS h
LEFT JOIN LATERAL (
    SELECT * FROM events
    WHERE action_id = ANY($4::bigint[]) AND id > $1 AND id <= h.high_water
      AND (cardinality($2::text[]) = 0 OR event_type = ANY($2::text[]))
    ORDER BY id
    LIMIT $3
) AS e ON true
ORDER BY e.id;

-- name: event_high_water
SELECT coalesce(max(id), 0) AS high_water FROM events;
