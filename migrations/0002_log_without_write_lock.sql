-- actionq schema, version 2: an event log no writer waits for, retry-safe
-- Enqueue, wake-ups that say when delayed work falls due, and payload sizes
-- that keep claimed batches within a response.

-- Each event records the top-level transaction that wrote it. The log is read
-- in (txid, id) order, and only below the oldest transaction still running
-- (pg_snapshot_xmin of the reader's snapshot): every transaction below it has
-- ended, so nothing can appear there later, and no reader skips a late
-- commit. Writers no longer serialize on a lock to keep ids in commit order;
-- a long-open writer delays readers only. Rows written before this migration
-- take its transaction id and keep their id order.
ALTER TABLE events
    ADD COLUMN txid bigint NOT NULL DEFAULT (pg_current_xact_id()::text::bigint);

DROP TRIGGER events_serialize_ids ON events;
DROP FUNCTION events_serialize_ids();

-- The log order is the key: one index serves readers and identifies an event
-- (an index on id alone would be a fourth index write per event for no reader).
ALTER TABLE events DROP CONSTRAINT events_pkey;
CREATE UNIQUE INDEX events_log_order ON events (txid, id);
ALTER TABLE events ADD CONSTRAINT events_pkey PRIMARY KEY USING INDEX events_log_order;
DROP INDEX events_action;
CREATE INDEX events_action ON events (action_id, txid, id) WHERE action_id IS NOT NULL;

-- Enqueue calls by request_id, so that a call retried after a lost reply
-- returns the first call's outcome instead of storing its actions twice. One
-- small row per call, pruned after a day.
CREATE TABLE enqueue_requests (
    request_id   text        PRIMARY KEY,
    request_hash bytea       NOT NULL,
    action_ids   bigint[]    NOT NULL,
    duplicates   boolean[]   NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT enqueue_requests_outcome_paired CHECK (
        cardinality(action_ids) = cardinality(duplicates))
);

CREATE INDEX enqueue_requests_created ON enqueue_requests (created_at);

-- Work notifications name the queue, and for work that falls due later also
-- when (`queue epoch`), so that a server sets one timer per queue instead of
-- having each waiting worker poll.
CREATE OR REPLACE FUNCTION actions_notify_pending() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify(TG_TABLE_SCHEMA || '.work', q.queue)
    FROM (SELECT DISTINCT queue FROM changed
          WHERE status = 'pending' AND run_after <= now()) AS q;
    PERFORM pg_notify(TG_TABLE_SCHEMA || '.work',
                      q.queue || ' ' || extract(epoch FROM q.due)::text)
    FROM (SELECT queue, min(run_after) AS due FROM changed
          WHERE status = 'pending' AND run_after > now() GROUP BY queue) AS q;
    RETURN NULL;
END;
$$;

CREATE OR REPLACE FUNCTION actions_notify_requeued() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.run_after <= now() THEN
        PERFORM pg_notify(TG_TABLE_SCHEMA || '.work', NEW.queue);
    ELSE
        PERFORM pg_notify(TG_TABLE_SCHEMA || '.work',
                          NEW.queue || ' ' || extract(epoch FROM NEW.run_after)::text);
    END IF;
    RETURN NULL;
END;
$$;

-- The size of each payload as sent, so that a claim can stop adding actions
-- before its response outgrows a message (the claim reads it with the row).
ALTER TABLE actions ADD COLUMN payload_bytes integer NOT NULL DEFAULT 0
    CONSTRAINT actions_payload_bytes_sane CHECK (payload_bytes >= 0);
UPDATE actions SET payload_bytes = octet_length(payload::text);
