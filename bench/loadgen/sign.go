package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"strconv"
)

// signer computes Slack's v0 request signature: HMAC-SHA256, keyed with the
// signing secret, over "v0:{timestamp}:{body}", hex-encoded after "v0=".
// One signer per worker: it is not safe for concurrent use.
type signer struct {
	mac hash.Hash
	sum []byte
	hex []byte
}

func newSigner(secret string) *signer {
	return &signer{mac: hmac.New(sha256.New, []byte(secret)), sum: make([]byte, 0, sha256.Size),
		hex: make([]byte, 3+2*sha256.Size)}
}

// sign returns the X-Slack-Signature of body sent at unix second ts.
func (s *signer) sign(ts int64, body []byte) string {
	var tsText [20]byte
	s.mac.Reset()
	s.mac.Write([]byte("v0:"))
	s.mac.Write(strconv.AppendInt(tsText[:0], ts, 10))
	s.mac.Write([]byte(":"))
	s.mac.Write(body)
	s.sum = s.mac.Sum(s.sum[:0])
	copy(s.hex, "v0=")
	hex.Encode(s.hex[3:], s.sum)
	return string(s.hex)
}
