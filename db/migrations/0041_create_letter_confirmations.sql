-- With email confirmation on, a new letter waits (status 'held') until its
-- sender follows the link mailed to them; unconfirmed letters expire and
-- are deleted. Only a hash of the token is kept.
CREATE TABLE letter_confirmations (
    letter_id    INTEGER PRIMARY KEY REFERENCES letters (id) ON DELETE CASCADE,
    token_hash   TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    confirmed_at TEXT
) STRICT;

CREATE INDEX letter_confirmations_pending ON letter_confirmations (expires_at) WHERE confirmed_at IS NULL;
