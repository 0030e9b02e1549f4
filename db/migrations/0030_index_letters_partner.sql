-- Widgets and ?ref= links attribute letters to partners by their source
-- code (letters.ref). count.json and the partner viewer's page count a
-- campaign's letters of one partner: this index answers them without
-- scanning the campaign's other letters.
CREATE INDEX letters_campaign_ref ON letters (campaign_id, ref, created_at) WHERE ref IS NOT NULL;
