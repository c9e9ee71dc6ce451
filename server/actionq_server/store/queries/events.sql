-- Queries on the append-only event log. Event ids become visible in id order
-- (see the events_serialize_ids trigger), so "id > cursor" never skips one.

-- name: event_insert
INSERT INTO events (action_id, event_type, actor, payload)
VALUES ($1, $2, $3, $4)
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
