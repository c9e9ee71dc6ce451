"""PostgreSQL storage: named SQL, the repository, migrations and LISTEN/NOTIFY."""
