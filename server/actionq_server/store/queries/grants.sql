-- Queries of the grants the server's own role gets (store/grants.py). They
-- read the catalog only; the GRANT and REVOKE statements are built from the
-- names they return, each checked and quoted (store/identifiers.py).

-- name: grant_objects
-- Every table, partition, view, sequence and routine of schema $1, with the
-- argument types of each routine (as PostgreSQL spells them).
SELECT CASE WHEN c.relkind = 'S' THEN 'sequence'
            WHEN c.relispartition THEN 'partition'
            ELSE 'table' END AS kind,
       c.relname AS name,
       NULL::text AS arguments
FROM pg_class AS c
JOIN pg_namespace AS n ON n.oid = c.relnamespace
WHERE n.nspname = $1 AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
UNION ALL
SELECT 'routine', p.proname, oidvectortypes(p.proargtypes)
FROM pg_proc AS p
JOIN pg_namespace AS n ON n.oid = p.pronamespace
WHERE n.nspname = $1 AND p.prokind IN ('f', 'p')
ORDER BY 1, 2, 3;

-- name: grant_role_state
-- Whether role $1 exists, is a superuser, or holds the privileges of schema
-- $2's owner (then it needs no grants, and revoking would strip the owner);
-- whether the schema exists; whether this role sees role $1's sessions in
-- pg_stat_activity (event_log_maintain must, to drop partitions safely).
SELECT r.oid IS NOT NULL AS role_exists,
       coalesce(r.rolsuper, false) AS superuser,
       coalesce(pg_has_role(r.oid, n.nspowner, 'USAGE'), false) AS owns,
       n.oid IS NOT NULL AS schema_exists,
       pg_has_role('pg_read_all_stats', 'USAGE')
           OR coalesce(pg_has_role(r.oid, 'USAGE'), false) AS sees_sessions,
       current_user AS granter
FROM (SELECT 1) AS one
LEFT JOIN pg_roles AS r ON r.rolname = $1
LEFT JOIN pg_namespace AS n ON n.nspname = $2;

-- name: grant_grantees
-- The roles other than the owner that were granted USAGE on schema $1: the
-- server roles whose grants a migration renews.
SELECT r.rolname
FROM pg_namespace AS n
CROSS JOIN LATERAL aclexplode(n.nspacl) AS a
JOIN pg_roles AS r ON r.oid = a.grantee
WHERE n.nspname = $1 AND a.privilege_type = 'USAGE' AND a.grantee <> n.nspowner
ORDER BY 1;
