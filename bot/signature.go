package bot

import (
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"hash"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Errors of request verification. Each means 401: nothing is processed.
var (
	ErrMissingSignature = errors.New("missing Slack signature or timestamp")
	ErrStaleTimestamp   = errors.New("Slack request timestamp too far from now")
	ErrBadSignature     = errors.New("bad Slack signature")
)

// maxSkew is how far a request's timestamp may be from now, either way:
// Slack's rule against replayed requests.
const maxSkew = 5 * time.Minute

// Verifier checks Slack's v0 request signatures: HMAC-SHA256 keyed with the
// signing secret over "v0:{timestamp}:{body}", compared in constant time.
// It is safe for concurrent use.
type Verifier struct {
	now   func() time.Time
	pool  sync.Pool // of *signer: keying a MAC costs two SHA-256 blocks per request otherwise
	empty bool
}

// signer is a MAC keyed with the signing secret, and room for what Verify
// would otherwise allocate on every request: a slice passed to an
// interface's method escapes to the heap.
type signer struct {
	mac    hash.Hash
	prefix []byte // "v0:{timestamp}:"
	got    [sha256.Size]byte
	want   [sha256.Size]byte
}

// NewVerifier returns a Verifier for this signing secret. now is the clock;
// if nil, time.Now.
func NewVerifier(signingSecret string, now func() time.Time) *Verifier {
	if now == nil {
		now = time.Now
	}
	key := []byte(signingSecret)
	v := &Verifier{now: now, empty: signingSecret == ""}
	v.pool.New = func() any { return &signer{mac: hmac.New(sha256.New, key), prefix: make([]byte, 0, 32)} }
	return v
}

// Verify checks the X-Slack-Request-Timestamp and X-Slack-Signature headers
// against body.
func (v *Verifier) Verify(header http.Header, body []byte) error {
	if v.empty {
		return ErrBadSignature
	}
	ts := header.Get("X-Slack-Request-Timestamp")
	sig := header.Get("X-Slack-Signature")
	if ts == "" || sig == "" {
		return ErrMissingSignature
	}
	seconds, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return ErrMissingSignature
	}
	if skew := v.now().Sub(time.Unix(seconds, 0)).Abs(); skew > maxSkew {
		return ErrStaleTimestamp
	}
	hexSig, ok := strings.CutPrefix(sig, "v0=")
	if !ok || len(hexSig) != 2*sha256.Size {
		return ErrBadSignature
	}
	sg := v.pool.Get().(*signer)
	defer v.pool.Put(sg)
	if !decodeHex(sg.got[:], hexSig) {
		return ErrBadSignature
	}
	sg.mac.Reset()
	sg.prefix = append(append(append(sg.prefix[:0], "v0:"...), ts...), ':')
	sg.mac.Write(sg.prefix)
	sg.mac.Write(body)
	if !hmac.Equal(sg.got[:], sg.mac.Sum(sg.want[:0])) {
		return ErrBadSignature
	}
	return nil
}

// decodeHex decodes the hexadecimal src into dst, which is half its
// length, and reports whether src was all hexadecimal digits.
func decodeHex(dst []byte, src string) bool {
	if len(src) != 2*len(dst) {
		return false
	}
	for i := range dst {
		hi, ok1 := fromHex(src[2*i])
		lo, ok2 := fromHex(src[2*i+1])
		if !ok1 || !ok2 {
			return false
		}
		dst[i] = hi<<4 | lo
	}
	return true
}

func fromHex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}
