-- Small key/value facts about this installation (for example when reference
-- data was last loaded). Timestamps are UTC RFC 3339 text.
CREATE TABLE settings (
    key        TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;
