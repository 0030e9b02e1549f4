-- Every change made in the organizer workspace (and by the user command),
-- written in the same transaction as the change itself. before_json and
-- after_json are the entity as JSON ('null' when it did not exist).

CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    -- NULL for changes made from the command line.
    user_id     INTEGER REFERENCES users (id),
    action      TEXT NOT NULL CHECK (action <> ''),
    entity      TEXT NOT NULL CHECK (entity <> ''),
    entity_id   TEXT NOT NULL,
    before_json TEXT NOT NULL DEFAULT 'null' CHECK (json_valid(before_json)),
    after_json  TEXT NOT NULL DEFAULT 'null' CHECK (json_valid(after_json)),
    created_at  TEXT NOT NULL
) STRICT;

CREATE INDEX audit_log_user ON audit_log (user_id);
CREATE INDEX audit_log_entity ON audit_log (entity, entity_id);
CREATE INDEX audit_log_created ON audit_log (created_at);
