-- The server's own role (least privilege, README "PostgreSQL roles"): it logs
-- in and gets its grants from `actionq-server grant actionq_app`, run by the
-- owner (compose's `migrate` service). Runs once, when the data volume is new.
CREATE ROLE actionq_app LOGIN PASSWORD 'actionq_app' NOSUPERUSER NOCREATEDB NOCREATEROLE;
