-- Many campaigns. A bill is a fact of Congress, so it becomes its own row,
-- shared by every campaign that asks about it; what a campaign wants of a
-- bill (its position, what its progress counts, its target, its place on
-- the page, and the newer bill that carries its asks after it died with its
-- Congress) moves to campaign_bills. Cosponsors stay with the bill.
--
-- Migrations run with foreign keys on and inside a transaction, where
-- foreign keys cannot be turned off. The tables are therefore rebuilt
-- children first: the new cosponsors and campaign_bills tables point at the
-- new bills table before the old tables are dropped, so no drop cascades,
-- and renaming bills_new to bills rewrites their references to follow.

CREATE TABLE bills_new (
    -- id is the bill's stable public name: type, number and Congress, like 'hr5917-119'.
    id               TEXT PRIMARY KEY CHECK (id = bill_type || number || '-' || congress),
    chamber          TEXT NOT NULL CHECK (chamber IN ('house', 'senate')),
    congress         INTEGER NOT NULL CHECK (congress > 0),
    -- Congress.gov's lowercase bill types: bills, joint, concurrent and simple resolutions.
    bill_type        TEXT NOT NULL CHECK (bill_type IN ('hr', 's', 'hjres', 'sjres', 'hconres', 'sconres', 'hres', 'sres')),
    number           INTEGER NOT NULL CHECK (number > 0),
    -- '' until an organizer or a sync records it.
    title            TEXT NOT NULL,
    sponsor_bioguide TEXT NOT NULL,
    introduced_on    TEXT,
    committees       TEXT NOT NULL DEFAULT '',
    status           TEXT NOT NULL DEFAULT '',
    -- cosponsors_as_of is when the cosponsor list was last known to be
    -- complete; NULL when it never was.
    cosponsors_as_of TEXT,
    UNIQUE (congress, bill_type, number),
    CHECK ((chamber = 'house') = (bill_type IN ('hr', 'hjres', 'hconres', 'hres')))
) STRICT;

INSERT INTO bills_new (id, chamber, congress, bill_type, number, title, sponsor_bioguide, introduced_on,
    committees, status, cosponsors_as_of)
SELECT id, chamber, congress, bill_type, number, title, sponsor_bioguide, introduced_on,
    committees, status, cosponsors_as_of
FROM bills;

CREATE TABLE cosponsors_new (
    bill_id      TEXT NOT NULL REFERENCES bills_new (id) ON DELETE CASCADE,
    bioguide     TEXT NOT NULL,
    joined_on    TEXT NOT NULL,
    original     INTEGER NOT NULL DEFAULT 0 CHECK (original IN (0, 1)),
    withdrawn_on TEXT,
    PRIMARY KEY (bill_id, bioguide),
    CHECK (withdrawn_on IS NULL OR withdrawn_on >= joined_on)
) STRICT, WITHOUT ROWID;

INSERT INTO cosponsors_new (bill_id, bioguide, joined_on, original, withdrawn_on)
SELECT bill_id, bioguide, joined_on, original, withdrawn_on FROM cosponsors;

CREATE TABLE campaign_bills (
    campaign_id  INTEGER NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    bill_id      TEXT NOT NULL REFERENCES bills_new (id),
    -- Display order within the campaign.
    sort_order   INTEGER NOT NULL DEFAULT 0,
    -- 'support': ask members to cosponsor; 'oppose': ask them not to, or to withdraw.
    position     TEXT NOT NULL CHECK (position IN ('support', 'oppose')),
    -- What progress counts: active cosponsors (support), or for an oppose
    -- bill the members not cosponsoring or the withdrawals.
    goal         TEXT NOT NULL CHECK (goal IN ('cosponsors', 'not_cosponsoring', 'withdrawals')),
    target       INTEGER NOT NULL CHECK (target >= 0),
    -- The bill that took this one's place in the campaign (a reintroduction
    -- in a later Congress); NULL while this bill is the campaign's own.
    succeeded_by TEXT REFERENCES bills_new (id),
    added_at     TEXT NOT NULL,
    PRIMARY KEY (campaign_id, bill_id),
    CHECK ((position = 'support') = (goal = 'cosponsors')),
    CHECK (succeeded_by IS NULL OR succeeded_by <> bill_id)
) STRICT, WITHOUT ROWID;

INSERT INTO campaign_bills (campaign_id, bill_id, sort_order, position, goal, target, added_at)
SELECT b.campaign_id, b.id, b.position, 'support', 'cosponsors', b.target, c.created_at
FROM bills b JOIN campaigns c ON c.id = b.campaign_id;

DROP TABLE cosponsors;
DROP TABLE bills;
ALTER TABLE bills_new RENAME TO bills;
ALTER TABLE cosponsors_new RENAME TO cosponsors;

CREATE INDEX bills_sponsor ON bills (sponsor_bioguide);
CREATE INDEX bills_congress ON bills (congress);
CREATE INDEX cosponsors_bioguide ON cosponsors (bioguide);
CREATE INDEX cosponsors_bill_withdrawn ON cosponsors (bill_id, withdrawn_on);
CREATE INDEX campaign_bills_bill ON campaign_bills (bill_id);
CREATE INDEX campaign_bills_order ON campaign_bills (campaign_id, sort_order);
CREATE INDEX campaign_bills_succeeded_by ON campaign_bills (succeeded_by) WHERE succeeded_by IS NOT NULL;

-- Letter templates for both positions: ask, thank and withdrew for a bill
-- the campaign supports; oppose (do not cosponsor), urge_withdraw (to the
-- sponsor and cosponsors) and thank_withdrawal for a bill it opposes.
CREATE TABLE letter_templates_new (
    campaign_id INTEGER NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    kind        TEXT NOT NULL CHECK (kind IN ('ask', 'thank', 'withdrew', 'oppose', 'urge_withdraw', 'thank_withdrawal')),
    subject     TEXT NOT NULL CHECK (subject <> ''),
    body        TEXT NOT NULL CHECK (body <> ''),
    updated_at  TEXT NOT NULL,
    PRIMARY KEY (campaign_id, kind)
) STRICT, WITHOUT ROWID;

INSERT INTO letter_templates_new (campaign_id, kind, subject, body, updated_at)
SELECT campaign_id, kind, subject, body, updated_at FROM letter_templates;
DROP TABLE letter_templates;
ALTER TABLE letter_templates_new RENAME TO letter_templates;

-- What each letter said about its bill, for CWC's ProOrCon: a letter keeps
-- its position even if the campaign's changes later.
ALTER TABLE deliveries ADD COLUMN position TEXT NOT NULL DEFAULT 'support' CHECK (position IN ('support', 'oppose'));
