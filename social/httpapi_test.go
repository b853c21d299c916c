package social

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

var now = time.Date(2024, 6, 3, 9, 30, 0, 0, time.UTC)

func answer(code int, body string, headers ...string) *http.Response {
	h := http.Header{}
	for i := 0; i+1 < len(headers); i += 2 {
		h.Set(headers[i], headers[i+1])
	}
	return &http.Response{StatusCode: code, Header: h, Body: io.NopCloser(strings.NewReader(body))}
}

func TestStatusError(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		resp        *http.Response
		words, hint string
		class       Class
		retryAfter  time.Duration
		message     string
	}{
		{"RateLimited", answer(429, "", "Retry-After", "30"), "slow down", "", Transient, 30 * time.Second, "slow down"},
		{"ServerError", answer(503, ""), "", "", Transient, 0, "Service Unavailable"},
		{"ServerErrorWithRetryAfter", answer(500, "", "Retry-After", "5"), "oops", "", Transient, 5 * time.Second, "oops"},
		{"Refused", answer(422, ""), "Text character limit of 500 exceeded", "", Permanent, 0, "Text character limit of 500 exceeded"},
		{"NoWordsNoStatusText", answer(499, ""), "", "", Permanent, 0, "unexpected answer"},
		{"Redirect", answer(301, "", "Location", "https://elsewhere.example/"), "Moved", "set X_URL to it", Permanent, 0,
			"the server redirects to https://elsewhere.example/: set X_URL to it"},
		{"RedirectWithoutHint", answer(302, "", "Location", "https://elsewhere.example/"), "", "", Permanent, 0,
			"the server redirects to https://elsewhere.example/"},
		{"RedirectWithoutLocation", answer(304, ""), "", "set X_URL", Permanent, 0, "Not Modified"},
		{"SecretsAreBlanked", answer(401, ""), "bad token s3cret", "", Permanent, 0, "bad token [redacted]"},
		{"SecretsAreBlankedInLocation", answer(307, "", "Location", "https://x.example/?t=s3cret"), "", "check", Permanent, 0,
			"the server redirects to https://x.example/?t=[redacted]: check"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := StatusError(tt.resp, "net", tt.words, tt.hint, now, "s3cret")
			want := Error{Network: "net", Class: tt.class, Status: tt.resp.StatusCode, RetryAfter: tt.retryAfter, Message: tt.message}
			if *e != want {
				t.Errorf("StatusError = %+v, want %+v", *e, want)
			}
		})
	}
}

func TestSend(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/ok":
			io.WriteString(w, `{"id":"1"}`)
		case "/short", "/short-error":
			// Promise more than is sent: the client's read fails.
			w.Header().Set("Content-Length", "100")
			if r.URL.Path == "/short-error" {
				w.WriteHeader(http.StatusBadRequest)
			}
			io.WriteString(w, `{"error":"cut`)
		case "/hang":
			<-r.Context().Done()
		}
	}))
	t.Cleanup(srv.Close)
	get := func(ctx context.Context, path string) *http.Request {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		return req
	}

	t.Run("Answer", func(t *testing.T) {
		t.Parallel()
		resp, body, err := Send(srv.Client(), get(context.Background(), "/ok"), "net")
		if err != nil || resp.StatusCode != 200 || string(body) != `{"id":"1"}` {
			t.Fatalf("Send = %v, %q, %v", resp, body, err)
		}
		var out struct{ ID string }
		if err := DecodeJSON("net", resp.StatusCode, body, &out, "Net"); err != nil || out.ID != "1" {
			t.Errorf("DecodeJSON = %+v, %v", out, err)
		}
	})
	t.Run("NotJSON", func(t *testing.T) {
		t.Parallel()
		var out struct{ ID string }
		err := DecodeJSON("net", 200, []byte("<html>"), &out, "the Graph API")
		var e *Error
		if !errors.As(err, &e) || e.Class != Transient || e.Status != 200 || e.Message != "the answer is not the JSON the Graph API documents" {
			t.Errorf("DecodeJSON = %v, want a Transient *Error", err)
		}
	})
	t.Run("CutShortIsTransient", func(t *testing.T) {
		t.Parallel()
		_, _, err := Send(srv.Client(), get(context.Background(), "/short"), "net")
		var e *Error
		if !errors.As(err, &e) || e.Class != Transient || e.Status != 200 || e.Message != "the answer was cut short" {
			t.Errorf("Send = %v, want a Transient *Error", err)
		}
		if !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Errorf("err = %v, want it to wrap the read error", err)
		}
	})
	t.Run("CutShortErrorKeepsItsWords", func(t *testing.T) {
		t.Parallel()
		resp, body, err := Send(srv.Client(), get(context.Background(), "/short-error"), "net")
		if err != nil || resp.StatusCode != 400 || string(body) != `{"error":"cut` {
			t.Errorf("Send = %v, %q, %v; want the 400 and what was read of it", resp, body, err)
		}
	})
	t.Run("NoAnswer", func(t *testing.T) {
		t.Parallel()
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		resp, _, err := Send(srv.Client(), get(ctx, "/hang"), "net")
		var e *Error
		if resp != nil || !errors.As(err, &e) || e.Class != Transient || e.Status != 0 || e.Message != "the server did not answer in time" {
			t.Errorf("Send = %v, %v; want a Transient *Error without a status", resp, err)
		}
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("err = %v, want it to wrap the context's error", err)
		}
	})
}
