package x

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"catweete/social"
	"catweete/social/socialtest"
)

// Client has the shape of every network client: the dispatcher's
// workflows.Publisher, plus Metrics and Profile for the numbers.
var _ interface {
	Network() string
	Idempotent() bool
	Publish(context.Context, social.Post) (social.Published, error)
	Length(string) (int, int)
	Metrics(context.Context, string) (social.Metrics, error)
	Profile(context.Context) (social.Profile, error)
} = (*Client)(nil)

// testToken is distinctive so that a leak into an error is easy to spot.
const testToken = "xtok-7b1e9c42-SECRET"

// testNow is the clock the clients under test read: x-rate-limit-reset
// times and Retry-After dates are written relative to it.
func testNow() time.Time { return time.Date(2024, 6, 3, 9, 30, 0, 0, time.UTC) }

// epoch is testNow plus d, as X writes its reset headers: Unix seconds.
func epoch(d time.Duration) string { return fmt.Sprint(testNow().Add(d).Unix()) }

// request is what the test server saw.
type request struct {
	Method, Path, Query        string
	Authorization, ContentType string
	Body                       map[string]any
}

// server is one httptest.Server answering as X, recording requests.
type server struct {
	mu       sync.Mutex
	requests []request
}

func (s *server) seen() []request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]request(nil), s.requests...)
}

// count returns how many requests had this method and path.
func (s *server) count(method, path string) int {
	n := 0
	for _, r := range s.seen() {
		if r.Method == method && r.Path == path {
			n++
		}
	}
	return n
}

// setup starts a server that records every request and answers with h, and
// a client pointed at it (with a trailing slash, which must be tolerated).
func setup(t *testing.T, h http.HandlerFunc) (*Client, *server) {
	t.Helper()
	s := &server{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req := request{
			Method:        r.Method,
			Path:          r.URL.Path,
			Query:         r.URL.RawQuery,
			Authorization: r.Header.Get("Authorization"),
			ContentType:   r.Header.Get("Content-Type"),
		}
		if b, _ := io.ReadAll(r.Body); len(b) > 0 {
			if err := json.Unmarshal(b, &req.Body); err != nil {
				t.Errorf("request body is not JSON: %v: %s", err, b)
			}
		}
		s.mu.Lock()
		s.requests = append(s.requests, req)
		s.mu.Unlock()
		h(w, r)
	}))
	t.Cleanup(srv.Close)
	c, err := New(Config{APIURL: srv.URL + "/", Token: testToken})
	if err != nil {
		t.Fatal(err)
	}
	c.nowFunc = testNow
	return c, s
}

// routes answers each "METHOD /path" with its handler, and fails the test
// on any other request.
func routes(t *testing.T, table map[string]http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		h, ok := table[r.Method+" "+r.URL.Path]
		if !ok {
			t.Errorf("unexpected request %s %s", r.Method, r.URL)
			http.NotFound(w, r)
			return
		}
		h(w, r)
	}
}

// reply writes a JSON answer with the given status and headers, with the
// rate-limit headers X sends on every answer unless the test sets them.
func reply(code int, body string, headers ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		for i := 0; i+1 < len(headers); i += 2 {
			w.Header().Set(headers[i], headers[i+1])
		}
		if strings.HasPrefix(body, "{") {
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
		} else {
			w.Header().Set("Content-Type", "text/html")
		}
		if w.Header().Get("x-rate-limit-reset") == "" {
			w.Header().Set("x-rate-limit-limit", "100")
			w.Header().Set("x-rate-limit-remaining", "99")
			w.Header().Set("x-rate-limit-reset", epoch(15*time.Minute))
		}
		w.WriteHeader(code)
		io.WriteString(w, body)
	}
}

// X's answers, as its documentation and real answers quoted in public
// issues show them.
const (
	meID = "1580661436132757506"

	// GET /2/users/me?user.fields=public_metrics
	meJSON = `{"data":{"id":"` + meID + `","name":"Ça tweete","username":"catweete",` +
		`"public_metrics":{"followers_count":1234,"following_count":56,"tweet_count":789,"listed_count":3,"like_count":10}}}`

	// 401 with an invalid or expired token.
	unauthorizedJSON = `{"title":"Unauthorized","type":"about:blank","status":401,"detail":"Unauthorized"}`
	// 403 for a text the account posted recently
	// (github.com/akrherz/iembot/issues/163).
	duplicateJSON = `{"detail":"You are not allowed to create a Tweet with duplicate content.","type":"about:blank","title":"Forbidden","status":403}`
	// 403 for anything else the token may not do.
	forbiddenJSON = `{"detail":"You are not permitted to perform this action.","type":"about:blank","title":"Forbidden","status":403}`
	// 429, with the x-rate-limit-* headers.
	tooManyJSON = `{"title":"Too Many Requests","detail":"Too Many Requests","type":"about:blank","status":429}`
	// 503 when X is overloaded.
	unavailableJSON = `{"title":"Service Unavailable","detail":"Service Unavailable","type":"about:blank","status":503}`
)

// createdJSON is POST /2/tweets' 201 answer.
func createdJSON(id, text string) string {
	t, _ := json.Marshal(text)
	return fmt.Sprintf(`{"data":{"edit_history_tweet_ids":[%q],"id":%q,"text":%s}}`, id, id, t)
}

// checkError asserts that err is a classified *social.Error and that the
// token appears nowhere in it, and returns it.
func checkError(t *testing.T, err error, class social.Class, status int, retryAfter time.Duration) *social.Error {
	t.Helper()
	return socialtest.CheckError(t, err, social.NetworkX, class, status, retryAfter, testToken)
}

func TestNew(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		cfg      Config
		wantBase string // "" means New must fail
		errHas   string
	}{
		{"DefaultAPIURL", Config{Token: "t"}, "https://api.x.com", ""},
		{"TrailingSlashIsTolerated", Config{APIURL: "https://api.x.com/", Token: "t"}, "https://api.x.com", ""},
		{"PathPrefixIsKept", Config{APIURL: "http://localhost:3000/x//", Token: "t"}, "http://localhost:3000/x", ""},
		{"TokenFromAFileIsTrimmed", Config{Token: "t\n"}, "https://api.x.com", ""},
		{"RelativeURL", Config{APIURL: "api.x.com", Token: "t"}, "", "X_API_URL"},
		{"OtherScheme", Config{APIURL: "ftp://api.x.com", Token: "t"}, "", "X_API_URL"},
		{"CredentialsInURL", Config{APIURL: "https://me:hunter2@api.x.com", Token: "t"}, "", "X_API_URL"},
		{"QueryInURL", Config{APIURL: "https://api.x.com/?a=1", Token: "t"}, "", "X_API_URL"},
		{"MissingToken", Config{}, "", "X_ACCESS_TOKEN"},
		{"TokenWithSpace", Config{Token: "Bearer abc"}, "", "X_ACCESS_TOKEN"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := New(tt.cfg)
			if tt.wantBase == "" {
				if err == nil {
					t.Fatal("New succeeded, want an error")
				}
				if !strings.Contains(err.Error(), tt.errHas) {
					t.Errorf("err = %v, want it to name %s", err, tt.errHas)
				}
				if strings.Contains(err.Error(), "hunter2") {
					t.Errorf("err = %v leaks the URL's password", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			if c.base != tt.wantBase {
				t.Errorf("base = %q, want %q", c.base, tt.wantBase)
			}
			if c.token != "t" {
				t.Errorf("token = %q, want it trimmed", c.token)
			}
			if c.http == nil || c.http.Timeout != social.DefaultTimeout || c.http.CheckRedirect == nil {
				t.Errorf("default HTTP client = %+v, want a %v timeout and no redirects", c.http, social.DefaultTimeout)
			}
		})
	}
}

func TestNewKeepsTheGivenHTTPClient(t *testing.T) {
	t.Parallel()
	hc := &http.Client{}
	c, err := New(Config{Token: "t", HTTPClient: hc})
	if err != nil {
		t.Fatal(err)
	}
	if c.http != hc {
		t.Error("New replaced the configured HTTP client")
	}
}

func TestClientDescribesTheNetwork(t *testing.T) {
	t.Parallel()
	c, err := New(Config{Token: "t"})
	if err != nil {
		t.Fatal(err)
	}
	if c.Network() != social.NetworkX {
		t.Errorf("Network = %q, want %q", c.Network(), social.NetworkX)
	}
	if c.Idempotent() {
		t.Error("Idempotent = true: X has no idempotency key, a lost answer must not be resent")
	}
}
