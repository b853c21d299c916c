package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"catweete/sealed"
	"catweete/social/bluesky"
	"catweete/storage"
)

// blueskySessionName is the prefix of the name a Bluesky session is kept
// under in the secrets table, followed by the account (BLUESKY_HANDLE). The
// name is bound into the sealed value: a session copied under another
// account's name does not open.
const blueskySessionName = "bluesky.session:"

// sealedSessions keeps one Bluesky account's session in the secrets table,
// sealed under CATWEETE_SECRET_KEY: the bluesky.SessionStore that main gives
// the client. The session is JSON, sealed here, above storage, which only
// ever sees the sealed bytes.
type sealedSessions struct {
	store  *storage.Store
	sealer *sealed.Sealer
	name   string
	now    func() time.Time
}

// newSealedSessions returns the store of handle's session.
func newSealedSessions(store *storage.Store, sealer *sealed.Sealer, handle string) sealedSessions {
	return sealedSessions{store: store, sealer: sealer, name: blueskySessionName + handle, now: time.Now}
}

// Load opens the kept session. A value that does not open (another key,
// altered) or holds no session is an error, which the client logs before
// logging in afresh; the next Save replaces it.
func (s sealedSessions) Load(ctx context.Context) (bluesky.Session, bool, error) {
	v, err := s.store.Secret(ctx, s.name)
	if errors.Is(err, storage.ErrNotFound) {
		return bluesky.Session{}, false, nil
	}
	if err != nil {
		return bluesky.Session{}, false, err
	}
	plain, err := s.sealer.Open(s.name, v)
	if err != nil {
		return bluesky.Session{}, false, fmt.Errorf("secret %q: %w", s.name, err)
	}
	defer clear(plain)
	var sess bluesky.Session
	// json's errors may quote a piece of the input: this one says nothing
	// of it.
	if json.Unmarshal(plain, &sess) != nil {
		return bluesky.Session{}, false, fmt.Errorf("secret %q: not a Bluesky session", s.name)
	}
	return sess, true, nil
}

// Save seals sess and keeps it in place of the one before.
func (s sealedSessions) Save(ctx context.Context, sess bluesky.Session) error {
	plain, err := json.Marshal(sess)
	if err != nil {
		return fmt.Errorf("secret %q: %w", s.name, err)
	}
	defer clear(plain)
	return s.store.PutSecret(ctx, s.name, s.sealer.Seal(s.name, plain), s.now())
}

// Clear forgets the kept session.
func (s sealedSessions) Clear(ctx context.Context) error {
	return s.store.DeleteSecret(ctx, s.name)
}
