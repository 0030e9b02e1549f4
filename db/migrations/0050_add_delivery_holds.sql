-- Electronic delivery that waits for the operator. A delivery is 'held' when
-- CWC refused the API key or this server's address (401/403), or the
-- endpoint is wrong (404): none of that is the letter's fault, so it is not
-- failed; it resumes when the operator fixes the setting and restarts, or
-- re-sends it. queued_at starts the time budget of retries after outages:
-- it is set when a delivery is queued and again when it is re-sent.
--
-- SQLite cannot change a CHECK constraint in place, so the table is rebuilt
-- with the same columns, constraints and indexes, plus queued_at.

CREATE TABLE deliveries_new (
    id              INTEGER PRIMARY KEY,
    letter_id       INTEGER NOT NULL REFERENCES letters(id) ON DELETE CASCADE,
    bioguide_id     TEXT NOT NULL,
    -- CWC MemberOffice, e.g. HNY12, SNY03; '' when none is known.
    office_code     TEXT NOT NULL,
    chamber         TEXT NOT NULL CHECK (chamber IN ('house', 'senate')),
    channel         TEXT NOT NULL CHECK (channel IN ('cwc', 'assisted', 'contact_form', 'print', 'phone')),
    status          TEXT NOT NULL DEFAULT 'queued'
                    CHECK (status IN ('queued', 'held', 'sent', 'delivered', 'failed', 'confirmed_by_user')),
    delivery_id     TEXT NOT NULL UNIQUE CHECK (length(delivery_id) = 32),
    subject         TEXT NOT NULL,
    template_text   TEXT NOT NULL,
    bill_congress   INTEGER,
    bill_type       TEXT,
    bill_number     INTEGER,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT,
    locked_until    TEXT,
    last_error      TEXT NOT NULL DEFAULT '',
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    sent_at         TEXT,
    confirmed_at    TEXT,
    queued_at       TEXT,
    UNIQUE (letter_id, bioguide_id)
) STRICT;

INSERT INTO deliveries_new (id, letter_id, bioguide_id, office_code, chamber, channel, status, delivery_id,
    subject, template_text, bill_congress, bill_type, bill_number, attempts, next_attempt_at, locked_until,
    last_error, created_at, updated_at, sent_at, confirmed_at, queued_at)
SELECT id, letter_id, bioguide_id, office_code, chamber, channel, status, delivery_id,
    subject, template_text, bill_congress, bill_type, bill_number, attempts, next_attempt_at, locked_until,
    last_error, created_at, updated_at, sent_at, confirmed_at, created_at
FROM deliveries;

DROP TABLE deliveries;
ALTER TABLE deliveries_new RENAME TO deliveries;

CREATE INDEX deliveries_due ON deliveries (status, next_attempt_at);
CREATE INDEX deliveries_bioguide ON deliveries (bioguide_id);
CREATE INDEX deliveries_office ON deliveries (office_code);
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
