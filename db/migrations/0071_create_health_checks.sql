-- /healthz proves that the database accepts writes by writing this one
-- row: a held write lock, read-only files or a full disk show as a failure.
CREATE TABLE health_checks (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    checked_at TEXT NOT NULL
) STRICT;
