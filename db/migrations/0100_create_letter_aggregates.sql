-- Counts kept, not recounted. Public answers and organizer pages read these
-- aggregates instead of counting letters, so that their cost does not grow
-- with the number of letters.
--
-- Every aggregate is kept by triggers on letters and deliveries, in the same
-- transaction as the change, whatever code path makes it (a new letter,
-- moderation, confirmation, erasure, deletion, a delivery's status). The
-- triggers only say which change happened; what a letter or a delivery
-- contributes is written once, in the INSTEAD OF triggers of the two views
-- agg_letter_change and agg_delivery_change. A change is applied as "take
-- the old row's contribution away, add the new row's": a new status or a new
-- path needs no new counting code. `whipcount stats check` compares every
-- table with a full recount, and `whipcount stats rebuild` recomputes them.
--
-- ref is a letter's partner or source code; '*' (which no source code can
-- be) is the row for every letter, so that both the whole campaign and one
-- partner's share read a bounded number of rows. A letter with a source code
-- adds to both. Every table but agg_letters counts only active letters
-- (status 'active': not held, rejected or awaiting confirmation), and only
-- the deliveries of active letters.

-- Letters per campaign, source and status.
CREATE TABLE agg_letters (
    campaign_id INTEGER NOT NULL,
    ref         TEXT NOT NULL,
    status      TEXT NOT NULL,
    n           INTEGER NOT NULL,
    PRIMARY KEY (campaign_id, ref, status)
) STRICT, WITHOUT ROWID;

-- Active letters per UTC hour ('2006-01-02T15'): days, windows, last 24 hours.
CREATE TABLE agg_letter_hours (
    campaign_id INTEGER NOT NULL,
    ref         TEXT NOT NULL,
    hour        TEXT NOT NULL CHECK (length(hour) = 13),
    n           INTEGER NOT NULL,
    PRIMARY KEY (campaign_id, ref, hour)
) STRICT, WITHOUT ROWID;

-- Active letters per writer's House district (state totals are their sums).
CREATE TABLE agg_letter_districts (
    campaign_id INTEGER NOT NULL,
    ref         TEXT NOT NULL,
    state       TEXT NOT NULL,
    district    INTEGER NOT NULL,
    n           INTEGER NOT NULL,
    PRIMARY KEY (campaign_id, ref, state, district)
) STRICT, WITHOUT ROWID;

-- Deliveries of active letters per chamber, channel and status.
CREATE TABLE agg_deliveries (
    campaign_id INTEGER NOT NULL,
    ref         TEXT NOT NULL,
    chamber     TEXT NOT NULL,
    channel     TEXT NOT NULL,
    status      TEXT NOT NULL,
    n           INTEGER NOT NULL,
    PRIMARY KEY (campaign_id, ref, chamber, channel, status)
) STRICT, WITHOUT ROWID;

-- Active letters per member's office, with the first and last one's time.
CREATE TABLE agg_offices (
    campaign_id INTEGER NOT NULL,
    ref         TEXT NOT NULL,
    bioguide_id TEXT NOT NULL,
    n           INTEGER NOT NULL,
    first_at    TEXT NOT NULL,
    last_at     TEXT NOT NULL,
    PRIMARY KEY (campaign_id, ref, bioguide_id)
) STRICT, WITHOUT ROWID;

-- Active letters per office and UTC day ('2006-01-02'): the evidence
-- packet's weeks, and letters an office got before its member cosponsored.
CREATE TABLE agg_office_days (
    campaign_id INTEGER NOT NULL,
    ref         TEXT NOT NULL,
    bioguide_id TEXT NOT NULL,
    day         TEXT NOT NULL CHECK (length(day) = 10),
    n           INTEGER NOT NULL,
    PRIMARY KEY (campaign_id, ref, bioguide_id, day)
) STRICT, WITHOUT ROWID;

-- The organisations that wrote to an office, grouped without regard to case
-- and spacing (org_key is the name lower-cased, trimmed, with runs of spaces
-- made one), with the job titles and towns given
-- (kind 'title' or 'city'). They hold what senders typed, so a row goes
-- when its count reaches zero: an erased letter leaves nothing behind.
CREATE TABLE agg_office_orgs (
    campaign_id INTEGER NOT NULL,
    bioguide_id TEXT NOT NULL,
    org_key     TEXT NOT NULL,
    name        TEXT NOT NULL,
    n           INTEGER NOT NULL,
    PRIMARY KEY (campaign_id, bioguide_id, org_key)
) STRICT, WITHOUT ROWID;

CREATE TABLE agg_office_org_facts (
    campaign_id INTEGER NOT NULL,
    bioguide_id TEXT NOT NULL,
    org_key     TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('title', 'city')),
    value       TEXT NOT NULL,
    n           INTEGER NOT NULL,
    PRIMARY KEY (campaign_id, bioguide_id, org_key, kind, value)
) STRICT, WITHOUT ROWID;

-- What one letter contributes (sign +1) or stops contributing (sign -1):
-- its letter-level counts and, through agg_delivery_change, those of each
-- of its deliveries. scope is 'all', or 'orgs' when only what the sender
-- typed about their organisation changed (erasure), which leaves every
-- count alone. Nothing is stored in the view; inserting into it runs the
-- trigger below.
CREATE VIEW agg_letter_change (sign, scope, letter_id, campaign_id, ref, status, state, district,
    created_at, organization, title, city) AS
    SELECT 0, '', 0, 0, '', '', '', 0, '', '', '', '' WHERE 0;

-- What one delivery of an active letter contributes (sign +1) or stops
-- contributing (sign -1), with its letter's fields. scope is 'all'; 'tally'
-- when only its status, channel or chamber changed, which leaves the
-- per-office tables alone; 'orgs' for the organisation tables only.
CREATE VIEW agg_delivery_change (sign, scope, letter_id, bioguide_id, chamber, channel, status,
    campaign_id, ref, created_at, organization, title, city) AS
    SELECT 0, 0, 0, '', '', '', '', 0, '', '', '', '', '' WHERE 0;

-- Counts move by NEW.sign in one statement each, whichever way. A count
-- that falls to zero keeps its row (readers skip zeros), except where a row
-- holds more than a number: the offices' first and last letter, and what
-- senders typed about their organisation. Those have a trigger to add and
-- one to take away, and only the ones whose WHEN holds run: a new letter
-- runs three statements, and each of its deliveries three.
CREATE TRIGGER agg_letter_change_apply INSTEAD OF INSERT ON agg_letter_change WHEN NEW.scope = 'all' BEGIN
    INSERT INTO agg_letters (campaign_id, ref, status, n)
        SELECT NEW.campaign_id, r.ref, NEW.status, NEW.sign
        FROM (SELECT '*' AS ref UNION ALL SELECT NEW.ref WHERE NEW.ref IS NOT NULL) r WHERE true
        ON CONFLICT DO UPDATE SET n = n + excluded.n;
    INSERT INTO agg_letter_hours (campaign_id, ref, hour, n)
        SELECT NEW.campaign_id, r.ref, substr(NEW.created_at, 1, 13), NEW.sign
        FROM (SELECT '*' AS ref UNION ALL SELECT NEW.ref WHERE NEW.ref IS NOT NULL) r
        WHERE NEW.status = 'active'
        ON CONFLICT DO UPDATE SET n = n + excluded.n;
    INSERT INTO agg_letter_districts (campaign_id, ref, state, district, n)
        SELECT NEW.campaign_id, r.ref, NEW.state, NEW.district, NEW.sign
        FROM (SELECT '*' AS ref UNION ALL SELECT NEW.ref WHERE NEW.ref IS NOT NULL) r
        WHERE NEW.status = 'active'
        ON CONFLICT DO UPDATE SET n = n + excluded.n;
END;

-- Each delivery of an active letter, for every change of the letter but a
-- new one (which has no deliveries yet).
CREATE TRIGGER agg_letter_change_deliveries INSTEAD OF INSERT ON agg_letter_change
    WHEN NEW.status = 'active' AND EXISTS (SELECT 1 FROM deliveries WHERE letter_id = NEW.letter_id)
BEGIN
    INSERT INTO agg_delivery_change (sign, scope, letter_id, bioguide_id, chamber, channel, status,
            campaign_id, ref, created_at, organization, title, city)
        SELECT NEW.sign, NEW.scope, d.letter_id, d.bioguide_id, d.chamber, d.channel, d.status,
            NEW.campaign_id, NEW.ref, NEW.created_at, NEW.organization, NEW.title, NEW.city
        FROM deliveries d WHERE d.letter_id = NEW.letter_id;
END;

CREATE TRIGGER agg_delivery_change_apply INSTEAD OF INSERT ON agg_delivery_change WHEN NEW.scope <> 'orgs' BEGIN
    INSERT INTO agg_deliveries (campaign_id, ref, chamber, channel, status, n)
        SELECT NEW.campaign_id, r.ref, NEW.chamber, NEW.channel, NEW.status, NEW.sign
        FROM (SELECT '*' AS ref UNION ALL SELECT NEW.ref WHERE NEW.ref IS NOT NULL) r WHERE true
        ON CONFLICT DO UPDATE SET n = n + excluded.n;
    INSERT INTO agg_office_days (campaign_id, ref, bioguide_id, day, n)
        SELECT NEW.campaign_id, r.ref, NEW.bioguide_id, substr(NEW.created_at, 1, 10), NEW.sign
        FROM (SELECT '*' AS ref UNION ALL SELECT NEW.ref WHERE NEW.ref IS NOT NULL) r
        WHERE NEW.scope = 'all'
        ON CONFLICT DO UPDATE SET n = n + excluded.n;
END;

CREATE TRIGGER agg_delivery_change_add_office INSTEAD OF INSERT ON agg_delivery_change
    WHEN NEW.scope = 'all' AND NEW.sign > 0
BEGIN
    INSERT INTO agg_offices (campaign_id, ref, bioguide_id, n, first_at, last_at)
        SELECT NEW.campaign_id, r.ref, NEW.bioguide_id, NEW.sign, NEW.created_at, NEW.created_at
        FROM (SELECT '*' AS ref UNION ALL SELECT NEW.ref WHERE NEW.ref IS NOT NULL) r WHERE true
        ON CONFLICT DO UPDATE SET n = n + excluded.n,
            first_at = min(first_at, excluded.first_at), last_at = max(last_at, excluded.last_at);
END;

-- A letter that stops counting may have been an office's first or last:
-- only then are the office's remaining letters looked at (this never
-- happens on the path of a new letter).
CREATE TRIGGER agg_delivery_change_remove_office INSTEAD OF INSERT ON agg_delivery_change
    WHEN NEW.scope = 'all' AND NEW.sign < 0
BEGIN
    UPDATE agg_offices SET n = n + NEW.sign
        WHERE campaign_id = NEW.campaign_id AND ref IN ('*', NEW.ref) AND bioguide_id = NEW.bioguide_id;
    DELETE FROM agg_offices WHERE n = 0
        AND campaign_id = NEW.campaign_id AND ref IN ('*', NEW.ref) AND bioguide_id = NEW.bioguide_id;
    UPDATE agg_offices SET
        first_at = (SELECT min(l.created_at) FROM deliveries d JOIN letters l ON l.id = d.letter_id
            WHERE d.bioguide_id = agg_offices.bioguide_id AND d.letter_id <> NEW.letter_id
              AND l.campaign_id = agg_offices.campaign_id AND l.status = 'active'
              AND (agg_offices.ref = '*' OR l.ref = agg_offices.ref)),
        last_at = (SELECT max(l.created_at) FROM deliveries d JOIN letters l ON l.id = d.letter_id
            WHERE d.bioguide_id = agg_offices.bioguide_id AND d.letter_id <> NEW.letter_id
              AND l.campaign_id = agg_offices.campaign_id AND l.status = 'active'
              AND (agg_offices.ref = '*' OR l.ref = agg_offices.ref))
        WHERE campaign_id = NEW.campaign_id AND ref IN ('*', NEW.ref) AND bioguide_id = NEW.bioguide_id
          AND (first_at = NEW.created_at OR last_at = NEW.created_at);
END;

CREATE TRIGGER agg_delivery_change_add_orgs INSTEAD OF INSERT ON agg_delivery_change
    WHEN NEW.scope <> 'tally' AND NEW.sign > 0 AND NEW.organization <> ''
BEGIN
    INSERT INTO agg_office_orgs (campaign_id, bioguide_id, org_key, name, n)
        VALUES (NEW.campaign_id, NEW.bioguide_id, lower(trim(replace(replace(replace(NEW.organization, '  ', ' '), '  ', ' '), '  ', ' '))), NEW.organization, 1)
        ON CONFLICT DO UPDATE SET n = n + 1;
    INSERT INTO agg_office_org_facts (campaign_id, bioguide_id, org_key, kind, value, n)
        SELECT NEW.campaign_id, NEW.bioguide_id, lower(trim(replace(replace(replace(NEW.organization, '  ', ' '), '  ', ' '), '  ', ' '))), f.kind, f.value, 1
        FROM (SELECT 'title' AS kind, NEW.title AS value UNION ALL SELECT 'city', NEW.city) f
        WHERE f.value <> ''
        ON CONFLICT DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER agg_delivery_change_remove_orgs INSTEAD OF INSERT ON agg_delivery_change
    WHEN NEW.scope <> 'tally' AND NEW.sign < 0 AND NEW.organization <> ''
BEGIN
    UPDATE agg_office_orgs SET n = n - 1
        WHERE campaign_id = NEW.campaign_id AND bioguide_id = NEW.bioguide_id AND org_key = lower(trim(replace(replace(replace(NEW.organization, '  ', ' '), '  ', ' '), '  ', ' ')));
    UPDATE agg_office_org_facts SET n = n - 1
        WHERE campaign_id = NEW.campaign_id AND bioguide_id = NEW.bioguide_id AND org_key = lower(trim(replace(replace(replace(NEW.organization, '  ', ' '), '  ', ' '), '  ', ' ')))
          AND ((kind = 'title' AND value = NEW.title) OR (kind = 'city' AND value = NEW.city));
    DELETE FROM agg_office_orgs WHERE n = 0
        AND campaign_id = NEW.campaign_id AND bioguide_id = NEW.bioguide_id AND org_key = lower(trim(replace(replace(replace(NEW.organization, '  ', ' '), '  ', ' '), '  ', ' ')));
    DELETE FROM agg_office_org_facts WHERE n = 0
        AND campaign_id = NEW.campaign_id AND bioguide_id = NEW.bioguide_id AND org_key = lower(trim(replace(replace(replace(NEW.organization, '  ', ' '), '  ', ' '), '  ', ' ')));
END;

-- The changes. Letters: a new one adds; a change of anything counted takes
-- the old row away and adds the new; a deleted one is taken away before it
-- goes, while its deliveries are still there.
CREATE TRIGGER agg_letters_insert AFTER INSERT ON letters BEGIN
    INSERT INTO agg_letter_change VALUES (1, 'all', NEW.id, NEW.campaign_id, NEW.ref, NEW.status, NEW.state,
        NEW.district, NEW.created_at, NEW.organization, NEW.title, NEW.city);
END;

CREATE TRIGGER agg_letters_update AFTER UPDATE OF campaign_id, ref, status, state, district, created_at,
        organization, title, city ON letters
    WHEN OLD.campaign_id IS NOT NEW.campaign_id OR OLD.ref IS NOT NEW.ref OR OLD.status IS NOT NEW.status
      OR OLD.state IS NOT NEW.state OR OLD.district IS NOT NEW.district OR OLD.created_at IS NOT NEW.created_at
BEGIN
    INSERT INTO agg_letter_change VALUES (-1, 'all', OLD.id, OLD.campaign_id, OLD.ref, OLD.status, OLD.state,
        OLD.district, OLD.created_at, OLD.organization, OLD.title, OLD.city);
    INSERT INTO agg_letter_change VALUES (1, 'all', NEW.id, NEW.campaign_id, NEW.ref, NEW.status, NEW.state,
        NEW.district, NEW.created_at, NEW.organization, NEW.title, NEW.city);
END;

-- Erasure blanks the organisation, title and town and nothing counted.
CREATE TRIGGER agg_letters_update_orgs AFTER UPDATE OF organization, title, city ON letters
    WHEN (OLD.organization IS NOT NEW.organization OR OLD.title IS NOT NEW.title OR OLD.city IS NOT NEW.city)
      AND OLD.campaign_id IS NEW.campaign_id AND OLD.ref IS NEW.ref AND OLD.status IS NEW.status
      AND OLD.state IS NEW.state AND OLD.district IS NEW.district AND OLD.created_at IS NEW.created_at
BEGIN
    INSERT INTO agg_letter_change VALUES (-1, 'orgs', OLD.id, OLD.campaign_id, OLD.ref, OLD.status, OLD.state,
        OLD.district, OLD.created_at, OLD.organization, OLD.title, OLD.city);
    INSERT INTO agg_letter_change VALUES (1, 'orgs', NEW.id, NEW.campaign_id, NEW.ref, NEW.status, NEW.state,
        NEW.district, NEW.created_at, NEW.organization, NEW.title, NEW.city);
END;

CREATE TRIGGER agg_letters_delete BEFORE DELETE ON letters BEGIN
    INSERT INTO agg_letter_change VALUES (-1, 'all', OLD.id, OLD.campaign_id, OLD.ref, OLD.status, OLD.state,
        OLD.district, OLD.created_at, OLD.organization, OLD.title, OLD.city);
END;

-- Deliveries count only while their letter is active. A delivery deleted
-- with its letter was taken away by agg_letters_delete already (the letter
-- is gone by the time the cascade deletes it).
CREATE TRIGGER agg_deliveries_insert AFTER INSERT ON deliveries BEGIN
    INSERT INTO agg_delivery_change
        SELECT 1, 'all', NEW.letter_id, NEW.bioguide_id, NEW.chamber, NEW.channel, NEW.status,
            l.campaign_id, l.ref, l.created_at, l.organization, l.title, l.city
        FROM letters l WHERE l.id = NEW.letter_id AND l.status = 'active';
END;

CREATE TRIGGER agg_deliveries_update AFTER UPDATE OF letter_id, bioguide_id, chamber, channel, status ON deliveries
    WHEN OLD.letter_id IS NOT NEW.letter_id OR OLD.bioguide_id IS NOT NEW.bioguide_id
      OR OLD.chamber IS NOT NEW.chamber OR OLD.channel IS NOT NEW.channel OR OLD.status IS NOT NEW.status
BEGIN
    INSERT INTO agg_delivery_change
        SELECT -1, CASE WHEN OLD.letter_id IS NOT NEW.letter_id OR OLD.bioguide_id IS NOT NEW.bioguide_id
                THEN 'all' ELSE 'tally' END,
            OLD.letter_id, OLD.bioguide_id, OLD.chamber, OLD.channel, OLD.status,
            l.campaign_id, l.ref, l.created_at, l.organization, l.title, l.city
        FROM letters l WHERE l.id = OLD.letter_id AND l.status = 'active';
    INSERT INTO agg_delivery_change
        SELECT 1, CASE WHEN OLD.letter_id IS NOT NEW.letter_id OR OLD.bioguide_id IS NOT NEW.bioguide_id
                THEN 'all' ELSE 'tally' END,
            NEW.letter_id, NEW.bioguide_id, NEW.chamber, NEW.channel, NEW.status,
            l.campaign_id, l.ref, l.created_at, l.organization, l.title, l.city
        FROM letters l WHERE l.id = NEW.letter_id AND l.status = 'active';
END;

CREATE TRIGGER agg_deliveries_delete AFTER DELETE ON deliveries BEGIN
    INSERT INTO agg_delivery_change
        SELECT -1, 'all', OLD.letter_id, OLD.bioguide_id, OLD.chamber, OLD.channel, OLD.status,
            l.campaign_id, l.ref, l.created_at, l.organization, l.title, l.city
        FROM letters l WHERE l.id = OLD.letter_id AND l.status = 'active';
END;

-- The letters already written count from now on, through the same triggers.
INSERT INTO agg_letter_change
    SELECT 1, 'all', id, campaign_id, ref, status, state, district, created_at, organization, title, city
    FROM letters ORDER BY id;
