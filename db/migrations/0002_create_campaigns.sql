-- Campaigns, the bills each campaign asks members to cosponsor, the
-- cosponsors on record, and the campaign's talking points. Dates are
-- 'YYYY-MM-DD' text; timestamps are UTC RFC 3339 text.

CREATE TABLE campaigns (
    id              INTEGER PRIMARY KEY,
    slug            TEXT NOT NULL UNIQUE,
    title           TEXT NOT NULL,
    summary         TEXT NOT NULL DEFAULT '',
    ask             TEXT NOT NULL DEFAULT '',
    status          TEXT NOT NULL CHECK (status IN ('draft', 'active', 'closed')),
    starts_on       TEXT,
    ends_on         TEXT,
    cwc_campaign_id TEXT NOT NULL DEFAULT '',
    created_at      TEXT NOT NULL,
    -- why_json holds the short "why it matters" points as a JSON array of strings.
    why_json        TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(why_json) AND json_type(why_json) = 'array'),
    -- updated_at moves whenever the campaign, its bills, cosponsors or
    -- talking points change; pages use it as their Last-Modified time.
    updated_at      TEXT NOT NULL
) STRICT;

CREATE INDEX campaigns_status ON campaigns (status);

CREATE TABLE bills (
    -- id is the bill's stable public name: type, number and Congress, like 'hr5917-119'.
    id               TEXT PRIMARY KEY CHECK (id = bill_type || number || '-' || congress),
    campaign_id      INTEGER NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    position         INTEGER NOT NULL DEFAULT 0,
    chamber          TEXT NOT NULL CHECK (chamber IN ('house', 'senate')),
    congress         INTEGER NOT NULL CHECK (congress > 0),
    bill_type        TEXT NOT NULL CHECK (bill_type IN ('hr', 's')),
    number           INTEGER NOT NULL CHECK (number > 0),
    title            TEXT NOT NULL,
    sponsor_bioguide TEXT NOT NULL,
    introduced_on    TEXT,
    committees       TEXT NOT NULL DEFAULT '',
    status           TEXT NOT NULL DEFAULT '',
    -- target is how many cosponsors the campaign aims for.
    target           INTEGER NOT NULL CHECK (target >= 0),
    -- cosponsors_as_of is when the cosponsor list was last known to be
    -- complete; NULL when it never was.
    cosponsors_as_of TEXT,
    UNIQUE (congress, bill_type, number),
    CHECK ((chamber = 'house') = (bill_type = 'hr'))
) STRICT;

CREATE INDEX bills_campaign ON bills (campaign_id, position);
CREATE INDEX bills_sponsor ON bills (sponsor_bioguide);

CREATE TABLE cosponsors (
    bill_id      TEXT NOT NULL REFERENCES bills (id) ON DELETE CASCADE,
    bioguide     TEXT NOT NULL,
    joined_on    TEXT NOT NULL,
    original     INTEGER NOT NULL DEFAULT 0 CHECK (original IN (0, 1)),
    withdrawn_on TEXT,
    PRIMARY KEY (bill_id, bioguide),
    CHECK (withdrawn_on IS NULL OR withdrawn_on >= joined_on)
) STRICT, WITHOUT ROWID;

CREATE INDEX cosponsors_bioguide ON cosponsors (bioguide);
CREATE INDEX cosponsors_bill_withdrawn ON cosponsors (bill_id, withdrawn_on);

CREATE TABLE talking_points (
    id           INTEGER PRIMARY KEY,
    campaign_id  INTEGER NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    audience     TEXT NOT NULL CHECK (audience IN ('constituents', 'business', 'press')),
    position     INTEGER NOT NULL DEFAULT 0,
    title        TEXT NOT NULL,
    body_md      TEXT NOT NULL,
    -- sources is a JSON array of {"title": ..., "url": ...} objects.
    sources      TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(sources) AND json_type(sources) = 'array'),
    is_objection INTEGER NOT NULL DEFAULT 0 CHECK (is_objection IN (0, 1))
) STRICT;

CREATE INDEX talking_points_campaign ON talking_points (campaign_id, audience, position);
