// Package sealed encrypts the few secrets catweete must keep between
// restarts (a Bluesky session's tokens) under the key the operator gives in
// CATWEETE_SECRET_KEY, so that the database file, its WAL and its backups
// never hold them in clear text.
//
// A sealed value is AES-256-GCM with a fresh random 96-bit nonce for every
// seal, and the value's name bound as additional data: a sealed value copied
// under another name, or altered in any byte, does not open. Its layout is
//
//	version (1 byte) | key id (1 byte) | nonce (12 bytes) | ciphertext | tag (16 bytes)
//
// and the version and key id are authenticated with the name.
//
// The version byte says how the rest is laid out (1: the layout above), so
// that a later format can sit beside this one. The key id is the first byte
// of a SHA-256 of the key: it tells, without trying to decrypt, that a value
// was sealed under another key.
//
// Rotating the key is not implemented. It would go as follows: a second
// variable (CATWEETE_SECRET_KEY_PREVIOUS) holds the old key; New takes both;
// Open picks the key whose id the value names (trying each on the rare id
// collision); Seal always uses the new key, so each value moves to it the
// next time it is saved, after which the old key can be dropped. Today a
// value sealed under another key fails with ErrOtherKey, and the caller
// treats it as absent (for a Bluesky session: one new login).
package sealed

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
)

const (
	// KeySize is the key's length in bytes: AES-256.
	KeySize = 32
	// version1 is the only layout: AES-256-GCM, random 96-bit nonce.
	version1 = 1
	// headerSize is the version and key id bytes.
	headerSize = 2
	// nonceSize and tagSize are GCM's standard sizes.
	nonceSize = 12
	tagSize   = 16
	// MinSize is the length of a sealed empty value: nothing shorter is one.
	MinSize = headerSize + nonceSize + tagSize
	// keyIDLabel separates the key id's hash from any other use of the key.
	keyIDLabel = "catweete sealed key id\x00"
)

var (
	// ErrMalformed means the bytes are not a sealed value: too short, or of
	// an unknown version.
	ErrMalformed = errors.New("sealed: not a sealed value")
	// ErrOtherKey means the value was sealed under another key (its key id
	// is not this key's).
	ErrOtherKey = errors.New("sealed: sealed under another key")
	// ErrNotAuthentic means the value does not open: it was altered, or
	// sealed under another name (or, rarely, another key with the same id).
	ErrNotAuthentic = errors.New("sealed: does not open (altered, or sealed under another name or key)")
)

// Value is a sealed value, as storage keeps it. It holds no clear text:
// only Sealer.Seal makes one from a secret, and Parse takes one back from
// where it was kept, checking its layout. The zero Value is no value.
type Value struct {
	b []byte
}

// Parse checks that b has the layout of a sealed value (long enough, a
// known version) and returns it; it cannot tell whether it opens. b is
// copied.
func Parse(b []byte) (Value, error) {
	if len(b) < MinSize || b[0] != version1 {
		return Value{}, ErrMalformed
	}
	return Value{b: bytes.Clone(b)}, nil
}

// Bytes returns the sealed bytes, to be stored; nil for the zero Value.
func (v Value) Bytes() []byte {
	return bytes.Clone(v.b)
}

// IsZero reports whether v is the zero Value.
func (v Value) IsZero() bool {
	return len(v.b) == 0
}

// String describes the value without its bytes, which are of no use in a
// log line.
func (v Value) String() string {
	if v.IsZero() {
		return "sealed.Value(none)"
	}
	return "sealed.Value(" + strconv.Itoa(len(v.b)) + " bytes)"
}

// Sealer seals and opens values under one key. It is safe for concurrent
// use.
type Sealer struct {
	aead  cipher.AEAD
	keyID byte
}

// New returns a Sealer for encodedKey, the value of CATWEETE_SECRET_KEY:
// 32 bytes written in base64 (standard or URL alphabet, with or without
// padding, as `openssl rand -base64 32` prints) or as 64 hexadecimal
// characters. Anything else is refused: a shorter key would silently weaken
// AES-256, and a passphrase is not a key.
//
// Its errors never quote the key, and read as the end of a sentence that
// starts with the variable's name, for config's one-line messages.
func New(encodedKey string) (*Sealer, error) {
	key, err := decodeKey(encodedKey)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("sealed: %w", err)
	}
	aead, err := cipher.NewGCMWithRandomNonce(block)
	if err != nil {
		return nil, fmt.Errorf("sealed: %w", err)
	}
	sum := sha256.Sum256(append([]byte(keyIDLabel), key...))
	clear(key)
	return &Sealer{aead: aead, keyID: sum[0]}, nil
}

// wantKey is what every key error asks for.
const wantKey = "(want 32 random bytes in base64, e.g. from `openssl rand -base64 32`, or 64 hex characters)"

// decodeKey reads the 32 key bytes from hex or one of the base64 forms. No
// key of the right length reads both ways: 64 hex characters are base64 of
// 48 bytes, and base64 of 32 bytes has a padding sign or an odd length.
func decodeKey(s string) ([]byte, error) {
	if s == "" {
		return nil, errors.New("is empty " + wantKey)
	}
	var candidates [][]byte
	if b, err := hex.DecodeString(s); err == nil {
		candidates = append(candidates, b)
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.Strict().DecodeString(s); err == nil {
			candidates = append(candidates, b)
		}
	}
	var key []byte
	for _, b := range candidates {
		if len(b) == KeySize && key == nil {
			key = b
		} else {
			clear(b)
		}
	}
	switch {
	case len(candidates) == 0:
		return nil, errors.New("is neither base64 nor hex " + wantKey)
	case key == nil:
		return nil, fmt.Errorf("holds %d bytes, not %d %s", len(candidates[0]), KeySize, wantKey)
	case bytes.Count(key, key[:1]) == KeySize:
		clear(key)
		return nil, errors.New("is a placeholder: all its bytes are the same " + wantKey)
	}
	return key, nil
}

// Seal encrypts plaintext as the value called name (e.g.
// "bluesky.session:brand.bsky.social"). The name is not secret and is not
// in the result: Open must be given the same one.
func (s *Sealer) Seal(name string, plaintext []byte) Value {
	header := []byte{version1, s.keyID}
	out := make([]byte, headerSize, headerSize+nonceSize+len(plaintext)+tagSize)
	copy(out, header)
	return Value{b: s.aead.Seal(out, nil, plaintext, additionalData(header, name))}
}

// Open decrypts v, sealed as name. It fails with ErrMalformed for what is
// not a sealed value, ErrOtherKey for a value sealed under another key, and
// ErrNotAuthentic for one altered or sealed under another name; it never
// returns part of the clear text with an error.
func (s *Sealer) Open(name string, v Value) ([]byte, error) {
	b := v.b
	if len(b) < MinSize || b[0] != version1 {
		return nil, ErrMalformed
	}
	if b[1] != s.keyID {
		return nil, ErrOtherKey
	}
	plaintext, err := s.aead.Open(nil, nil, b[headerSize:], additionalData(b[:headerSize], name))
	if err != nil {
		return nil, ErrNotAuthentic
	}
	return plaintext, nil
}

// String names the sealer by its key id, never its key.
func (s *Sealer) String() string {
	return "sealed.Sealer(key id " + strconv.Itoa(int(s.keyID)) + ")"
}

// additionalData binds the header and the name: the header has a fixed
// length, so no two (header, name) pairs give the same bytes.
func additionalData(header []byte, name string) []byte {
	return append(bytes.Clone(header), name...)
}
