-- actionq schema, version 11: least privilege. The server may run as a role
-- with DML only (store/grants.py, `actionq-server grant ROLE`); the owner runs
-- the migrations and owns event_log_maintain, which creates and drops the
-- log's partitions for it.
--
-- event_log_maintain runs as the owner, and pg_stat_activity shows the owner
-- neither the backend type nor the transaction start of another role's
-- sessions unless it holds pg_read_all_stats (or that role's privileges):
-- version 4 then took the server role's open transactions for none and could
-- drop a partition one of them was about to insert into. Now a hidden session
-- of a role that may insert into events holds every drop back (with a
-- warning naming the grant that lifts it). Creating partitions ahead is
-- unaffected.
--
-- Only CREATE OR REPLACE, ALTER and REVOKE: running this file again changes
-- nothing.

CREATE OR REPLACE FUNCTION event_log_maintain(cutoff timestamptz)
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
    hidden    bigint;
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
        -- A session this role may not see (pg_stat_activity hides another
        -- role's backend_type and xact_start without pg_read_all_stats) of a
        -- role that may write the log could hold a transaction older than any
        -- bound: drop nothing while one is connected.
        SELECT count(*) INTO hidden FROM pg_stat_activity AS s
         WHERE s.datname = current_database() AND s.pid <> pg_backend_pid()
           AND s.backend_type IS NULL AND s.usesysid IS NOT NULL
           AND has_table_privilege(s.usesysid, 'events', 'INSERT');
        IF hidden > 0 THEN
            RAISE WARNING 'actionq: no event partition dropped: role % cannot see the '
                          'transactions of % other session(s) that may write the log; '
                          'GRANT pg_read_all_stats TO % (as a superuser)',
                          current_user, hidden, current_user;
            safe := NULL;
        END IF;
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

-- This schema, then the catalog; never a temporary schema first (replacing a
-- function resets its settings).
DO $$
BEGIN
    EXECUTE format('ALTER FUNCTION event_log_maintain(timestamptz) '
                   'SET search_path = %I, pg_catalog, pg_temp', current_schema());
END;
$$;
REVOKE ALL ON FUNCTION event_log_maintain(timestamptz) FROM PUBLIC;
REVOKE ALL ON FUNCTION event_log_add_partition(timestamptz, timestamptz) FROM PUBLIC;
