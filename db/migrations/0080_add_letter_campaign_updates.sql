-- A sender may ask the campaign itself for news by email, apart from the
-- offices' newsletters (newsletter, which travels to Congress with the
-- letter). Only these senders are in the campaign's contacts export.
ALTER TABLE letters ADD COLUMN campaign_updates INTEGER NOT NULL DEFAULT 0 CHECK (campaign_updates IN (0, 1));
