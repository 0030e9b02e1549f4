-- A campaign's letter for each status of a member on their chamber's bill:
-- 'ask' (not yet a cosponsor), 'thank' (sponsor or cosponsor), 'withdrew'.
-- A missing kind falls back to advocacy.DefaultLetterTemplates.

CREATE TABLE letter_templates (
    campaign_id INTEGER NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    kind        TEXT NOT NULL CHECK (kind IN ('ask', 'thank', 'withdrew')),
    subject     TEXT NOT NULL CHECK (subject <> ''),
    body        TEXT NOT NULL CHECK (body <> ''),
    updated_at  TEXT NOT NULL,
    PRIMARY KEY (campaign_id, kind)
) STRICT, WITHOUT ROWID;
