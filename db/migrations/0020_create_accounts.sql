-- Organizer accounts: partners (the organisations whose viewers see their
-- own aggregates; the widgets issue adds to this table), users with their
-- argon2id password hashes, and server-side login sessions. Timestamps are
-- UTC text in the fixed-width form 2006-01-02T15:04:05.000Z so that they
-- compare as text.

CREATE TABLE partners (
    id               INTEGER PRIMARY KEY,
    slug             TEXT NOT NULL UNIQUE CHECK (slug <> ''),
    name             TEXT NOT NULL CHECK (name <> ''),
    -- The code in ?ref= links and widget URLs; letters.ref holds it.
    source_code      TEXT NOT NULL UNIQUE CHECK (source_code <> ''),
    -- The sites that may embed the widgets: a JSON array of origins.
    allowed_origins  TEXT NOT NULL DEFAULT '[]'
                     CHECK (json_valid(allowed_origins) AND json_type(allowed_origins) = 'array'),
    -- Set only by an admin who chose to let any site embed the widgets.
    allow_any_origin INTEGER NOT NULL DEFAULT 0 CHECK (allow_any_origin IN (0, 1)),
    contact          TEXT NOT NULL DEFAULT '',
    logo_text        TEXT NOT NULL DEFAULT '',
    created_at       TEXT NOT NULL
) STRICT;

CREATE TABLE users (
    id                  INTEGER PRIMARY KEY,
    -- Lower-cased and trimmed: one account per address.
    email               TEXT NOT NULL UNIQUE CHECK (email <> ''),
    -- PHC string: $argon2id$v=19$m=...,t=...,p=...$salt$hash
    password_hash       TEXT NOT NULL CHECK (password_hash LIKE '$argon2id$%'),
    role                TEXT NOT NULL CHECK (role IN ('admin', 'organizer', 'partner')),
    -- A partner viewer belongs to exactly one partner; no one else does.
    partner_id          INTEGER REFERENCES partners (id),
    disabled_at         TEXT,
    created_at          TEXT NOT NULL,
    password_changed_at TEXT NOT NULL,
    CHECK ((role = 'partner') = (partner_id IS NOT NULL))
) STRICT;

CREATE INDEX users_partner ON users (partner_id) WHERE partner_id IS NOT NULL;

CREATE TABLE sessions (
    -- SHA-256 of the cookie's token, in hex: a stolen copy of the database
    -- does not hand out live sessions.
    token_hash   TEXT PRIMARY KEY CHECK (length(token_hash) = 64),
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- Synchronizer token every state-changing request must echo.
    csrf_token   TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    -- Moved forward at most once a minute; the idle timeout counts from it.
    last_seen_at TEXT NOT NULL,
    -- The absolute timeout: created_at plus the session's maximum life.
    expires_at   TEXT NOT NULL
) STRICT, WITHOUT ROWID;

CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires_at);
CREATE INDEX sessions_last_seen ON sessions (last_seen_at);
