-- Why the abuse checks held a letter for moderation, in plain words for the
-- organizer who decides ('' for letters that were not held).
ALTER TABLE letters ADD COLUMN hold_reason TEXT NOT NULL DEFAULT '';
