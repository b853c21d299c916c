package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestVerified(t *testing.T) {
	t.Parallel()
	const secret = "bench-secret"
	body := "token=x&command=%2Fcatweete&text=help"
	sign := func(key string, ts int64) string {
		mac := hmac.New(sha256.New, []byte(key))
		mac.Write([]byte("v0:" + strconv.FormatInt(ts, 10) + ":" + body))
		return "v0=" + hex.EncodeToString(mac.Sum(nil))
	}
	now := time.Now().Unix()
	for _, tc := range []struct {
		name   string
		method string
		ts     int64
		key    string
		want   int
	}{
		{"SignedNowIsAcked", http.MethodPost, now, secret, http.StatusOK},
		{"OtherSecretIsRefused", http.MethodPost, now, "other", http.StatusUnauthorized},
		{"TenMinutesOldIsRefused", http.MethodPost, now - 600, secret, http.StatusUnauthorized},
		{"GetIsNotAllowed", http.MethodGet, now, secret, http.StatusMethodNotAllowed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			req := httptest.NewRequest(tc.method, "/slack/commands", strings.NewReader(body))
			req.Header.Set("X-Slack-Request-Timestamp", strconv.FormatInt(tc.ts, 10))
			req.Header.Set("X-Slack-Signature", sign(tc.key, tc.ts))
			rec := httptest.NewRecorder()
			verified(secret).ServeHTTP(rec, req)
			if rec.Code != tc.want {
				t.Errorf("status = %d, want %d", rec.Code, tc.want)
			}
			if tc.want == http.StatusOK && rec.Body.Len() != 0 {
				t.Errorf("body = %q, want empty", rec.Body.String())
			}
		})
	}
}
