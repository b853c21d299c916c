package bot

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// slackSignature is Slack's v0 signature of body, computed here without the
// Verifier: "v0=" and the hex of HMAC-SHA256(secret, "v0:{ts}:{body}").
func slackSignature(secret, ts string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte("v0:" + ts + ":"))
	mac.Write(body)
	return "v0=" + hex.EncodeToString(mac.Sum(nil))
}

// FuzzVerify: whatever the secret, body, timestamp and signature, Verify
// does not panic and answers nil or one of its three errors. What it accepts
// is genuine: the secret is not empty, the signature is "v0=" and the hex of
// an independent HMAC-SHA256 over "v0:{ts}:{body}", and the timestamp is
// within five minutes of the clock; the same body with one more byte is then
// refused. What is genuine and on time is accepted. And a refusal leaves
// nothing behind in the Verifier's pool of keyed hashes: the next genuine
// request is accepted.
//
// With signed, the signature is computed here and suffix appended to it
// (an empty suffix: the genuine signature); otherwise suffix is the whole
// X-Slack-Signature. The clock is the timestamp (when it is a plausible Unix
// time) plus skew seconds, skew folded into ±1000 s, so that both sides of
// the five-minute window are reached.
func FuzzVerify(f *testing.F) {
	vector, err := os.ReadFile("testdata/slack-signature-vector.body")
	if err != nil {
		f.Fatal(err)
	}
	// Slack's published example, as is, then stale, then forged.
	f.Add(vectorSecret, vectorTimestamp, vector, vectorSignature, false, int64(0))
	f.Add(vectorSecret, vectorTimestamp, vector, vectorSignature, false, int64(301))
	f.Add(vectorSecret, vectorTimestamp, vector, "v0="+strings.Repeat("0", 64), false, int64(0))
	f.Add(vectorSecret, vectorTimestamp, vector, strings.ToUpper(vectorSignature), false, int64(-299))
	f.Add(vectorSecret, vectorTimestamp, vector, "v1="+vectorSignature[3:], false, int64(0))
	// Signed here: on time, at the edges, late, tampered with.
	form := []byte("token=legacy&team_id=T1&user_id=U1&command=%2Fcatweete&text=file")
	event := []byte(`{"type":"event_callback","event_id":"Ev1","event":{"type":"app_mention","user":"U1","text":"<@UBOT> aide"}}`)
	for _, tc := range []struct {
		secret, ts string
		body       []byte
		suffix     string
		skew       int64
	}{
		{testSecret, "1700000000", form, "", 0},
		{testSecret, "1700000000", form, "", 300},
		{testSecret, "1700000000", form, "", -300},
		{testSecret, "1700000000", form, "", 301},
		{testSecret, "1700000000", event, "", -301},
		{testSecret, "1700000000", event, "0", 0},
		{testSecret, "+1700000000", event, "", 0},
		{testSecret, "01700000000", nil, "", 0},
		{testSecret, "17e8", form, "", 0},
		{testSecret, "", form, "", 0},
		{testSecret, "-1", form, "", 0},
		{testSecret, "9223372036854775807", form, "", 0},
		{"", "1700000000", form, "", 0},
		{"s\x00\xff", "1700000000", []byte("\x00\xff\n"), "", 0},
		{strings.Repeat("k", 200), "1700000000", form, "", 0}, // longer than SHA-256's block: hashed first
	} {
		f.Add(tc.secret, tc.ts, tc.body, tc.suffix, true, tc.skew)
	}

	f.Fuzz(func(t *testing.T, secret, ts string, body []byte, suffix string, signed bool, skew int64) {
		sig := suffix
		if signed {
			sig = slackSignature(secret, ts, body) + suffix
		}
		nowUnix := int64(1531420618)
		tsUnix, tsErr := strconv.ParseInt(ts, 10, 64)
		if tsErr == nil && tsUnix >= 0 && tsUnix < 1<<36 {
			nowUnix = tsUnix
		}
		nowUnix += skew % 1000
		now := func() time.Time { return time.Unix(nowUnix, 0) }
		v := NewVerifier(secret, now)
		header := vectorHeader(ts, sig)

		err := v.Verify(header, body)
		switch {
		case err == nil:
			if secret == "" {
				t.Fatalf("accepted with an empty secret: ts %q sig %q", ts, sig)
			}
			hexSig, ok := strings.CutPrefix(sig, "v0=")
			got, hexErr := hex.DecodeString(hexSig)
			want := hmac.New(sha256.New, []byte(secret))
			want.Write([]byte("v0:" + ts + ":"))
			want.Write(body)
			if !ok || hexErr != nil || !hmac.Equal(got, want.Sum(nil)) {
				t.Fatalf("accepted a signature that is not HMAC-SHA256(secret, v0:ts:body): secret %q ts %q body %q sig %q", secret, ts, body, sig)
			}
			if tsErr != nil || tsUnix < nowUnix-300 || tsUnix > nowUnix+300 {
				t.Fatalf("accepted timestamp %q at %d (%v): more than five minutes away", ts, nowUnix, tsErr)
			}
			if err := v.Verify(header, append(body[:len(body):len(body)], 'x')); !errors.Is(err, ErrBadSignature) {
				t.Fatalf("body with one more byte: Verify = %v, want ErrBadSignature", err)
			}
		case errors.Is(err, ErrMissingSignature), errors.Is(err, ErrStaleTimestamp), errors.Is(err, ErrBadSignature):
			genuine := signed && suffix == "" && secret != "" && ts != "" &&
				tsErr == nil && tsUnix >= nowUnix-300 && tsUnix <= nowUnix+300
			if genuine {
				t.Fatalf("refused a genuine request on time: %v (secret %q ts %q now %d body %q)", err, secret, ts, nowUnix, body)
			}
		default:
			t.Fatalf("Verify = %v, not one of its errors", err)
		}

		// Whatever came before, a genuine request on time is accepted by
		// the same Verifier (its pooled hashes carry nothing over).
		if secret != "" {
			okTS := strconv.FormatInt(nowUnix, 10)
			okBody := []byte("token=legacy&text=aide")
			if err := v.Verify(vectorHeader(okTS, slackSignature(secret, okTS, okBody)), okBody); err != nil {
				t.Fatalf("after %q: a genuine request refused: %v", sig, err)
			}
		}
	})
}
