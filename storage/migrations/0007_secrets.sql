-- secrets are the few tokens catweete must keep across restarts (a Bluesky
-- session), each sealed with AES-256-GCM under CATWEETE_SECRET_KEY above
-- storage: the table only ever holds ciphertext. A sealed value is a version
-- byte, a key id, a 12-byte nonce, the ciphertext and a 16-byte tag, so
-- nothing shorter than 30 bytes, and nothing stored as text, is one.
CREATE TABLE secrets (
    name       TEXT    PRIMARY KEY,
    sealed     BLOB    NOT NULL CHECK (typeof(sealed) = 'blob' AND length(sealed) >= 30),
    updated_at INTEGER NOT NULL
);
