package bluesky

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"catweete/social"
	"catweete/social/socialtest"
)

// The account the tests speak for. The password and every token hold
// "s3cr" so that a leak into an error is easy to spot.
const (
	testHandle   = "brand.bsky.social"
	testDID      = "did:plc:ewvi7nxzyoun6zhxrhs64oiz"
	testPassword = "s3cr-3t00-aaaa-bbbb"
	testKey      = "3kzq7tcmfzs2a" // a TID
	secretMarker = "s3cr"
)

// testNow is the clock the clients under test start at: createdAt, token
// expiries and rate-limit resets are written relative to it.
var testNow = time.Date(2024, 6, 3, 9, 30, 0, 123456789, time.UTC)

// clock is a settable clock, for tests that move time forward.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	c.now = t
	c.mu.Unlock()
}

// testJWT returns an (unsigned) JWT in the shape the PDS issues, expiring at
// exp; tag names it in assertions.
func testJWT(tag string, exp time.Time) string {
	enc := base64.RawURLEncoding.EncodeToString
	header := enc([]byte(`{"typ":"at+jwt","alg":"ES256K"}`))
	payload := enc(fmt.Appendf(nil, `{"scope":"com.atproto.access","sub":%q,"iat":%d,"exp":%d,"aud":"did:web:pds.example"}`,
		testDID, exp.Add(-2*time.Hour).Unix(), exp.Unix()))
	return header + "." + payload + "." + secretMarker + "-" + tag
}

// seen is a request the fake server received.
type seen struct {
	Method, NSID, Query        string
	Authorization, ContentType string
	Body                       map[string]any
}

// handler answers one XRPC method; body is the request's decoded JSON.
type handler func(s *server, w http.ResponseWriter, r *http.Request, body map[string]any)

// server is one httptest.Server answering as a PDS and AppView do: each
// test gives the methods it cares about, and createSession, refreshSession
// and getRecord have documented defaults.
type server struct {
	t     *testing.T
	clock *clock
	url   string

	mu       sync.Mutex
	requests []seen
	handlers map[string]handler
	access   []string // access tokens issued, oldest first
	refresh  []string // refresh tokens issued, oldest first
}

// setup starts a server answering with handlers (by NSID) and a client
// pointed at it, for both the PDS and the AppView (with a trailing slash,
// which must be tolerated).
func setup(t *testing.T, handlers map[string]handler) (*Client, *server) {
	t.Helper()
	s := newServer(t, handlers)
	c, err := New(Config{PDSURL: s.url + "/", AppViewURL: s.url, Handle: "@" + testHandle, AppPassword: testPassword + "\n"})
	if err != nil {
		t.Fatal(err)
	}
	c.nowFunc = s.clock.Now
	return c, s
}

// newServer starts the fake server alone.
func newServer(t *testing.T, handlers map[string]handler) *server {
	t.Helper()
	s := &server{t: t, clock: &clock{now: testNow}, handlers: map[string]handler{
		"com.atproto.server.createSession":  (*server).createSession,
		"com.atproto.server.refreshSession": (*server).refreshSession,
		"com.atproto.repo.getRecord":        fixed(400, `{"error":"RecordNotFound","message":"Could not locate record: at://`+testDID+`/app.bsky.feed.post/`+testKey+`"}`),
	}}
	for nsid, h := range handlers {
		s.handlers[nsid] = h
	}
	srv := httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(srv.Close)
	s.url = srv.URL
	return s
}

func (s *server) serve(w http.ResponseWriter, r *http.Request) {
	nsid, ok := strings.CutPrefix(r.URL.Path, "/xrpc/")
	if !ok {
		s.t.Errorf("request to %s, want /xrpc/…", r.URL.Path)
	}
	req := seen{
		Method:        r.Method,
		NSID:          nsid,
		Query:         r.URL.RawQuery,
		Authorization: r.Header.Get("Authorization"),
		ContentType:   r.Header.Get("Content-Type"),
	}
	if b, _ := io.ReadAll(r.Body); len(b) > 0 {
		if err := json.Unmarshal(b, &req.Body); err != nil {
			s.t.Errorf("%s: request body is not JSON: %v: %s", nsid, err, b)
		}
	}
	s.mu.Lock()
	s.requests = append(s.requests, req)
	h := s.handlers[nsid]
	s.mu.Unlock()
	if h == nil {
		fixed(501, `{"error":"MethodNotImplemented","message":"Method Not Implemented"}`)(s, w, r, nil)
		return
	}
	h(s, w, r, req.Body)
}

// seen returns the requests so far, oldest first.
func (s *server) seen() []seen {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]seen(nil), s.requests...)
}

// calls returns the NSIDs of the requests so far, in order.
func (s *server) calls() []string {
	var out []string
	for _, r := range s.seen() {
		out = append(out, r.NSID)
	}
	return out
}

// count returns how many requests went to nsid.
func (s *server) count(nsid string) int {
	n := 0
	for _, r := range s.seen() {
		if r.NSID == nsid {
			n++
		}
	}
	return n
}

// token returns the n-th access or refresh token issued (from 1).
func (s *server) token(kind string, n int) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	list := s.access
	if kind == "refresh" {
		list = s.refresh
	}
	if n < 1 || n > len(list) {
		s.t.Fatalf("no %s token #%d: %d issued", kind, n, len(list))
	}
	return list[n-1]
}

// issue answers with a new session, as createSession and refreshSession do
// (https://docs.bsky.app/docs/api/com-atproto-server-create-session): an
// access token for 2 hours, a refresh token for 60 days.
func (s *server) issue(w http.ResponseWriter) {
	now := s.clock.Now()
	s.mu.Lock()
	n := len(s.access) + 1
	access := testJWT(fmt.Sprintf("access%d", n), now.Add(2*time.Hour))
	refresh := testJWT(fmt.Sprintf("refresh%d", n), now.Add(60*24*time.Hour))
	s.access = append(s.access, access)
	s.refresh = append(s.refresh, refresh)
	s.mu.Unlock()
	writeJSON(w, 200, fmt.Sprintf(`{"accessJwt":%q,"refreshJwt":%q,"handle":%q,"did":%q,`+
		`"email":"social@brand.example","emailConfirmed":true,"active":true}`, access, refresh, testHandle, testDID))
}

// createSession checks the credentials and opens a session.
func (s *server) createSession(w http.ResponseWriter, r *http.Request, body map[string]any) {
	if body["identifier"] != testHandle || body["password"] != testPassword {
		fixed(401, `{"error":"AuthenticationRequired","message":"Invalid identifier or password"}`)(s, w, r, body)
		return
	}
	s.issue(w)
}

// refreshSession accepts the latest refresh token only.
func (s *server) refreshSession(w http.ResponseWriter, r *http.Request, body map[string]any) {
	s.mu.Lock()
	ok := len(s.refresh) > 0 && r.Header.Get("Authorization") == "Bearer "+s.refresh[len(s.refresh)-1]
	s.mu.Unlock()
	if !ok {
		fixed(400, `{"error":"ExpiredToken","message":"Token has been revoked"}`)(s, w, r, body)
		return
	}
	s.issue(w)
}

// validAccess reports whether r carries the latest access token.
func (s *server) validAccess(r *http.Request) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.access) > 0 && r.Header.Get("Authorization") == "Bearer "+s.access[len(s.access)-1]
}

// created answers createRecord as the PDS does for a new record.
func created(w http.ResponseWriter, body map[string]any) {
	writeJSON(w, 200, fmt.Sprintf(`{"uri":"at://%s/app.bsky.feed.post/%s","cid":"bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm",`+
		`"commit":{"cid":"bafyreihy6g6vqn4ibszrjeq3xl7u6n3h2f7tmbdsp3ha5pmbvxc2i7xhza","rev":"3kzq7tcmfzs2b"},"validationStatus":"valid"}`,
		body["repo"], body["rkey"]))
}

// createRecord is a createRecord that accepts the latest access token.
func createRecord(s *server, w http.ResponseWriter, r *http.Request, body map[string]any) {
	if !s.validAccess(r) {
		fixed(400, `{"error":"ExpiredToken","message":"Token has expired"}`)(s, w, r, body)
		return
	}
	created(w, body)
}

// fixed always answers code with body and the given headers (name, value…).
func fixed(code int, body string, headers ...string) handler {
	return func(_ *server, w http.ResponseWriter, r *http.Request, _ map[string]any) {
		for i := 0; i+1 < len(headers); i += 2 {
			w.Header().Set(headers[i], headers[i+1])
		}
		writeJSON(w, code, body)
	}
}

// writeJSON writes body, with a JSON content type when it looks like JSON
// and the rate-limit headers the PDS sends on every answer.
func writeJSON(w http.ResponseWriter, code int, body string) {
	if strings.HasPrefix(body, "{") {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
	} else {
		w.Header().Set("Content-Type", "text/html")
	}
	for _, h := range [][2]string{
		{"Ratelimit-Limit", "5000"},
		{"Ratelimit-Remaining", "4997"},
		{"Ratelimit-Reset", fmt.Sprint(testNow.Add(time.Hour).Unix())},
		{"Ratelimit-Policy", "5000;w=3600"},
	} {
		if w.Header().Get(h[0]) == "" {
			w.Header().Set(h[0], h[1])
		}
	}
	w.WriteHeader(code)
	io.WriteString(w, body)
}

// checkError asserts that err is a classified *social.Error and that no
// secret appears anywhere in it.
func checkError(t *testing.T, err error, class social.Class, status int, retryAfter time.Duration) *social.Error {
	t.Helper()
	return socialtest.CheckError(t, err, social.NetworkBluesky, class, status, retryAfter, secretMarker)
}

// post is the post the publish tests send.
var post = social.Post{Text: "Ça tweete ! 🎉", IdempotencyKey: testKey}

// wantPublished is what Publish returns for post.
var wantPublished = social.Published{
	ID:  "at://" + testDID + "/app.bsky.feed.post/" + testKey,
	URL: "https://bsky.app/profile/brand.bsky.social/post/" + testKey,
}

func TestPublishSendsThePostRecord(t *testing.T) {
	t.Parallel()
	c, srv := setup(t, map[string]handler{"com.atproto.repo.createRecord": createRecord})
	// Accents, an emoji and a ZWJ family before the first link: offsets in
	// bytes, runes and UTF-16 units all differ.
	text := "Café crème 🎉👨‍👩‍👧 à lire : https://example.com/été?x=1. Et (https://go.dev/doc)!"

	got, err := c.Publish(context.Background(), social.Post{Text: text, IdempotencyKey: testKey})
	if err != nil {
		t.Fatalf("Publish: %v", err)
	}
	if got != wantPublished {
		t.Errorf("Publish = %+v, want %+v", got, wantPublished)
	}

	reqs := srv.seen()
	if fmt.Sprint(srv.calls()) != "[com.atproto.server.createSession com.atproto.repo.createRecord]" {
		t.Fatalf("calls = %v", srv.calls())
	}
	login := reqs[0]
	if login.Method != "POST" || login.Authorization != "" || login.ContentType != "application/json" {
		t.Errorf("createSession request = %+v", login)
	}
	if login.Body["identifier"] != testHandle || login.Body["password"] != testPassword {
		t.Errorf("createSession body = %v", login.Body)
	}

	r := reqs[1]
	if r.Method != "POST" || r.Authorization != "Bearer "+srv.token("access", 1) || r.ContentType != "application/json" {
		t.Errorf("createRecord request = %+v", r)
	}
	want := map[string]any{
		"repo":       testDID,
		"collection": "app.bsky.feed.post",
		"rkey":       testKey,
		"record": map[string]any{
			"$type":     "app.bsky.feed.post",
			"text":      text,
			"createdAt": "2024-06-03T09:30:00.123Z",
			"facets": []any{
				map[string]any{
					"index":    map[string]any{"byteStart": 46.0, "byteEnd": 75.0},
					"features": []any{map[string]any{"$type": "app.bsky.richtext.facet#link", "uri": "https://example.com/été?x=1"}},
				},
				map[string]any{
					"index":    map[string]any{"byteStart": 81.0, "byteEnd": 99.0},
					"features": []any{map[string]any{"$type": "app.bsky.richtext.facet#link", "uri": "https://go.dev/doc"}},
				},
			},
		},
	}
	gotJSON, _ := json.Marshal(r.Body)
	wantJSON, _ := json.Marshal(want)
	if string(gotJSON) != string(wantJSON) {
		t.Errorf("createRecord body =\n %s\nwant\n %s", gotJSON, wantJSON)
	}
	// The offsets are UTF-8 bytes: they cut exactly the URLs out of the text.
	if text[46:75] != "https://example.com/été?x=1" || text[81:99] != "https://go.dev/doc" {
		t.Errorf("the expected offsets are wrong: %q, %q", text[46:75], text[81:99])
	}
}

func TestPublishWithoutLinksSendsNoFacets(t *testing.T) {
	t.Parallel()
	c, srv := setup(t, map[string]handler{"com.atproto.repo.createRecord": createRecord})
	if _, err := c.Publish(context.Background(), post); err != nil {
		t.Fatalf("Publish: %v", err)
	}
	rec := srv.seen()[1].Body["record"].(map[string]any)
	if _, ok := rec["facets"]; ok {
		t.Errorf("record = %v, want no facets", rec)
	}
}

func TestPublishAnswerWithoutURIStillNamesThePost(t *testing.T) {
	t.Parallel()
	c, _ := setup(t, map[string]handler{"com.atproto.repo.createRecord": fixed(200, `{}`)})
	got, err := c.Publish(context.Background(), post)
	if err != nil || got != wantPublished {
		t.Errorf("Publish = %+v, %v; want %+v", got, err, wantPublished)
	}
}

func TestPublish(t *testing.T) {
	t.Parallel()
	longError := strings.Repeat("Invalid app.bsky.feed.post record: ", 20)
	tests := []struct {
		name    string
		handler handler
		// For failures:
		class      social.Class
		status     int
		retryAfter time.Duration
		message    string // exact, unless messageHas is set
		messageHas string
		getRecord  bool // a getRecord follows, to rule out a duplicate
	}{
		{
			name:    "InvalidRecordIsPermanent",
			handler: fixed(400, `{"error":"InvalidRequest","message":"Invalid app.bsky.feed.post record: Record/text must not be longer than 300 graphemes"}`),
			class:   social.Permanent, status: 400,
			message: "Invalid app.bsky.feed.post record: Record/text must not be longer than 300 graphemes",
		},
		{
			name:    "ErrorWithoutMessageGivesItsName",
			handler: fixed(400, `{"error":"InvalidSwap"}`),
			class:   social.Permanent, status: 400,
			message: "InvalidSwap",
		},
		{
			name:    "AuthenticationRequiredIsPermanent",
			handler: fixed(401, `{"error":"AuthenticationRequired","message":"Authentication Required"}`),
			class:   social.Permanent, status: 401,
			message: "Authentication Required",
		},
		{
			name:    "TakenDownAccountIsPermanent",
			handler: fixed(403, `{"error":"AccountTakedown","message":"Account has been taken down"}`),
			class:   social.Permanent, status: 403,
			message: "Account has been taken down",
		},
		{
			name:    "UnprocessableIsPermanent",
			handler: fixed(422, `{"error":"InvalidRequest","message":"Unprocessable"}`),
			class:   social.Permanent, status: 422,
			message: "Unprocessable",
		},
		{
			name:    "HTMLErrorPageGivesStatusText",
			handler: fixed(413, "<html><body>413 Request Entity Too Large</body></html>"),
			class:   social.Permanent, status: 413,
			message: "Request Entity Too Large",
		},
		{
			name: "RateLimitedWithRatelimitReset",
			handler: fixed(429, `{"error":"RateLimitExceeded","message":"Rate Limit Exceeded"}`,
				"Ratelimit-Limit", "5000", "Ratelimit-Remaining", "0", "Ratelimit-Policy", "5000;w=3600",
				"Ratelimit-Reset", fmt.Sprint(testNow.Unix()+600)),
			class: social.Transient, status: 429, retryAfter: time.Unix(testNow.Unix()+600, 0).Sub(testNow),
			message: "Rate Limit Exceeded",
		},
		{
			name:    "RateLimitedWithRetryAfter",
			handler: fixed(429, `{"error":"RateLimitExceeded","message":"Rate Limit Exceeded"}`, "Retry-After", "120", "Ratelimit-Reset", fmt.Sprint(testNow.Unix()+3600)),
			class:   social.Transient, status: 429, retryAfter: 120 * time.Second,
			message: "Rate Limit Exceeded",
		},
		{
			name:    "RateLimitResetAsADelay",
			handler: fixed(429, `{"error":"RateLimitExceeded","message":"Rate Limit Exceeded"}`, "Ratelimit-Reset", "90"),
			class:   social.Transient, status: 429, retryAfter: 90 * time.Second,
			message: "Rate Limit Exceeded",
		},
		{
			name:    "RateLimitResetInThePastMeansNoWait",
			handler: fixed(429, `{"error":"RateLimitExceeded","message":"Rate Limit Exceeded"}`, "Ratelimit-Reset", fmt.Sprint(testNow.Unix()-60)),
			class:   social.Transient, status: 429, retryAfter: 0,
			message: "Rate Limit Exceeded",
		},
		{
			name:    "BadGatewayIsTransient",
			handler: fixed(502, "<html><body><h1>502 Bad Gateway</h1></body></html>"),
			class:   social.Transient, status: 502,
			message: "Bad Gateway", getRecord: true,
		},
		{
			name:    "ServiceUnavailableHonoursRetryAfter",
			handler: fixed(503, `{"error":"InternalServerError","message":"Service Unavailable"}`, "Retry-After", "30"),
			class:   social.Transient, status: 503, retryAfter: 30 * time.Second,
			message: "Service Unavailable", getRecord: true,
		},
		{
			name:    "RatelimitResetIsIgnoredOnServerErrors",
			handler: fixed(500, `{"error":"InternalServerError","message":"Internal Server Error"}`, "Ratelimit-Reset", fmt.Sprint(testNow.Unix()+600)),
			class:   social.Transient, status: 500,
			message: "Internal Server Error", getRecord: true,
		},
		{
			name:    "LongMessageIsCut",
			handler: fixed(400, fmt.Sprintf(`{"error":"InvalidRequest","message":%q}`, longError)),
			class:   social.Permanent, status: 400,
			messageHas: "Invalid app.bsky.feed.post record: Invalid",
		},
		{
			name:    "EchoedPasswordIsRedacted",
			handler: fixed(400, fmt.Sprintf(`{"error":"InvalidRequest","message":"bad input: password=%s"}`, testPassword)),
			class:   social.Permanent, status: 400,
			message: "bad input: password=[redacted]",
		},
		{
			name: "EchoedTokenIsRedacted",
			handler: func(s *server, w http.ResponseWriter, r *http.Request, body map[string]any) {
				fixed(400, fmt.Sprintf(`{"error":"InvalidRequest","message":"unexpected header: %s"}`, r.Header.Get("Authorization")))(s, w, r, body)
			},
			class: social.Permanent, status: 400,
			message: "unexpected header: Bearer [redacted]",
		},
		{
			name:    "SuccessThatIsNotJSONIsTransient",
			handler: fixed(200, "<html>Welcome to our Wi-Fi</html>"),
			class:   social.Transient, status: 200,
			message: "the answer is not the JSON the server documents",
		},
		{
			name:    "RedirectIsNotFollowed",
			handler: fixed(308, "", "Location", "https://pds.example/xrpc/com.atproto.repo.createRecord"),
			class:   social.Permanent, status: 308,
			messageHas: "https://pds.example/xrpc/com.atproto.repo.createRecord",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, srv := setup(t, map[string]handler{"com.atproto.repo.createRecord": tt.handler})

			got, err := c.Publish(context.Background(), post)

			want := "[com.atproto.server.createSession com.atproto.repo.createRecord]"
			if tt.getRecord {
				want = "[com.atproto.server.createSession com.atproto.repo.createRecord com.atproto.repo.getRecord]"
			}
			if fmt.Sprint(srv.calls()) != want {
				t.Errorf("calls = %v, want %v", srv.calls(), want)
			}
			se := checkError(t, err, tt.class, tt.status, tt.retryAfter)
			switch {
			case tt.messageHas != "":
				if !strings.Contains(se.Message, tt.messageHas) {
					t.Errorf("Message = %q, want it to contain %q", se.Message, tt.messageHas)
				}
			case se.Message != tt.message:
				t.Errorf("Message = %q, want %q", se.Message, tt.message)
			}
			if !strings.HasPrefix(err.Error(), "publish: bluesky: ") {
				t.Errorf("err = %q, want it to say what failed", err)
			}
			if got != (social.Published{}) {
				t.Errorf("Publish returned %+v with an error", got)
			}
		})
	}
}

func TestPublishRefusesWithoutCallingTheNetwork(t *testing.T) {
	t.Parallel()
	family := "👨‍👩‍👧‍👦" // one grapheme, 25 bytes
	tests := []struct {
		name, text, key, messageHas string
	}{
		{"EmptyKey", "Bonjour", "", "not a TID"},
		{"KeyTooShort", "Bonjour", "3kzq7tcmfzs2", "not a TID"},
		{"KeyTooLong", "Bonjour", "3kzq7tcmfzs2aa", "not a TID"},
		{"KeyWithTopBitSet", "Bonjour", "kkzq7tcmfzs2a", "not a TID"},
		{"KeyInUpperCase", "Bonjour", "3KZQ7TCMFZS2A", "not a TID"},
		{"KeyOutsideTheAlphabet", "Bonjour", "3kzq7tcmfzs21", "not a TID"},
		{"KeyThatIsAUUID", "Bonjour", "0b5e4c1e-delivery", "not a TID"},
		{"KeyWithNewline", "Bonjour", "3kzq7tcmfzs2\n", "not a TID"},
		{"EmptyText", " \n ", testKey, "empty"},
		{"InvalidUTF8", "Caf\xe9", testKey, "UTF-8"},
		{"Over300Graphemes", strings.Repeat("é", 301), testKey, "301 characters long, over Bluesky's limit of 300"},
		{"Over3000Bytes", strings.Repeat(family, 121), testKey, "3025 bytes long, over Bluesky's limit of 3000 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, srv := setup(t, nil)
			_, err := c.Publish(context.Background(), social.Post{Text: tt.text, IdempotencyKey: tt.key})
			se := checkError(t, err, social.Permanent, 0, 0)
			if !strings.Contains(se.Message, tt.messageHas) {
				t.Errorf("Message = %q, want it to contain %q", se.Message, tt.messageHas)
			}
			if n := len(srv.seen()); n != 0 {
				t.Errorf("server got %d requests, want 0", n)
			}
		})
	}
}

func TestPublishAtTheLimits(t *testing.T) {
	t.Parallel()
	c, srv := setup(t, map[string]handler{"com.atproto.repo.createRecord": createRecord})
	for _, text := range []string{
		strings.Repeat("é", 300),
		strings.Repeat("👨‍👩‍👧‍👦", 120), // 120 graphemes, 3000 bytes exactly
	} {
		if _, err := c.Publish(context.Background(), social.Post{Text: text, IdempotencyKey: testKey}); err != nil {
			t.Errorf("Publish(%d bytes): %v", len(text), err)
		}
	}
	if n := srv.count("com.atproto.repo.createRecord"); n != 2 {
		t.Errorf("createRecord calls = %d, want 2", n)
	}
}

func TestPublishHangingServerIsTransient(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	c, _ := setup(t, map[string]handler{"com.atproto.repo.createRecord": func(s *server, w http.ResponseWriter, r *http.Request, body map[string]any) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}})
	t.Cleanup(func() { close(release) }) // runs before the server closes
	c.http = &http.Client{Timeout: 200 * time.Millisecond}

	start := time.Now()
	_, err := c.Publish(context.Background(), post)
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Publish took %v with a 200ms timeout", d)
	}
	se := checkError(t, err, social.Transient, 0, 0)
	if se.Message != "the server did not answer in time" {
		t.Errorf("Message = %q", se.Message)
	}
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Errorf("err = %v, want it to wrap the client's timeout", err)
	}
}

func TestPublishCanceledContextIsTransient(t *testing.T) {
	t.Parallel()
	c, _ := setup(t, map[string]handler{"com.atproto.repo.createRecord": func(s *server, w http.ResponseWriter, r *http.Request, body map[string]any) {
		<-r.Context().Done()
	}})
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)

	_, err := c.Publish(ctx, post)
	checkError(t, err, social.Transient, 0, 0)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want it to wrap context.Canceled", err)
	}
}

func TestPublishUnreachableServerIsTransient(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.NotFoundHandler())
	base := srv.URL
	srv.Close() // nothing listens there any more

	c, err := New(Config{PDSURL: base, AppViewURL: base, Handle: testHandle, AppPassword: testPassword})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Publish(context.Background(), post)
	checkError(t, err, social.Transient, 0, 0)
}

func TestPublishReadsAtMostOneMebibyte(t *testing.T) {
	t.Parallel()
	c, _ := setup(t, map[string]handler{"com.atproto.repo.createRecord": func(s *server, w http.ResponseWriter, r *http.Request, body map[string]any) {
		w.WriteHeader(http.StatusBadRequest)
		io.WriteString(w, `{"error":"InvalidRequest","message":"`)
		chunk := strings.Repeat("a", 64<<10)
		for range 64 { // 4 MiB, far past the cap
			if _, err := io.WriteString(w, chunk); err != nil {
				return
			}
		}
		io.WriteString(w, `"}`)
	}})
	_, err := c.Publish(context.Background(), post)
	// The cut body is not JSON any more: the status text stands in.
	se := checkError(t, err, social.Permanent, 400, 0)
	if se.Message != "Bad Request" {
		t.Errorf("Message = %q, want %q", se.Message, "Bad Request")
	}
}

func TestNew(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name                  string
		cfg                   Config
		wantPDS, wantAppView  string // "" means New must fail
		wantHandle, errHas    string
		wantPasswordFromInput string
	}{
		{"Defaults", Config{Handle: "brand.bsky.social", AppPassword: "abcd-efgh-ijkl-mnop"},
			"https://bsky.social", "https://public.api.bsky.app", "brand.bsky.social", "", "abcd-efgh-ijkl-mnop"},
		{"TrailingSlashAndPathPrefix", Config{PDSURL: "http://localhost:2583/pds//", AppViewURL: "https://appview.example/", Handle: "brand.example", AppPassword: "p"},
			"http://localhost:2583/pds", "https://appview.example", "brand.example", "", "p"},
		{"HandleWithAtAndPasswordFromAFile", Config{Handle: " @brand.bsky.social ", AppPassword: "abcd-efgh-ijkl-mnop\n"},
			"https://bsky.social", "https://public.api.bsky.app", "brand.bsky.social", "", "abcd-efgh-ijkl-mnop"},
		{"MissingHandle", Config{AppPassword: "p"}, "", "", "", "BLUESKY_HANDLE", ""},
		{"HandleWithSpace", Config{Handle: "brand bsky", AppPassword: "p"}, "", "", "", "BLUESKY_HANDLE", ""},
		{"MissingPassword", Config{Handle: "brand.bsky.social"}, "", "", "", "BLUESKY_APP_PASSWORD", ""},
		{"PasswordWithSpace", Config{Handle: "brand.bsky.social", AppPassword: "hunter2 s3cr"}, "", "", "", "BLUESKY_APP_PASSWORD", ""},
		{"RelativePDSURL", Config{PDSURL: "bsky.social", Handle: "b.example", AppPassword: "p"}, "", "", "", "BLUESKY_PDS_URL", ""},
		{"OtherScheme", Config{PDSURL: "ftp://bsky.social", Handle: "b.example", AppPassword: "p"}, "", "", "", "BLUESKY_PDS_URL", ""},
		{"CredentialsInURL", Config{PDSURL: "https://me:hunter2@bsky.social", Handle: "b.example", AppPassword: "p"}, "", "", "", "BLUESKY_PDS_URL", ""},
		{"QueryInURL", Config{PDSURL: "https://bsky.social/?a=1", Handle: "b.example", AppPassword: "p"}, "", "", "", "BLUESKY_PDS_URL", ""},
		{"BadAppViewURL", Config{AppViewURL: "public.api.bsky.app", Handle: "b.example", AppPassword: "p"}, "", "", "", "AppView URL", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := New(tt.cfg)
			if tt.wantPDS == "" {
				if err == nil {
					t.Fatal("New succeeded, want an error")
				}
				if !strings.Contains(err.Error(), tt.errHas) {
					t.Errorf("err = %v, want it to name %s", err, tt.errHas)
				}
				if strings.Contains(err.Error(), "hunter2") || strings.Contains(err.Error(), secretMarker) {
					t.Errorf("err = %v leaks a password", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			if c.pds != tt.wantPDS || c.appView != tt.wantAppView || c.handle != tt.wantHandle || c.password != tt.wantPasswordFromInput {
				t.Errorf("client = %q %q %q %q, want %q %q %q %q", c.pds, c.appView, c.handle, c.password,
					tt.wantPDS, tt.wantAppView, tt.wantHandle, tt.wantPasswordFromInput)
			}
			if c.Network() != social.NetworkBluesky || !c.Idempotent() {
				t.Errorf("Network = %q, Idempotent = %v", c.Network(), c.Idempotent())
			}
			if c.http == nil || c.http.Timeout != social.DefaultTimeout || c.http.CheckRedirect == nil {
				t.Errorf("default HTTP client = %+v, want a %v timeout and a redirect policy", c.http, social.DefaultTimeout)
			}
		})
	}
}

func TestNewKeepsTheGivenHTTPClient(t *testing.T) {
	t.Parallel()
	hc := &http.Client{}
	c, err := New(Config{Handle: "brand.bsky.social", AppPassword: "p", HTTPClient: hc})
	if err != nil {
		t.Fatal(err)
	}
	if c.http != hc {
		t.Error("New replaced the configured HTTP client")
	}
}

func TestDefaultClientFollowsRedirectsForGetOnly(t *testing.T) {
	t.Parallel()
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, `{"did":"`+testDID+`","handle":"`+testHandle+`","followersCount":3}`)
	}))
	t.Cleanup(target.Close)
	redirect := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target.URL+r.URL.RequestURI(), http.StatusFound)
	}))
	t.Cleanup(redirect.Close)
	c, err := New(Config{PDSURL: redirect.URL, AppViewURL: redirect.URL, Handle: testHandle, AppPassword: testPassword})
	if err != nil {
		t.Fatal(err)
	}
	if p, err := c.Profile(context.Background()); err != nil || p.Followers != social.Known(3) {
		t.Errorf("Profile through a redirect = %+v, %v", p, err)
	}
	_, err = c.Publish(context.Background(), post)
	se := checkError(t, err, social.Permanent, http.StatusFound, 0)
	if !strings.Contains(se.Message, target.URL) {
		t.Errorf("Message = %q, want it to name where the server points", se.Message)
	}
}
