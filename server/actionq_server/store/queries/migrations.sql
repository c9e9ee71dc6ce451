-- Queries of the migration runner. The schema name is an identifier checked
-- at start and quoted by the runner before it is placed into these.

-- name: migration_lock
SELECT pg_advisory_lock(hashtext('actionq.migrate'), hashtext($1));

-- name: migration_unlock
SELECT pg_advisory_unlock(hashtext('actionq.migrate'), hashtext($1));

-- name: migration_applied
SELECT version FROM schema_migrations ORDER BY version;

-- name: migration_record
INSERT INTO schema_migrations (version, name) VALUES ($1, $2);

-- name: migration_bootstrap
CREATE SCHEMA IF NOT EXISTS {schema};
CREATE TABLE IF NOT EXISTS {schema}.schema_migrations (
    version    integer PRIMARY KEY,
    name       text        NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
);

-- name: migration_search_path
SET search_path TO {schema};
