-- name: token_insert
WITH made AS (
    INSERT INTO tokens (id, name, role, names, secret_hash, created_by, expires_at)
    VALUES ($1, $2, $3, $4, $5, $6,
            CASE WHEN $7::float8 IS NULL THEN NULL
                 ELSE now() + make_interval(secs => $7::float8) END)
    RETURNING *
), logged AS (
    INSERT INTO events (event_type, actor, payload)
    SELECT 'token_created', created_by,
           jsonb_build_object('id', id, 'name', name, 'role', role, 'expires_at', expires_at)
    FROM made
)
SELECT id, name, role, names, created_by, created_at, expires_at, revoked_at FROM made;

-- name: token_list
SELECT id, name, role, names, created_by, created_at, expires_at, revoked_at
FROM tokens ORDER BY created_at DESC, id;

-- name: token_revoke
-- Revoking twice keeps the first time (and logs once).
WITH revoked AS (
    UPDATE tokens SET revoked_at = now()
    WHERE id = $1 AND revoked_at IS NULL
    RETURNING *
), logged AS (
    INSERT INTO events (event_type, actor, payload)
    SELECT 'token_revoked', $2, jsonb_build_object('id', id, 'name', name)
    FROM revoked
)
SELECT id, name, role, names, created_by, created_at, expires_at, revoked_at
FROM tokens WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM revoked)
UNION ALL
SELECT id, name, role, names, created_by, created_at, expires_at, revoked_at FROM revoked;

-- name: token_check
-- What a call's bearer secret stands for, as of now (database time).
SELECT id, name, role, names, secret_hash,
       revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now()) AS valid
FROM tokens WHERE id = $1;

-- name: token_count_admins
SELECT count(*) FROM tokens
WHERE role = 'admin' AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now());
