package bot

import (
	"net/http"
	"os"
	"testing"
	"time"
)

// Slack's published example ("Verifying requests from Slack").
const (
	vectorSecret    = "8f742231b10e8888abcd99yyyzzz85a5"
	vectorTimestamp = "1531420618"
	vectorSignature = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
)

func vectorBody(t *testing.T) []byte {
	t.Helper()
	body, err := os.ReadFile("testdata/slack-signature-vector.body")
	if err != nil {
		t.Fatal(err)
	}
	return body
}

func vectorHeader(ts, sig string) http.Header {
	h := http.Header{}
	h.Set("X-Slack-Request-Timestamp", ts)
	h.Set("X-Slack-Signature", sig)
	return h
}

func TestVerifier(t *testing.T) {
	t.Parallel()
	body := vectorBody(t)
	atVector := func() time.Time { return time.Unix(1531420618, 0) }

	t.Run("SlackVectorAcceptedAtItsTimestamp", func(t *testing.T) {
		t.Parallel()
		v := NewVerifier(vectorSecret, atVector)
		if err := v.Verify(vectorHeader(vectorTimestamp, vectorSignature), body); err != nil {
			t.Fatalf("Verify = %v, want nil", err)
		}
	})
	t.Run("SlackVectorAcceptedFourMinutesLater", func(t *testing.T) {
		t.Parallel()
		v := NewVerifier(vectorSecret, func() time.Time { return atVector().Add(4 * time.Minute) })
		if err := v.Verify(vectorHeader(vectorTimestamp, vectorSignature), body); err != nil {
			t.Fatalf("Verify = %v, want nil", err)
		}
	})
	t.Run("SlackVectorRejectedToday", func(t *testing.T) {
		t.Parallel()
		v := NewVerifier(vectorSecret, nil)
		if err := v.Verify(vectorHeader(vectorTimestamp, vectorSignature), body); err != ErrStaleTimestamp {
			t.Fatalf("Verify = %v, want ErrStaleTimestamp", err)
		}
	})
	t.Run("TimestampTenMinutesInTheFutureRejected", func(t *testing.T) {
		t.Parallel()
		v := NewVerifier(vectorSecret, func() time.Time { return atVector().Add(-10 * time.Minute) })
		if err := v.Verify(vectorHeader(vectorTimestamp, vectorSignature), body); err != ErrStaleTimestamp {
			t.Fatalf("Verify = %v, want ErrStaleTimestamp", err)
		}
	})
	t.Run("AnyOneByteChangeOfTheBodyRejected", func(t *testing.T) {
		t.Parallel()
		v := NewVerifier(vectorSecret, atVector)
		for i := range body {
			changed := append([]byte(nil), body...)
			changed[i] ^= 0x01
			if err := v.Verify(vectorHeader(vectorTimestamp, vectorSignature), changed); err != ErrBadSignature {
				t.Fatalf("byte %d changed: Verify = %v, want ErrBadSignature", i, err)
			}
		}
	})
	t.Run("AnyOneByteChangeOfTheTimestampRejected", func(t *testing.T) {
		t.Parallel()
		for i := range vectorTimestamp {
			ts := []byte(vectorTimestamp)
			ts[i] = '0' + (ts[i]-'0'+1)%10
			// Keep the clock at the changed timestamp, so that only the
			// signature can refuse it.
			v := NewVerifier(vectorSecret, func() time.Time { return parseUnix(string(ts)) })
			if err := v.Verify(vectorHeader(string(ts), vectorSignature), body); err != ErrBadSignature {
				t.Fatalf("timestamp %s: Verify = %v, want ErrBadSignature", ts, err)
			}
		}
	})
	t.Run("AnyOneByteChangeOfTheSignatureRejected", func(t *testing.T) {
		t.Parallel()
		v := NewVerifier(vectorSecret, atVector)
		for i := range vectorSignature {
			sig := []byte(vectorSignature)
			sig[i] ^= 0x01
			if err := v.Verify(vectorHeader(vectorTimestamp, string(sig)), body); err == nil {
				t.Fatalf("signature byte %d changed (%s): accepted", i, sig)
			}
		}
	})
	t.Run("MissingHeadersRejected", func(t *testing.T) {
		t.Parallel()
		v := NewVerifier(vectorSecret, atVector)
		for _, h := range []http.Header{{}, vectorHeader("", vectorSignature), vectorHeader(vectorTimestamp, ""), vectorHeader("soon", vectorSignature)} {
			if err := v.Verify(h, body); err != ErrMissingSignature {
				t.Fatalf("headers %v: Verify = %v, want ErrMissingSignature", h, err)
			}
		}
	})
	t.Run("WrongSecretRejected", func(t *testing.T) {
		t.Parallel()
		v := NewVerifier("another-secret", atVector)
		if err := v.Verify(vectorHeader(vectorTimestamp, vectorSignature), body); err != ErrBadSignature {
			t.Fatalf("Verify = %v, want ErrBadSignature", err)
		}
	})
	t.Run("EmptySecretRejectsEverything", func(t *testing.T) {
		t.Parallel()
		v := NewVerifier("", atVector)
		if err := v.Verify(vectorHeader(vectorTimestamp, vectorSignature), body); err == nil {
			t.Fatal("accepted with an empty secret")
		}
	})
}

func parseUnix(s string) time.Time {
	var n int64
	for _, c := range s {
		n = n*10 + int64(c-'0')
	}
	return time.Unix(n, 0)
}
