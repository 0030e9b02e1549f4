-- A group commit adds its new letters to the aggregates itself, one
-- statement per aggregate table for the whole group, instead of the
-- insert triggers running for each letter and each delivery
-- (internal/sqlite/aggregates.go). While its transaction holds the one row
-- of agg_group_commit, the two insert triggers leave new rows to it; it
-- deletes the row before it commits, so no other transaction ever sees it,
-- and every other writer is counted by the triggers as before.
CREATE TABLE agg_group_commit (
    id INTEGER PRIMARY KEY CHECK (id = 1)
) STRICT;

DROP TRIGGER agg_letters_insert;
CREATE TRIGGER agg_letters_insert AFTER INSERT ON letters
    WHEN NOT EXISTS (SELECT 1 FROM agg_group_commit)
BEGIN
    INSERT INTO agg_letter_change VALUES (1, 'all', NEW.id, NEW.campaign_id, NEW.ref, NEW.status, NEW.state,
        NEW.district, NEW.created_at, NEW.organization, NEW.title, NEW.city);
END;

DROP TRIGGER agg_deliveries_insert;
CREATE TRIGGER agg_deliveries_insert AFTER INSERT ON deliveries
    WHEN NOT EXISTS (SELECT 1 FROM agg_group_commit)
BEGIN
    INSERT INTO agg_delivery_change
        SELECT 1, 'all', NEW.letter_id, NEW.bioguide_id, NEW.chamber, NEW.channel, NEW.status,
            l.campaign_id, l.ref, l.created_at, l.organization, l.title, l.city
        FROM letters l WHERE l.id = NEW.letter_id AND l.status = 'active';
END;
