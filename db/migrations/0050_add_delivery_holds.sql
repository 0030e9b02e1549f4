-- Electronic delivery that waits for the operator. A delivery is 'held' when
-- CWC refused the API key or this server's address (401/403), or the
-- endpoint is wrong (404): none of that is the letter's fault, so it is not
-- failed; it resumes when the operator fixes the setting and restarts, or
-- re-sends it. queued_at starts the time budget of retries after outages:
-- it is set when a delivery is queued and again when it is re-sent.
--
-- The status CHECK gains 'held'. SQLite cannot alter a constraint, and a
-- rebuilt table would lose the columns and triggers later migrations add to
-- deliveries on databases that ran them first; so the constraint is widened
-- in place, the way SQLite documents for loosening a CHECK (the stored rows
-- already satisfy it). The ALTER TABLE that follows reloads the schema
-- everywhere.
PRAGMA writable_schema = ON;
UPDATE sqlite_schema
   SET sql = replace(sql, '''queued'', ''sent'', ''delivered''', '''queued'', ''held'', ''sent'', ''delivered''')
 WHERE type = 'table' AND name = 'deliveries' AND sql NOT LIKE '%''held''%';
PRAGMA writable_schema = RESET;

ALTER TABLE deliveries ADD COLUMN queued_at TEXT;
UPDATE deliveries SET queued_at = created_at;

-- Delivery health per chamber: what waits, what failed, when.
CREATE INDEX deliveries_cwc_state ON deliveries (chamber, status, created_at) WHERE channel = 'cwc';
CREATE INDEX deliveries_sent_at ON deliveries (chamber, sent_at) WHERE status = 'sent';

-- The state of electronic delivery per chamber: held (since when, and why),
-- the last error CWC gave, and the last message it accepted.
CREATE TABLE cwc_chambers (
    chamber       TEXT PRIMARY KEY CHECK (chamber IN ('house', 'senate')),
    held_since    TEXT,
    hold_reason   TEXT NOT NULL DEFAULT '',
    last_error    TEXT NOT NULL DEFAULT '',
    last_error_at TEXT,
    last_sent_at  TEXT
) STRICT;
INSERT INTO cwc_chambers (chamber) VALUES ('house'), ('senate');
