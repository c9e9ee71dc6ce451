-- Queries of retention: finished actions go in bounded batches, the event log
-- loses whole partitions (migration 0004, event_log_maintain). Both use the
-- database's clock: the cutoff is now() less $1 seconds.

-- name: retention_prune_actions
-- One batch: the oldest finished actions before the cutoff that no action
-- names as its parent (children go first; their parents follow in a later
-- batch), skipping rows another transaction holds.
WITH doomed AS (
    SELECT a.id FROM actions AS a
    WHERE a.completed_at < now() - make_interval(secs => $1::double precision)
      AND NOT EXISTS (SELECT 1 FROM actions AS c WHERE c.parent_id = a.id)
    ORDER BY a.completed_at
    LIMIT $2
    FOR UPDATE SKIP LOCKED
), gone AS (
    DELETE FROM actions WHERE id IN (SELECT id FROM doomed) RETURNING 1
)
SELECT count(*) FROM gone;

-- name: retention_more
-- Whether a later batch would find something (run in the batch's transaction,
-- so it sees the batch's deletions and uses the same cutoff).
SELECT EXISTS (
    SELECT 1 FROM actions AS a
    WHERE a.completed_at < now() - make_interval(secs => $1::double precision)
      AND NOT EXISTS (SELECT 1 FROM actions AS c WHERE c.parent_id = a.id)
);

-- name: retention_drop_partitions
-- Drop the event partitions wholly before the cutoff and create those ahead;
-- the number dropped.
SELECT event_log_maintain(now() - make_interval(secs => $1::double precision));

-- name: retention_create_partitions
-- Only make sure the current period and those ahead have partitions.
SELECT event_log_maintain(NULL);

-- name: retention_pruned_through
-- The highest log position retention dropped (NULLs while nothing was).
SELECT pruned_txid, pruned_id FROM event_log;

-- name: retention_prune_workflows
-- Finished workflow runs before the cutoff whose actions are all gone (up to
-- $2 of them).
WITH gone AS (
    DELETE FROM workflows WHERE id IN (
        SELECT w.id FROM workflows AS w
        WHERE w.status <> 'running'
          AND w.finished_at < now() - make_interval(secs => $1::double precision)
          AND NOT EXISTS (SELECT 1 FROM actions AS a WHERE a.workflow_id = w.id)
        LIMIT $2
        FOR UPDATE SKIP LOCKED)
    RETURNING 1
)
SELECT count(*) FROM gone;
