-- Who runs a campaign, for the footer's "paid for by" line, the contact
-- people can write to, and the CWC Organization block. Empty until an
-- organizer fills it in.
ALTER TABLE campaigns ADD COLUMN sponsor_name TEXT NOT NULL DEFAULT '';
ALTER TABLE campaigns ADD COLUMN sponsor_url TEXT NOT NULL DEFAULT '';
ALTER TABLE campaigns ADD COLUMN sponsor_email TEXT NOT NULL DEFAULT '';
ALTER TABLE campaigns ADD COLUMN sponsor_about TEXT NOT NULL DEFAULT '';
ALTER TABLE campaigns ADD COLUMN paid_for_by TEXT NOT NULL DEFAULT '';
