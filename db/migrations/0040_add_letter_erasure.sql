-- Personal data is erased after the retention window, or at once when the
-- sender asks; the letter keeps its campaign, district, partner code, dates
-- and delivery statuses so that the aggregates stay right.
ALTER TABLE letters ADD COLUMN erased_at TEXT;
CREATE INDEX letters_not_erased ON letters (created_at) WHERE erased_at IS NULL;
