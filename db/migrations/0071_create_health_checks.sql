-- /healthz proves that the database accepts writes by writing this one
-- row, with room for a few pages that it then frees again: a held write
-- lock, read-only files or a full disk show as a failure.
CREATE TABLE health_checks (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    checked_at TEXT NOT NULL,
    room       BLOB
) STRICT;
