-- Queries of workflow runs (migration 0008): the dependencies written at
-- enqueue, and the settling of dependants when an action of a run ends. Every
-- settlement first locks the run's row (workflow_lock, a statement of its
-- own), so that the statements after it, each with a fresh snapshot, see every
-- settlement committed before: two dependencies ending at once cannot both
-- miss the moment their dependant becomes ready.

-- name: workflow_open
-- The runs an Enqueue adds actions to: created, or (finished before) running
-- again; the conflict locks each existing row, in id order.
INSERT INTO workflows AS w (id)
SELECT id FROM unnest($1::text[]) AS id ORDER BY id
ON CONFLICT (id) DO UPDATE
SET status = 'running', finished_at = NULL, updated_at = now()
WHERE w.status <> 'running';

-- name: workflow_lock_dependencies
-- Taken before workflow_open: the lock the dependency edges' foreign keys take.
SELECT id FROM actions WHERE id = ANY($1::bigint[]) ORDER BY id FOR KEY SHARE;

-- name: workflow_members
-- The run and status of each named action (dependencies, parents).
SELECT id, workflow_id, status FROM actions WHERE id = ANY($1::bigint[]);

-- name: workflow_link
-- Records the edges ($1 waits for $2) and each dependant's depends_on; a
-- dependant with a dependency not yet completed waits (action_waiting). Run
-- after workflow_open locked the run, so that a dependency completing
-- meanwhile is either seen completed here or settles this dependant after.
WITH edges AS (
    SELECT * FROM unnest($1::bigint[], $2::bigint[]) AS e(action_id, depends_on)
), stored AS (
    INSERT INTO action_dependencies (action_id, depends_on)
    SELECT action_id, depends_on FROM edges
    ON CONFLICT DO NOTHING
), blocked AS (
    SELECT e.action_id,
           array_agg(DISTINCT e.depends_on ORDER BY e.depends_on) AS depends_on,
           bool_or(d.status <> 'completed') AS waits
    FROM edges e JOIN actions d ON d.id = e.depends_on
    GROUP BY e.action_id
), updated AS (
    UPDATE actions a
    SET depends_on = b.depends_on,
        status = CASE WHEN b.waits THEN 'waiting' ELSE a.status END,
        waiting_for = CASE WHEN b.waits THEN 'dependencies' END,
        updated_at = now()
    FROM blocked b
    WHERE a.id = b.action_id
    RETURNING a.*
), logged AS (
    INSERT INTO events (action_id, event_type, actor, payload)
    SELECT id, 'action_waiting', created_by,
           jsonb_build_object('waiting_for', 'dependencies', 'depends_on', to_jsonb(depends_on))
    FROM updated WHERE status = 'waiting' ORDER BY id
)
SELECT * FROM updated ORDER BY id;

-- name: workflow_lock
SELECT id FROM workflows WHERE id = ANY($1::text[]) ORDER BY id FOR UPDATE;

-- name: workflow_ready
-- Dependants of the completed actions $1 whose dependencies have all
-- completed: pending now (action_ready).
WITH candidates AS (
    SELECT DISTINCT e.action_id AS id FROM action_dependencies e
    WHERE e.depends_on = ANY($1::bigint[])
), ready AS (
    SELECT c.id FROM candidates c
    WHERE NOT EXISTS (
        SELECT 1 FROM action_dependencies e JOIN actions d ON d.id = e.depends_on
        WHERE e.action_id = c.id AND d.status <> 'completed')
), done AS (
    UPDATE actions a
    SET status = 'pending', waiting_for = NULL, run_after = now(), updated_at = now()
    WHERE a.id = ANY(ARRAY(SELECT id FROM ready))
      AND a.status = 'waiting' AND a.waiting_for = 'dependencies'
    RETURNING a.id, a.depends_on
), logged AS (
    INSERT INTO events (action_id, event_type, actor, payload)
    SELECT id, 'action_ready', 'workflow', jsonb_build_object('depends_on', to_jsonb(depends_on))
    FROM done ORDER BY id
)
SELECT id FROM done ORDER BY id;

-- name: workflow_cancel_dependants
-- Waiting dependants of the actions $1 that ended failed, rejected or
-- cancelled: cancelled, the reason naming the dependency (action_cancelled).
-- The caller repeats it with the ids returned, for their own dependants.
WITH dead AS (
    SELECT id, status FROM actions
    WHERE id = ANY($1::bigint[]) AND status IN ('failed', 'rejected', 'cancelled')
), target AS (
    SELECT DISTINCT ON (e.action_id) e.action_id AS id, d.id AS dependency,
           d.status AS dependency_status
    FROM dead d JOIN action_dependencies e ON e.depends_on = d.id
    ORDER BY e.action_id, d.id
), done AS (
    UPDATE actions a
    SET status = 'cancelled', waiting_for = NULL,
        failure_reason = format('dependency %s ended %s', t.dependency, t.dependency_status),
        completed_at = now(), updated_at = now()
    FROM target t
    WHERE a.id = t.id AND a.status = 'waiting' AND a.waiting_for = 'dependencies'
    RETURNING a.id, a.failure_reason, t.dependency
), logged AS (
    INSERT INTO events (action_id, event_type, actor, payload)
    SELECT id, 'action_cancelled', 'workflow',
           jsonb_build_object('reason', failure_reason, 'dependency', dependency)
    FROM done ORDER BY id
)
SELECT id FROM done ORDER BY id;

-- name: workflow_finish
-- Ends the run $1 when none of its actions is left unfinished: completed when
-- all completed, else failed (workflow_finished, once: only a running run).
-- The newest actions are looked at first: fan-in actions wait at the end.
WITH open AS (
    SELECT id FROM actions
    WHERE workflow_id = $1 AND status IN ('pending', 'claimed', 'waiting')
    ORDER BY id DESC
    LIMIT 1
), counts AS (
    SELECT count(*) AS total,
           count(*) FILTER (WHERE status = 'completed') AS completed,
           count(*) FILTER (WHERE status = 'failed') AS failed,
           count(*) FILTER (WHERE status = 'rejected') AS rejected,
           count(*) FILTER (WHERE status = 'cancelled') AS cancelled
    FROM actions
    WHERE workflow_id = $1 AND NOT EXISTS (SELECT 1 FROM open)
), finished AS (
    UPDATE workflows w
    SET status = CASE WHEN c.total = c.completed THEN 'completed' ELSE 'failed' END,
        finished_at = now(), updated_at = now()
    FROM counts c
    WHERE w.id = $1 AND w.status = 'running' AND NOT EXISTS (SELECT 1 FROM open)
    RETURNING w.id, w.status, c.*
), logged AS (
    INSERT INTO events (action_id, event_type, actor, payload)
    SELECT NULL, 'workflow_finished', 'workflow',
           jsonb_build_object('workflow_id', id, 'status', status,
                              'counts', jsonb_build_object('total', total,
                                                           'completed', completed,
                                                           'failed', failed,
                                                           'rejected', rejected,
                                                           'cancelled', cancelled))
    FROM finished
)
SELECT status FROM finished;

-- name: workflow_reopen
-- Runs of retried actions are running again.
UPDATE workflows SET status = 'running', finished_at = NULL, updated_at = now()
WHERE id = ANY($1::text[]) AND status <> 'running';

-- name: workflow_rewait
-- Retried dependants whose dependencies have not all completed wait again
-- (action_waiting); returns their dependencies.
WITH target AS (
    SELECT a.id FROM actions a
    WHERE a.id = ANY($1::bigint[]) AND a.status = 'pending' AND a.depends_on IS NOT NULL
      AND EXISTS (
          SELECT 1 FROM action_dependencies e JOIN actions d ON d.id = e.depends_on
          WHERE e.action_id = a.id AND d.status <> 'completed')
), done AS (
    UPDATE actions a
    SET status = 'waiting', waiting_for = 'dependencies', updated_at = now()
    WHERE a.id = ANY(ARRAY(SELECT id FROM target)) AND a.status = 'pending'
    RETURNING a.id, a.depends_on
), logged AS (
    INSERT INTO events (action_id, event_type, actor, payload)
    SELECT id, 'action_waiting', 'workflow',
           jsonb_build_object('waiting_for', 'dependencies', 'depends_on', to_jsonb(depends_on))
    FROM done ORDER BY id
)
SELECT DISTINCT unnest(depends_on) AS id FROM done;

-- name: workflow_of_actions
SELECT DISTINCT workflow_id FROM actions
WHERE id = ANY($1::bigint[]) AND workflow_id IS NOT NULL
ORDER BY workflow_id;

-- name: workflow_get
-- A run with its counts by status.
SELECT w.id, w.status, w.created_at, w.finished_at,
       count(a.id) AS total,
       count(a.id) FILTER (WHERE a.status = 'pending') AS pending,
       count(a.id) FILTER (WHERE a.status = 'claimed') AS claimed,
       count(a.id) FILTER (WHERE a.status = 'waiting') AS waiting,
       count(a.id) FILTER (WHERE a.status = 'completed') AS completed,
       count(a.id) FILTER (WHERE a.status = 'failed') AS failed,
       count(a.id) FILTER (WHERE a.status = 'rejected') AS rejected,
       count(a.id) FILTER (WHERE a.status = 'cancelled') AS cancelled
FROM workflows w LEFT JOIN actions a ON a.workflow_id = w.id
WHERE w.id = $1
GROUP BY w.id;

-- name: workflow_actions
SELECT * FROM actions WHERE workflow_id = $1 ORDER BY id LIMIT $2;
