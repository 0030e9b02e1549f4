-- Every index on letters and deliveries is written for every letter: these
-- are read by nothing since counts come from the aggregates (0100). The
-- writer keeps the ones that answer a request: public ID, form token,
-- dedupe (email), campaign and time (exports), moderation, retention, the
-- outbox, and a member's deliveries (evidence packets).
DROP INDEX letters_created;
DROP INDEX letters_campaign_district;
DROP INDEX letters_state_district;
DROP INDEX letters_ref;
DROP INDEX letters_campaign_ref;
DROP INDEX deliveries_office;
