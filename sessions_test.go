package main

import (
	"bytes"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"catweete/sealed"
	"catweete/social/bluesky"
	"catweete/storage"
)

// testSession is a session whose tokens are easy to look for.
var testSession = bluesky.Session{
	PDS: "https://pds.example", Account: "brand.bsky.social", DID: "did:plc:ewvi7nxzyoun6zhxrhs64oiz", Handle: "brand.bsky.social",
	AccessJwt: "eyJhbGciOiJFUzI1NksifQ.access-s3cr3t.sig", RefreshJwt: "eyJhbGciOiJFUzI1NksifQ.refresh-s3cr3t.sig",
}

// openStore opens a fresh database file, closed when the test ends.
func openStore(t *testing.T) (*storage.Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "catweete.db")
	store, err := storage.Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	return store, path
}

// newSealer returns a sealer for the 32 bytes of key.
func newSealer(t *testing.T, key string) *sealed.Sealer {
	t.Helper()
	s, err := sealed.New(base64.StdEncoding.EncodeToString([]byte(key)))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSealedSessions(t *testing.T) {
	t.Parallel()
	const key = "main test key, exactly 32 bytes!"

	t.Run("NothingKeptIsNotAnError", func(t *testing.T) {
		t.Parallel()
		store, _ := openStore(t)
		_, ok, err := newSealedSessions(store, newSealer(t, key), "brand.bsky.social").Load(t.Context())
		if ok || err != nil {
			t.Errorf("Load of an empty store = %t, %v; want false, nil", ok, err)
		}
	})

	t.Run("SavedThenLoadedAndNeverInClear", func(t *testing.T) {
		t.Parallel()
		store, path := openStore(t)
		sessions := newSealedSessions(store, newSealer(t, key), "brand.bsky.social")
		if err := sessions.Save(t.Context(), testSession); err != nil {
			t.Fatalf("Save: %v", err)
		}
		got, ok, err := sessions.Load(t.Context())
		if err != nil || !ok || got != testSession {
			t.Fatalf("Load = %t, %v; want the saved session", ok, err)
		}
		for _, suffix := range []string{"", "-wal", "-shm"} {
			b, err := os.ReadFile(path + suffix)
			if err != nil {
				continue
			}
			for _, token := range []string{testSession.AccessJwt, testSession.RefreshJwt, "s3cr3t"} {
				if bytes.Contains(b, []byte(token)) {
					t.Errorf("catweete.db%s holds a token in clear text", suffix)
				}
			}
		}
		if err := sessions.Clear(t.Context()); err != nil {
			t.Fatalf("Clear: %v", err)
		}
		if _, ok, err := sessions.Load(t.Context()); ok || err != nil {
			t.Errorf("Load after Clear = %t, %v; want nothing", ok, err)
		}
	})

	t.Run("AnotherKeyCannotOpenIt", func(t *testing.T) {
		t.Parallel()
		store, _ := openStore(t)
		if err := newSealedSessions(store, newSealer(t, key), "brand.bsky.social").Save(t.Context(), testSession); err != nil {
			t.Fatal(err)
		}
		_, ok, err := newSealedSessions(store, newSealer(t, "another key of exactly 32 bytes!"), "brand.bsky.social").Load(t.Context())
		if ok || (!errors.Is(err, sealed.ErrOtherKey) && !errors.Is(err, sealed.ErrNotAuthentic)) {
			t.Errorf("Load under another key = %t, %v; want a sealed error", ok, err)
		}
	})

	t.Run("ACopyUnderAnotherAccountsNameDoesNotOpen", func(t *testing.T) {
		t.Parallel()
		store, _ := openStore(t)
		sealer := newSealer(t, key)
		if err := newSealedSessions(store, sealer, "brand.bsky.social").Save(t.Context(), testSession); err != nil {
			t.Fatal(err)
		}
		v, err := store.Secret(t.Context(), blueskySessionName+"brand.bsky.social")
		if err != nil {
			t.Fatal(err)
		}
		other := newSealedSessions(store, sealer, "other.bsky.social")
		if err := store.PutSecret(t.Context(), other.name, v, other.now()); err != nil {
			t.Fatal(err)
		}
		if _, ok, err := other.Load(t.Context()); ok || !errors.Is(err, sealed.ErrNotAuthentic) {
			t.Errorf("Load of a copied session = %t, %v; want sealed.ErrNotAuthentic", ok, err)
		}
	})
}
