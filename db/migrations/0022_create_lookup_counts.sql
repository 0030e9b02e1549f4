-- How many representative lookups were answered per UTC day and kind
-- ('zip', 'location', 'api', ...), for the lookup-to-letter conversion. The
-- server counts in memory and adds its counts here in batches.

CREATE TABLE lookup_counts (
    day  TEXT NOT NULL CHECK (length(day) = 10),
    kind TEXT NOT NULL CHECK (kind <> ''),
    n    INTEGER NOT NULL CHECK (n >= 0),
    PRIMARY KEY (day, kind)
) STRICT, WITHOUT ROWID;
