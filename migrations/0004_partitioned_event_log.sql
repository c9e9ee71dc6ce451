-- actionq schema, version 4: an event log that retention can shorten without
-- ever deleting a row. `events` becomes a table partitioned by range of
-- created_at; retention drops whole partitions whose range lies before its
-- cutoff, and the database still refuses UPDATE, DELETE and TRUNCATE of the
-- log and of every partition.
--
-- Why time and not id: retention is by age, and a partition holds the events
-- of one period, so "everything before the cutoff" is a set of whole
-- partitions. The log is still read in (txid, id) order (migration 0002).
--
-- The key: PostgreSQL requires a partitioned table's unique constraints to
-- contain the partition key, so the primary key is (txid, id, created_at). Its
-- index serves the (txid, id) order exactly as before (a leading prefix). The
-- database enforces uniqueness of the triple within each partition; id comes
-- from one identity sequence, so no two events share an id anywhere.

-- The old table steps aside (its names are free for the new one) and is
-- dropped once its rows are copied.
ALTER TABLE events RENAME TO events_v3;
ALTER SEQUENCE events_id_seq RENAME TO events_v3_id_seq;
ALTER TABLE events_v3 RENAME CONSTRAINT events_pkey TO events_v3_pkey;
ALTER INDEX events_action RENAME TO events_v3_action;

-- Same columns in the same order (the repository reads rows by position),
-- same defaults and CHECK constraints (whatever the event types are by now).
CREATE TABLE events (
    LIKE events_v3 INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING IDENTITY,
    CONSTRAINT events_pkey PRIMARY KEY (txid, id, created_at)
) PARTITION BY RANGE (created_at);

CREATE INDEX events_action ON events (action_id, txid, id) WHERE action_id IS NOT NULL;

-- Append-only, as before. Row triggers on a partitioned table are cloned onto
-- each partition; a TRUNCATE trigger is not (TRUNCATE of a partition does not
-- fire its parent's), so event_log_add_partition puts one on each partition.
CREATE TRIGGER events_no_update_delete BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION events_refuse_change();
CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION events_refuse_change();
CREATE TRIGGER events_notify AFTER INSERT ON events
    FOR EACH STATEMENT EXECUTE FUNCTION events_notify();

-- Reading the log. A statement on a partitioned table is planned over every
-- partition, and the server's prepared reads were planned afresh at each call
-- (PostgreSQL keeps custom plans for them): with a dozen partitions planning
-- cost ~0.6 ms a read, three times the read itself. These functions keep one
-- generic plan per session instead (the reads were as fast as on the single
-- table, measured with 12 partitions). Each is one statement: its snapshot is
-- taken after its locks, so it sees a partition drop that committed before
-- it, together with event_log's record of it. The columns are the events
-- table's, then the horizon and the highest position retention dropped; a
-- migration that adds a column to events replaces them.
CREATE FUNCTION events_after(after_txid bigint, after_id bigint, types text[], lim integer)
RETURNS TABLE (id bigint, action_id bigint, event_type text, actor text, payload jsonb,
               created_at timestamptz, txid bigint,
               horizon bigint, pruned_txid bigint, pruned_id bigint)
LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $$
#variable_conflict use_column
BEGIN
    RETURN QUERY
    SELECT e.*, h.horizon, g.pruned_txid, g.pruned_id
    FROM (SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint AS horizon) AS h
    CROSS JOIN event_log AS g
    LEFT JOIN LATERAL (
        SELECT * FROM events AS x
        WHERE (x.txid, x.id) > (after_txid, after_id) AND x.txid < h.horizon
          AND (cardinality(types) = 0 OR x.event_type = ANY(types))
        ORDER BY x.txid, x.id
        LIMIT lim
    ) AS e ON true
    ORDER BY e.txid, e.id;
END;
$$;

CREATE FUNCTION events_after_for_actions(
    after_txid bigint, after_id bigint, types text[], lim integer, ids bigint[])
RETURNS TABLE (id bigint, action_id bigint, event_type text, actor text, payload jsonb,
               created_at timestamptz, txid bigint,
               horizon bigint, pruned_txid bigint, pruned_id bigint)
LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $$
#variable_conflict use_column
BEGIN
    RETURN QUERY
    SELECT e.*, h.horizon, g.pruned_txid, g.pruned_id
    FROM (SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint AS horizon) AS h
    CROSS JOIN event_log AS g
    LEFT JOIN LATERAL (
        SELECT * FROM events AS x
        WHERE x.action_id = ANY(ids)
          AND (x.txid, x.id) > (after_txid, after_id) AND x.txid < h.horizon
          AND (cardinality(types) = 0 OR x.event_type = ANY(types))
        ORDER BY x.txid, x.id
        LIMIT lim
    ) AS e ON true
    ORDER BY e.txid, e.id;
END;
$$;

-- The partitions, their settings and what retention dropped.
-- One row. partition_width: the period each new partition covers (whole
-- seconds, 1 s to 366 days). partitions_ahead: how many periods after the
-- current one always have a partition, so that an insert never finds none.
-- pruned_txid/pruned_id: the highest log position ever dropped (NULL while
-- nothing was dropped); a cursor below it points into dropped history.
-- Changing partition_width takes effect at the next maintenance: partitions
-- that lie after now and are still empty are replaced at the new width (a
-- test hook: a test sets 2 s in its own schema to see partitions come and go).
CREATE TABLE event_log (
    singleton        boolean     PRIMARY KEY DEFAULT true CHECK (singleton),
    partition_width  interval    NOT NULL DEFAULT interval '1 day',
    partitions_ahead integer     NOT NULL DEFAULT 3,
    pruned_txid      bigint,
    pruned_id        bigint,
    pruned_at        timestamptz,
    CONSTRAINT event_log_width_sane CHECK (
        partition_width >= interval '1 second' AND partition_width <= interval '366 days'
        AND extract(epoch FROM partition_width) = floor(extract(epoch FROM partition_width))),
    CONSTRAINT event_log_ahead_sane CHECK (partitions_ahead BETWEEN 1 AND 1000),
    CONSTRAINT event_log_pruned_paired CHECK ((pruned_txid IS NULL) = (pruned_id IS NULL))
);
INSERT INTO event_log DEFAULT VALUES;

-- Every partition of events and its range (lower_bound NULL: unbounded below).
-- Only the functions below write it, in the transaction that creates or drops
-- the partition.
CREATE TABLE event_partitions (
    name        text        PRIMARY KEY,
    lower_bound timestamptz,
    upper_bound timestamptz NOT NULL UNIQUE
);

-- Create one partition [lower, upper) and refuse TRUNCATE on it. The table is
-- created apart and then attached: ATTACH PARTITION takes a lock that writers
-- and readers of the log do not wait for (CREATE TABLE ... PARTITION OF would
-- take an exclusive one).
CREATE FUNCTION event_log_add_partition(lower timestamptz, upper timestamptz)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    part text := CASE WHEN lower IS NULL THEN 'events_history'
        ELSE 'events_p' || to_char(lower AT TIME ZONE 'UTC', 'YYYYMMDD"_"HH24MISS')
             || CASE WHEN extract(microseconds FROM lower) % 1000000 = 0 THEN ''
                     ELSE to_char(lower AT TIME ZONE 'UTC', '"_"US') END END;
BEGIN
    EXECUTE format('CREATE TABLE %I (LIKE events INCLUDING DEFAULTS INCLUDING CONSTRAINTS)',
                   part);
    EXECUTE format('ALTER TABLE events ATTACH PARTITION %I FOR VALUES FROM (%s) TO (%s)',
                   part,
                   CASE WHEN lower IS NULL THEN 'MINVALUE'
                        ELSE format('to_timestamp(%s)', extract(epoch FROM lower)) END,
                   format('to_timestamp(%s)', extract(epoch FROM upper)));
    EXECUTE format('CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON %I '
                   'FOR EACH STATEMENT EXECUTE FUNCTION events_refuse_change()', part);
    INSERT INTO event_partitions (name, lower_bound, upper_bound) VALUES (part, lower, upper);
END;
$$;

-- The log's maintenance, run by every server at start (before it serves), by
-- the sweeper and by Prune. With a cutoff, it drops every partition whose
-- whole range lies before it (never one that a transaction still open might
-- insert into: the cutoff is held at the start of the oldest open
-- transaction), first recording the highest position dropped. Then it makes
-- sure that partitions cover the current period and partitions_ahead more
-- (after a long downtime, one partition covers the gap). Returns the number
-- of partitions dropped.
--
-- SECURITY DEFINER, owned by the role that ran the migrations, so that a
-- server role without DDL rights may run it once granted EXECUTE; nobody else
-- may (EXECUTE is revoked from PUBLIC below). Its search_path is fixed to this
-- schema (set below, as the schema's name is only known when this runs).
CREATE FUNCTION event_log_maintain(cutoff timestamptz)
RETURNS integer LANGUAGE plpgsql SECURITY DEFINER AS $$
DECLARE
    width_s   numeric;
    ahead     integer;
    safe      timestamptz;
    dropped   integer := 0;
    part      record;
    last_txid bigint;
    last_id   bigint;
    tip       timestamptz;
    cur       numeric;
    goal      numeric;
    nxt       numeric;
    stale     text[];
    occupied  boolean;
BEGIN
    -- One maintainer per schema at a time (several servers may share it).
    PERFORM pg_advisory_xact_lock(hashtext('actionq.event_log'), hashtext(current_schema()));
    SELECT extract(epoch FROM partition_width), partitions_ahead
      INTO width_s, ahead FROM event_log;
    -- Dropping a partition locks the whole log; never queue writers behind a
    -- long wait for it: give up after a moment and try at the next run.
    PERFORM set_config('lock_timeout', '500ms', true);

    IF cutoff IS NOT NULL THEN
        SELECT least(cutoff, min(xact_start)) INTO safe FROM pg_stat_activity
         WHERE datname = current_database() AND backend_type = 'client backend'
           AND pid <> pg_backend_pid() AND xact_start IS NOT NULL;
        IF EXISTS (SELECT 1 FROM event_partitions WHERE upper_bound <= safe) THEN
            BEGIN
                LOCK TABLE events IN ACCESS EXCLUSIVE MODE;
                FOR part IN SELECT name FROM event_partitions
                             WHERE upper_bound <= safe ORDER BY upper_bound LOOP
                    EXECUTE format('SELECT txid, id FROM %I ORDER BY txid DESC, id DESC LIMIT 1',
                                   part.name) INTO last_txid, last_id;
                    IF last_txid IS NOT NULL THEN
                        UPDATE event_log
                           SET pruned_txid = last_txid, pruned_id = last_id, pruned_at = now()
                         WHERE pruned_txid IS NULL
                            OR (pruned_txid, pruned_id) < (last_txid, last_id);
                    END IF;
                    EXECUTE format('DROP TABLE %I', part.name);
                    DELETE FROM event_partitions WHERE name = part.name;
                    dropped := dropped + 1;
                END LOOP;
            EXCEPTION WHEN lock_not_available THEN
                RAISE WARNING 'actionq: the event log is busy; no partition dropped this time';
                dropped := 0;
            END;
        END IF;
    END IF;

    -- partition_width changed: partitions after now that are still empty are
    -- replaced at the new width (only a trailing run of them, so that the
    -- partitions stay contiguous).
    IF (SELECT extract(epoch FROM upper_bound - lower_bound) <> width_s
          FROM event_partitions ORDER BY upper_bound DESC LIMIT 1) THEN
        stale := '{}';
        FOR part IN SELECT name FROM event_partitions
                     WHERE upper_bound > now() AND lower_bound IS NOT NULL
                     ORDER BY upper_bound DESC LOOP
            EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I)', part.name) INTO occupied;
            EXIT WHEN occupied;
            stale := stale || part.name::text;
        END LOOP;
        IF cardinality(stale) > 0 THEN
            BEGIN
                LOCK TABLE events IN ACCESS EXCLUSIVE MODE;
                FOR part IN SELECT unnest(stale) AS name LOOP
                    EXECUTE format('DROP TABLE %I', part.name);
                END LOOP;
                DELETE FROM event_partitions WHERE name = ANY(stale);
            EXCEPTION WHEN lock_not_available THEN
                RAISE WARNING 'actionq: the event log is busy; partition width not changed yet';
            END;
        END IF;
    END IF;

    -- The current period and `ahead` more always have a partition.
    SELECT max(upper_bound) INTO tip FROM event_partitions;
    cur := floor(extract(epoch FROM now()) / width_s) * width_s;
    goal := cur + (ahead + 1) * width_s;
    IF tip IS NULL THEN
        PERFORM event_log_add_partition(NULL, to_timestamp(cur));
        tip := to_timestamp(cur);
    END IF;
    WHILE extract(epoch FROM tip) < goal LOOP
        nxt := (floor(extract(epoch FROM tip) / width_s) + 1) * width_s;
        IF nxt < cur THEN
            nxt := cur;  -- after a downtime: one partition covers the gap
        END IF;
        PERFORM event_log_add_partition(tip, to_timestamp(nxt));
        tip := to_timestamp(nxt);
    END LOOP;
    RETURN dropped;
END;
$$;

-- This schema, then the catalog; never a temporary schema first.
DO $$
BEGIN
    EXECUTE format('ALTER FUNCTION event_log_maintain(timestamptz) '
                   'SET search_path = %I, pg_catalog, pg_temp', current_schema());
END;
$$;
REVOKE ALL ON FUNCTION event_log_maintain(timestamptz) FROM PUBLIC;
REVOKE ALL ON FUNCTION event_log_add_partition(timestamptz, timestamptz) FROM PUBLIC;

-- The existing history goes into one partition that ends where this migration
-- stands (after every copied row), dropped as a whole once retention passes
-- its end; partitions of partition_width follow it.
SELECT event_log_add_partition(
    NULL, greatest(now(), (SELECT max(created_at) FROM events_v3) + interval '1 microsecond'));
INSERT INTO events OVERRIDING SYSTEM VALUE
SELECT * FROM events_v3;
-- New ids continue where the old sequence stood.
SELECT setval(pg_get_serial_sequence('events', 'id'), s.last_value, s.is_called)
FROM events_v3_id_seq AS s;
DROP TABLE events_v3;
SELECT event_log_maintain(NULL);
