-- A confirmation either holds its letter (email confirmation required for
-- every letter) or only the receipt its sender asked for: a receipt, which
-- carries the sender's own text, goes only to an address that proved
-- itself, while the letter does not wait.
ALTER TABLE letter_confirmations ADD COLUMN holds_letter INTEGER NOT NULL DEFAULT 1 CHECK (holds_letter IN (0, 1));
