package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
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
	// An ack of the shape catweete gives /catweete help, past net/http's
	// 2 KiB buffer as the real one is.
	helpAck := []byte(`{"response_type":"ephemeral","text":"` + strings.Repeat("*/catweete help* ", 150) + `"}`)
	now := time.Now().Unix()
	for _, tc := range []struct {
		name     string
		answer   []byte
		method   string
		ts       int64
		key      string
		want     int
		wantBody []byte // for a 200
	}{
		{"SignedNowIsAcked", nil, http.MethodPost, now, secret, http.StatusOK, nil},
		{"OtherSecretIsRefused", nil, http.MethodPost, now, "other", http.StatusUnauthorized, nil},
		{"TenMinutesOldIsRefused", nil, http.MethodPost, now - 600, secret, http.StatusUnauthorized, nil},
		{"GetIsNotAllowed", nil, http.MethodGet, now, secret, http.StatusMethodNotAllowed, nil},
		{"SignedNowIsAnsweredWithTheFile", helpAck, http.MethodPost, now, secret, http.StatusOK, helpAck},
		{"AnswerIsNotGivenToOtherSecret", helpAck, http.MethodPost, now, "other", http.StatusUnauthorized, nil},
		{"AnswerIsNotGivenTenMinutesLate", helpAck, http.MethodPost, now - 600, secret, http.StatusUnauthorized, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			req := httptest.NewRequest(tc.method, "/slack/commands", strings.NewReader(body))
			req.Header.Set("X-Slack-Request-Timestamp", strconv.FormatInt(tc.ts, 10))
			req.Header.Set("X-Slack-Signature", sign(tc.key, tc.ts))
			rec := httptest.NewRecorder()
			verified(secret, tc.answer).ServeHTTP(rec, req)
			if rec.Code != tc.want {
				t.Fatalf("status = %d, want %d", rec.Code, tc.want)
			}
			if tc.want != http.StatusOK {
				if strings.Contains(rec.Body.String(), "ephemeral") {
					t.Errorf("a refused request got the answer: %q", rec.Body.String())
				}
				return
			}
			if got := rec.Body.String(); got != string(tc.wantBody) {
				t.Errorf("body = %d bytes %.60q…, want %d bytes", len(got), got, len(tc.wantBody))
			}
			wantType, wantLength := "", ""
			if tc.wantBody != nil {
				wantType, wantLength = "application/json", strconv.Itoa(len(tc.wantBody))
			}
			if got := rec.Header().Get("Content-Type"); got != wantType {
				t.Errorf("Content-Type = %q, want %q", got, wantType)
			}
			if got := rec.Header().Get("Content-Length"); got != wantLength {
				t.Errorf("Content-Length = %q, want %q", got, wantLength)
			}
		})
	}
}

// The answer goes out whole over a real connection, with the length it
// announces: what the load generator reads is the file.
func TestAnswerOverHTTP(t *testing.T) {
	t.Parallel()
	const secret = "bench-secret"
	answer := []byte(`{"response_type":"ephemeral","text":"` + strings.Repeat("é", 1200) + `"}`)
	server := httptest.NewServer(verified(secret, answer))
	defer server.Close()
	body := "command=%2Fcatweete&text=help"
	ts := time.Now().Unix()
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte("v0:" + strconv.FormatInt(ts, 10) + ":" + body))
	req, err := http.NewRequest(http.MethodPost, server.URL+"/slack/commands", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Slack-Request-Timestamp", strconv.FormatInt(ts, 10))
	req.Header.Set("X-Slack-Signature", "v0="+hex.EncodeToString(mac.Sum(nil)))
	resp, err := server.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || string(got) != string(answer) {
		t.Errorf("status %d, body of %d bytes; want 200 and %d bytes", resp.StatusCode, len(got), len(answer))
	}
	if resp.ContentLength != int64(len(answer)) || len(resp.TransferEncoding) != 0 {
		t.Errorf("Content-Length %d, Transfer-Encoding %v; want %d and none", resp.ContentLength, resp.TransferEncoding, len(answer))
	}
}

func TestLoadAnswer(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, tc := range []struct {
		name    string
		content *string // nil: no such file
		ok      bool
	}{
		{"JSONBodyIsRead", ptr(`{"response_type":"ephemeral","text":"aide"}`), true},
		{"EmptyFileIsRefused", ptr(""), false},
		{"TextIsRefused", ptr("Voici l'aide"), false},
		{"MissingFileIsRefused", nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(dir, tc.name+".json")
			if tc.content != nil {
				if err := os.WriteFile(path, []byte(*tc.content), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			answer, err := loadAnswer(path)
			if (err == nil) != tc.ok {
				t.Fatalf("loadAnswer = %q, %v; want ok=%v", answer, err, tc.ok)
			}
			if tc.ok && string(answer) != *tc.content {
				t.Errorf("answer = %q, want %q", answer, *tc.content)
			}
		})
	}
}

func ptr(s string) *string { return &s }
