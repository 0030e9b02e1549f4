-- Letters (one per submission) and deliveries (one per letter and office),
-- with the outbox state of CWC deliveries. Timestamps are UTC text in the
-- fixed-width form 2006-01-02T15:04:05.000Z so that they compare as text.

CREATE TABLE letters (
    id               INTEGER PRIMARY KEY,
    -- Unguessable token in the status URL (128 random bits, base64url).
    public_id        TEXT NOT NULL UNIQUE,
    -- Idempotency key of the form that sent it; NULL when the client sent none.
    form_token       TEXT UNIQUE,
    campaign_id      INTEGER NOT NULL REFERENCES campaigns(id),
    state            TEXT NOT NULL CHECK (length(state) = 2),
    district         INTEGER NOT NULL CHECK (district >= 0),
    settled_by       TEXT NOT NULL CHECK (settled_by IN ('zip', 'location')),
    prefix           TEXT NOT NULL,
    first_name       TEXT NOT NULL,
    last_name        TEXT NOT NULL,
    address1         TEXT NOT NULL,
    address2         TEXT NOT NULL DEFAULT '',
    city             TEXT NOT NULL,
    zip              TEXT NOT NULL,
    email            TEXT NOT NULL,
    -- Lower-cased email, to recognise the same sender.
    email_norm       TEXT NOT NULL,
    phone            TEXT NOT NULL DEFAULT '',
    title            TEXT NOT NULL DEFAULT '',
    organization     TEXT NOT NULL DEFAULT '',
    -- The constituent's own words (CWC ConstituentMessage); the template
    -- text, which differs per recipient, is on each delivery.
    personal_message TEXT NOT NULL DEFAULT '',
    -- Library of Congress policy area for CWC; '' means the worker's default.
    topic            TEXT NOT NULL DEFAULT '',
    consent_at       TEXT NOT NULL,
    receipt          INTEGER NOT NULL DEFAULT 0 CHECK (receipt IN (0, 1)),
    newsletter       INTEGER NOT NULL DEFAULT 0 CHECK (newsletter IN (0, 1)),
    -- Partner or source code the letter came through.
    ref              TEXT,
    status           TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'held', 'rejected')),
    created_at       TEXT NOT NULL
) STRICT;

CREATE INDEX letters_campaign_created ON letters (campaign_id, created_at);
CREATE INDEX letters_created ON letters (created_at);
CREATE INDEX letters_campaign_district ON letters (campaign_id, state, district);
CREATE INDEX letters_state_district ON letters (state, district);
-- Dedupe: the same email in the same campaign within 30 days.
CREATE INDEX letters_email_campaign ON letters (email_norm, campaign_id, created_at);
CREATE INDEX letters_ref ON letters (ref) WHERE ref IS NOT NULL;
CREATE INDEX letters_status ON letters (status) WHERE status <> 'active';

CREATE TABLE deliveries (
    id              INTEGER PRIMARY KEY,
    letter_id       INTEGER NOT NULL REFERENCES letters(id) ON DELETE CASCADE,
    bioguide_id     TEXT NOT NULL,
    -- CWC MemberOffice, e.g. HNY12, SNY01.
    office_code     TEXT NOT NULL,
    chamber         TEXT NOT NULL CHECK (chamber IN ('house', 'senate')),
    channel         TEXT NOT NULL CHECK (channel IN ('cwc', 'assisted', 'contact_form', 'print', 'phone')),
    status          TEXT NOT NULL DEFAULT 'queued'
                    CHECK (status IN ('queued', 'sent', 'delivered', 'failed', 'confirmed_by_user')),
    -- CWC DeliveryId: 32 alphanumeric characters, unique per message.
    delivery_id     TEXT NOT NULL UNIQUE CHECK (length(delivery_id) = 32),
    subject         TEXT NOT NULL,
    -- The campaign template rendered for this recipient (CWC OrganizationStatement).
    template_text   TEXT NOT NULL,
    bill_congress   INTEGER,
    bill_type       TEXT,
    bill_number     INTEGER,
    attempts        INTEGER NOT NULL DEFAULT 0,
    -- Outbox: due time of the next CWC attempt, and the lease of the worker
    -- that claimed it (NULL when not claimed).
    next_attempt_at TEXT,
    locked_until    TEXT,
    last_error      TEXT NOT NULL DEFAULT '',
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    sent_at         TEXT,
    confirmed_at    TEXT,
    UNIQUE (letter_id, bioguide_id)
) STRICT;

-- The UNIQUE constraint above indexes letter_id (and serves the dedupe join).
CREATE INDEX deliveries_due ON deliveries (status, next_attempt_at);
CREATE INDEX deliveries_bioguide ON deliveries (bioguide_id);
CREATE INDEX deliveries_office ON deliveries (office_code);
