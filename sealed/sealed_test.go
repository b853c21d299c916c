package sealed

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// Keys of the tests: keyA and keyB are unrelated; keyABytes is keyA's bytes.
var (
	keyABytes = []byte("catweete test key A: 32 bytes!!!")
	keyA      = base64.StdEncoding.EncodeToString(keyABytes)
	keyB      = hex.EncodeToString([]byte("catweete test key B: 32 bytes!!!"))
)

const name = "bluesky.session:brand.bsky.social"

// setup returns a sealer for encodedKey.
func setup(t *testing.T, encodedKey string) *Sealer {
	t.Helper()
	s, err := New(encodedKey)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return s
}

func TestNewAcceptsEveryDocumentedEncoding(t *testing.T) {
	t.Parallel()
	want := setup(t, keyA).Seal(name, []byte("x"))
	tests := []struct {
		name, key string
	}{
		{"StandardBase64AsOpensslPrintsIt", base64.StdEncoding.EncodeToString(keyABytes)},
		{"StandardBase64WithoutPadding", base64.RawStdEncoding.EncodeToString(keyABytes)},
		{"URLBase64", base64.URLEncoding.EncodeToString(keyABytes)},
		{"URLBase64WithoutPadding", base64.RawURLEncoding.EncodeToString(keyABytes)},
		{"LowerCaseHex", hex.EncodeToString(keyABytes)},
		{"UpperCaseHex", strings.ToUpper(hex.EncodeToString(keyABytes))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			// The same key however written: each opens what the others seal.
			got, err := setup(t, tt.key).Open(name, want)
			if err != nil || string(got) != "x" {
				t.Errorf("Open = %q, %v; want the value sealed under the same key in base64", got, err)
			}
		})
	}
}

func TestNewRefusesWhatIsNotAKey(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, key, want string
	}{
		{"Empty", "", "is empty"},
		{"Passphrase", "correct horse battery staple", "is neither base64 nor hex"},
		{"SixteenBytes", base64.StdEncoding.EncodeToString(keyABytes[:16]), "holds 16 bytes, not 32"},
		{"FortyEightBytes", base64.StdEncoding.EncodeToString(append(bytes.Clone(keyABytes), keyABytes[:16]...)), "holds 48 bytes, not 32"},
		{"SixtyTwoHexCharacters", hex.EncodeToString(keyABytes)[:62], "holds"},
		{"HexWithAStrayLetter", "g" + hex.EncodeToString(keyABytes)[1:], "holds 48 bytes"},
		{"NonCanonicalBase64", keyA[:42] + "B=", "is neither base64 nor hex"},
		{"AllZeros", base64.StdEncoding.EncodeToString(make([]byte, 32)), "is a placeholder"},
		{"AllTheSameByte", strings.Repeat("ab", 32), "is a placeholder"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, err := New(tt.key)
			if err == nil {
				t.Fatalf("New accepted %q: %v", tt.key, s)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, tt.want) {
				t.Errorf("error %q does not start with %q", msg, tt.want)
			}
			if !strings.Contains(msg, "openssl rand -base64 32") {
				t.Errorf("error %q does not say how to make a key", msg)
			}
			if tt.key != "" && strings.Contains(msg, tt.key) {
				t.Errorf("error %q quotes the key", msg)
			}
		})
	}
}

func TestSealOpenRoundTrip(t *testing.T) {
	t.Parallel()
	s := setup(t, keyA)
	for _, plaintext := range [][]byte{
		nil,
		[]byte(`{"accessJwt":"eyJ.s3cr3t.sig","refreshJwt":"eyJ.s3cr3t.sig2"}`),
		bytes.Repeat([]byte{0, 0xff}, 4096),
	} {
		t.Run(fmt.Sprintf("%dBytes", len(plaintext)), func(t *testing.T) {
			t.Parallel()
			v := s.Seal(name, plaintext)
			if got := len(v.Bytes()); got != MinSize+len(plaintext) {
				t.Errorf("sealed length = %d, want %d", got, MinSize+len(plaintext))
			}
			if len(plaintext) > 0 && bytes.Contains(v.Bytes(), plaintext) {
				t.Errorf("the sealed value holds the clear text")
			}
			got, err := s.Open(name, v)
			if err != nil || !bytes.Equal(got, plaintext) {
				t.Errorf("Open = %q, %v; want %q", got, err, plaintext)
			}
			// What storage reads back opens too.
			parsed, err := Parse(v.Bytes())
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if got, err := s.Open(name, parsed); err != nil || !bytes.Equal(got, plaintext) {
				t.Errorf("Open(Parse(…)) = %q, %v", got, err)
			}
		})
	}
}

func TestSealUsesAFreshNonceEachTime(t *testing.T) {
	t.Parallel()
	s := setup(t, keyA)
	seen := map[string]bool{}
	for range 100 {
		b := s.Seal(name, []byte("same secret")).Bytes()
		nonce := string(b[headerSize : headerSize+nonceSize])
		if seen[nonce] {
			t.Fatalf("nonce %x used twice", nonce)
		}
		seen[nonce] = true
	}
}

func TestOpenRefuses(t *testing.T) {
	t.Parallel()
	s := setup(t, keyA)
	secret := []byte("refresh-s3cr3t")
	good := s.Seal(name, secret).Bytes()
	flip := func(i int) []byte {
		b := bytes.Clone(good)
		b[i] ^= 0x01
		return b
	}
	tests := []struct {
		name   string
		sealer *Sealer
		open   string // the name Open is given
		value  []byte
		want   error
	}{
		{"TamperedVersion", s, name, flip(0), ErrMalformed},
		{"TamperedKeyID", s, name, flip(1), ErrOtherKey},
		{"TamperedNonce", s, name, flip(headerSize), ErrNotAuthentic},
		{"TamperedCiphertext", s, name, flip(headerSize + nonceSize), ErrNotAuthentic},
		{"TamperedTag", s, name, flip(len(good) - 1), ErrNotAuthentic},
		{"Truncated", s, name, good[:len(good)-1], ErrNotAuthentic},
		{"Extended", s, name, append(bytes.Clone(good), 0), ErrNotAuthentic},
		{"WrongName", s, "bluesky.session:other.bsky.social", good, ErrNotAuthentic},
		{"NameDiffersInCase", s, strings.ToUpper(name), good, ErrNotAuthentic},
		{"EmptyName", s, "", good, ErrNotAuthentic},
		{"WrongKey", setup(t, keyB), name, good, ErrOtherKey},
		{"Empty", s, name, nil, ErrMalformed},
		{"OneByte", s, name, []byte{version1}, ErrMalformed},
		{"HeaderOnly", s, name, good[:headerSize], ErrMalformed},
		{"OneShortOfTheMinimum", s, name, good[:MinSize-1], ErrMalformed},
		{"ClearTextStoredByMistake", s, name, []byte(`{"accessJwt":"eyJhbGciOiJFUzI1NksifQ.e30.sig"}`), ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := tt.sealer.Open(tt.open, Value{b: tt.value})
			if !errors.Is(err, tt.want) {
				t.Errorf("Open error = %v, want %v", err, tt.want)
			}
			if got != nil {
				t.Errorf("Open returned %q with its error", got)
			}
		})
	}
}

func TestWrongKeyWithTheSameIDDoesNotOpen(t *testing.T) {
	t.Parallel()
	a := setup(t, keyA)
	// Another key whose id collides with keyA's: one in 256 does.
	var other *Sealer
	for i := 0; other == nil; i++ {
		k := base64.StdEncoding.EncodeToString(fmt.Appendf(nil, "another test key, number %07d", i))
		if s := setup(t, k); s.keyID == a.keyID {
			other = s
		}
	}
	got, err := other.Open(name, a.Seal(name, []byte("s3cr3t")))
	if !errors.Is(err, ErrNotAuthentic) || got != nil {
		t.Errorf("Open under a colliding key = %q, %v; want ErrNotAuthentic", got, err)
	}
}

func TestParse(t *testing.T) {
	t.Parallel()
	good := setup(t, keyA).Seal(name, []byte("x")).Bytes()
	tests := []struct {
		name  string
		value []byte
		want  error
	}{
		{"Sealed", good, nil},
		{"Empty", nil, ErrMalformed},
		{"TooShort", good[:MinSize-1], ErrMalformed},
		{"UnknownVersion", append([]byte{2}, good[1:]...), ErrMalformed},
		{"ClearText", []byte("eyJhbGciOiJFUzI1NksifQ.eyJzdWIiOiJkaWQ6cGxjOngifQ.sig"), ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			v, err := Parse(tt.value)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Parse error = %v, want %v", err, tt.want)
			}
			if err == nil && !bytes.Equal(v.Bytes(), tt.value) {
				t.Errorf("Parse changed the bytes")
			}
			if err != nil && !v.IsZero() {
				t.Errorf("Parse returned a value with its error")
			}
		})
	}
	// Parse copies: the caller's buffer may be reused.
	buf := bytes.Clone(good)
	v, _ := Parse(buf)
	buf[5] ^= 0xff
	if !bytes.Equal(v.Bytes(), good) {
		t.Errorf("Parse kept the caller's buffer")
	}
}

func TestNothingPrintsTheKey(t *testing.T) {
	t.Parallel()
	s := setup(t, keyA)
	v := s.Seal(name, []byte("s3cr3t"))
	for _, out := range []string{
		fmt.Sprint(s), fmt.Sprintf("%v %+v %s", s, s, s), fmt.Sprint(v), fmt.Sprintf("%v %+v %s", v, v, v),
	} {
		for _, leak := range []string{keyA, hex.EncodeToString(keyABytes), string(keyABytes), "s3cr3t"} {
			if strings.Contains(out, leak) {
				t.Errorf("%q shows the key or the secret", out)
			}
		}
	}
	if got := fmt.Sprint(v); got != fmt.Sprintf("sealed.Value(%d bytes)", MinSize+6) {
		t.Errorf("Value prints as %q", got)
	}
}
