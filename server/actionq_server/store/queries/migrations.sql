-- Queries of the migration runner. The schema name is an identifier checked
-- and quoted by the runner (store/identifiers.py) before it is placed into
-- the blocks that take {schema}; everything else is a bind parameter.

-- name: migration_lock
SELECT pg_advisory_lock(hashtext('actionq.migrate'), hashtext($1));

-- name: migration_unlock
SELECT pg_advisory_unlock(hashtext('actionq.migrate'), hashtext($1));

-- name: migration_schema_state
-- Whether the schema exists, whether it records its migrations, whether this
-- role may migrate it (it owns the schema, or may create it while it does not
-- exist), who owns it, and whether this role may use it at all.
SELECT n.oid IS NOT NULL AS schema_exists,
       EXISTS (SELECT 1 FROM pg_class AS c
               WHERE c.relnamespace = n.oid AND c.relname = 'schema_migrations') AS recorded,
       CASE WHEN n.oid IS NULL
            THEN has_database_privilege(current_database(), 'CREATE')
            ELSE pg_has_role(n.nspowner, 'USAGE') END AS may_migrate,
       CASE WHEN n.oid IS NOT NULL THEN pg_get_userbyid(n.nspowner) END AS owner,
       n.oid IS NULL OR has_schema_privilege(n.oid, 'USAGE') AS may_use,
       current_user AS role
FROM (SELECT 1) AS one
LEFT JOIN pg_namespace AS n ON n.nspname = $1;

-- name: migration_create_schema
CREATE SCHEMA IF NOT EXISTS {schema};

-- name: migration_create_table
CREATE TABLE IF NOT EXISTS {schema}.schema_migrations (
    version    integer PRIMARY KEY,
    name       text        NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
);

-- name: migration_applied
SELECT version FROM {schema}.schema_migrations ORDER BY version;

-- name: migration_record
INSERT INTO schema_migrations (version, name) VALUES ($1, $2);

-- name: migration_search_path
SET search_path TO {schema};
