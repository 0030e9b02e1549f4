-- What Congress.gov says about each bill besides its cosponsors, and the
-- outcome of each sync of a bill from the Congress.gov API.

-- A bill's latest action and the committees it was referred to, as last
-- fetched; one row per bill that was ever synced.
CREATE TABLE bill_activity (
    bill_id            TEXT PRIMARY KEY REFERENCES bills (id) ON DELETE CASCADE,
    -- 'YYYY-MM-DD'; NULL when Congress.gov gave none.
    latest_action_on   TEXT,
    latest_action_text TEXT NOT NULL DEFAULT '',
    -- JSON array of {"name": "Finance Committee", "chamber": "Senate"}.
    committees         TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(committees) AND json_type(committees) = 'array'),
    fetched_at         TEXT NOT NULL
) STRICT, WITHOUT ROWID;

-- One row per sync of one bill: what it changed, or why it failed (then
-- nothing changed). The dashboard shows the latest of each bill.
CREATE TABLE cosponsor_syncs (
    id          INTEGER PRIMARY KEY,
    bill_id     TEXT NOT NULL,
    started_at  TEXT NOT NULL,
    finished_at TEXT NOT NULL,
    ok          INTEGER NOT NULL CHECK (ok IN (0, 1)),
    requests    INTEGER NOT NULL DEFAULT 0,
    pages       INTEGER NOT NULL DEFAULT 0,
    in_list     INTEGER NOT NULL DEFAULT 0,
    added       INTEGER NOT NULL DEFAULT 0,
    withdrawn   INTEGER NOT NULL DEFAULT 0,
    changed     INTEGER NOT NULL DEFAULT 0,
    removed     INTEGER NOT NULL DEFAULT 0,
    error       TEXT NOT NULL DEFAULT ''
) STRICT;

CREATE INDEX cosponsor_syncs_bill ON cosponsor_syncs (bill_id, id);
