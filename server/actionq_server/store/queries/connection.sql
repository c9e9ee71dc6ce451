-- Queries about the connection itself rather than the queue's tables.

-- name: database_now
SELECT now();

-- name: connection_probe
SELECT 1;

-- name: database_clock
SELECT clock_timestamp();
