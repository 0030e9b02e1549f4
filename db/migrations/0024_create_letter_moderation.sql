-- An organizer's decision on a letter that was held for moderation: who
-- decided, when, and for a rejection the reason. letters.status holds the
-- outcome; this table keeps the record next to it.

CREATE TABLE letter_moderation (
    letter_id  INTEGER PRIMARY KEY REFERENCES letters (id) ON DELETE CASCADE,
    decision   TEXT NOT NULL CHECK (decision IN ('approved', 'rejected')),
    reason     TEXT NOT NULL DEFAULT '',
    user_id    INTEGER REFERENCES users (id),
    decided_at TEXT NOT NULL,
    CHECK (decision = 'approved' OR reason <> '')
) STRICT;

CREATE INDEX letter_moderation_user ON letter_moderation (user_id);
