package storage

import (
	"bytes"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"catweete/sealed"
)

// secretName is the name the tests keep a value under.
const secretName = "bluesky.session:brand.bsky.social"

// testSealer seals with a fixed test key.
func testSealer(t *testing.T) *sealed.Sealer {
	t.Helper()
	s, err := sealed.New(base64.StdEncoding.EncodeToString([]byte("storage test key, 32 bytes long!")))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSecrets(t *testing.T) {
	t.Parallel()
	sealer := testSealer(t)

	t.Run("PutThenSecretGivesTheSameSealedValue", func(t *testing.T) {
		t.Parallel()
		s := setup(t)
		v := sealer.Seal(secretName, []byte("refresh-s3cr3t"))
		if err := s.PutSecret(t.Context(), secretName, v, t0); err != nil {
			t.Fatalf("PutSecret: %v", err)
		}
		got, err := s.Secret(t.Context(), secretName)
		if err != nil {
			t.Fatalf("Secret: %v", err)
		}
		if !bytes.Equal(got.Bytes(), v.Bytes()) {
			t.Errorf("Secret returned other bytes than were put")
		}
		if clear, err := sealer.Open(secretName, got); err != nil || string(clear) != "refresh-s3cr3t" {
			t.Errorf("Open(Secret) = %q, %v", clear, err)
		}
	})

	t.Run("PutReplaces", func(t *testing.T) {
		t.Parallel()
		s := setup(t)
		for i, secret := range []string{"first-s3cr3t", "second-s3cr3t"} {
			if err := s.PutSecret(t.Context(), secretName, sealer.Seal(secretName, []byte(secret)), t0.Add(time.Duration(i)*time.Hour)); err != nil {
				t.Fatalf("PutSecret #%d: %v", i, err)
			}
		}
		got, err := s.Secret(t.Context(), secretName)
		if err != nil {
			t.Fatal(err)
		}
		if clear, _ := sealer.Open(secretName, got); string(clear) != "second-s3cr3t" {
			t.Errorf("after two puts the secret is %q, want the second", clear)
		}
		var rows int
		var updated int64
		if err := s.sqlDB.QueryRowContext(t.Context(), `SELECT count(*), max(updated_at) FROM secrets`).Scan(&rows, &updated); err != nil {
			t.Fatal(err)
		}
		if rows != 1 || updated != t0.Add(time.Hour).Unix() {
			t.Errorf("secrets table: %d rows, updated_at %d; want 1 row updated at the second put", rows, updated)
		}
	})

	t.Run("AnUnknownNameIsNotFound", func(t *testing.T) {
		t.Parallel()
		s := setup(t)
		v, err := s.Secret(t.Context(), "nothing here")
		if !errors.Is(err, ErrNotFound) || !v.IsZero() {
			t.Errorf("Secret(unknown) = %v, %v; want ErrNotFound", v, err)
		}
	})

	t.Run("DeleteForgetsAndToleratesNothing", func(t *testing.T) {
		t.Parallel()
		s := setup(t)
		if err := s.PutSecret(t.Context(), secretName, sealer.Seal(secretName, []byte("s3cr3t")), t0); err != nil {
			t.Fatal(err)
		}
		for range 2 {
			if err := s.DeleteSecret(t.Context(), secretName); err != nil {
				t.Fatalf("DeleteSecret: %v", err)
			}
		}
		if _, err := s.Secret(t.Context(), secretName); !errors.Is(err, ErrNotFound) {
			t.Errorf("Secret after DeleteSecret: %v, want ErrNotFound", err)
		}
	})

	t.Run("TheZeroValueIsRefused", func(t *testing.T) {
		t.Parallel()
		s := setup(t)
		if err := s.PutSecret(t.Context(), secretName, sealed.Value{}, t0); err == nil {
			t.Error("PutSecret stored the zero Value")
		}
	})

	t.Run("TheTableRefusesWhatCannotBeSealed", func(t *testing.T) {
		t.Parallel()
		s := setup(t)
		// A token written straight into the table, as text or as a short
		// blob, breaks its CHECK: only a sealed value's shape gets in.
		for _, v := range []any{"eyJhbGciOiJFUzI1NksifQ.eyJzdWIiOiJkaWQ6cGxjOngifQ.s3cr3t", []byte("s3cr3t")} {
			if _, err := s.sqlDB.ExecContext(t.Context(), `INSERT INTO secrets (name, sealed, updated_at) VALUES (?, ?, ?)`,
				secretName, v, unix(t0)); err == nil {
				t.Errorf("the table took %T %q", v, v)
			}
		}
	})

	t.Run("ARowThatIsNotSealedIsMalformed", func(t *testing.T) {
		t.Parallel()
		s := setup(t)
		odd := append([]byte{9}, bytes.Repeat([]byte{1}, sealed.MinSize)...)
		if _, err := s.sqlDB.ExecContext(t.Context(), `INSERT INTO secrets (name, sealed, updated_at) VALUES (?, ?, ?)`,
			secretName, odd, unix(t0)); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Secret(t.Context(), secretName); !errors.Is(err, sealed.ErrMalformed) {
			t.Errorf("Secret of an unknown layout: %v, want sealed.ErrMalformed", err)
		}
	})

	t.Run("KeptAcrossARestartAndNeverInClearInTheFiles", func(t *testing.T) {
		t.Parallel()
		path := filepath.Join(t.TempDir(), "catweete.db")
		s := openFile(t, path)
		secret := "refresh-" + base64.RawURLEncoding.EncodeToString([]byte("a distinctive s3cr3t"))
		if err := s.PutSecret(t.Context(), secretName, sealer.Seal(secretName, []byte(secret)), t0); err != nil {
			t.Fatal(err)
		}
		// Before the close, the value sits in the WAL; after, in the file.
		checkFilesHoldNot(t, path, secret)
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		checkFilesHoldNot(t, path, secret)
		s = openFile(t, path)
		got, err := s.Secret(t.Context(), secretName)
		if err != nil {
			t.Fatalf("Secret after a restart: %v", err)
		}
		if clear, err := sealer.Open(secretName, got); err != nil || string(clear) != secret {
			t.Errorf("after a restart the secret opens as %q, %v", clear, err)
		}
	})
}

// checkFilesHoldNot fails if the database file or its -wal or -shm holds
// secret.
func checkFilesHoldNot(t *testing.T, path, secret string) {
	t.Helper()
	for _, suffix := range []string{"", "-wal", "-shm"} {
		b, err := os.ReadFile(path + suffix)
		if err != nil {
			continue // no WAL after a clean close
		}
		if bytes.Contains(b, []byte(secret)) {
			t.Errorf("%s%s holds the secret in clear text", filepath.Base(path), suffix)
		}
	}
}
