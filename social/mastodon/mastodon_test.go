package mastodon

import (
	"context"
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
	"unicode/utf8"

	"catweete/social"
	"catweete/social/socialtest"
)

// testToken is distinctive so that a leak into an error is easy to spot.
const testToken = "tok-3f9c2a71-SECRET"

// testNow is the clock the clients under test read: Retry-After dates and
// X-RateLimit-Reset times are written relative to it.
func testNow() time.Time { return time.Date(2024, 6, 3, 9, 30, 0, 0, time.UTC) }

// request is what the test server saw.
type request struct {
	Method, Path                               string
	Authorization, IdempotencyKey, ContentType string
	Body                                       map[string]any
}

// server is one httptest.Server answering as Mastodon, recording requests.
type server struct {
	mu       sync.Mutex
	requests []request
}

func (s *server) seen() []request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]request(nil), s.requests...)
}

// setup starts a server that records every request and answers with h, and a
// client pointed at it (with a trailing slash, which must be tolerated).
func setup(t *testing.T, h http.HandlerFunc) (*Client, *server) {
	t.Helper()
	s := &server{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req := request{
			Method:         r.Method,
			Path:           r.URL.Path,
			Authorization:  r.Header.Get("Authorization"),
			IdempotencyKey: r.Header.Get("Idempotency-Key"),
			ContentType:    r.Header.Get("Content-Type"),
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
	c, err := New(Config{BaseURL: srv.URL + "/", Token: testToken})
	if err != nil {
		t.Fatal(err)
	}
	c.nowFunc = testNow
	return c, s
}

// reply writes a JSON answer with the given status and headers.
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
		// Mastodon sends its rate-limit headers on every authenticated answer.
		if w.Header().Get("X-RateLimit-Reset") == "" {
			w.Header().Set("X-RateLimit-Limit", "300")
			w.Header().Set("X-RateLimit-Remaining", "299")
			w.Header().Set("X-RateLimit-Reset", "2024-06-03T09:35:00.000000Z")
		}
		w.WriteHeader(code)
		io.WriteString(w, body)
	}
}

// statusJSON is a Status entity as POST /api/v1/statuses returns it.
func statusJSON(id, url string) string {
	u := "null"
	if url != "" {
		u = fmt.Sprintf("%q", url)
	}
	return fmt.Sprintf(`{"id":%q,"created_at":"2024-06-03T09:30:00.123Z","in_reply_to_id":null,`+
		`"in_reply_to_account_id":null,"sensitive":false,"spoiler_text":"","visibility":"public",`+
		`"language":"fr","uri":"https://mastodon.example/users/catweete/statuses/%s","url":%s,`+
		`"replies_count":0,"reblogs_count":0,"favourites_count":0,"content":"<p>Ça tweete !</p>",`+
		`"account":{"id":"109","username":"catweete","acct":"catweete"},"media_attachments":[],`+
		`"mentions":[],"tags":[],"emojis":[],"card":null,"poll":null}`, id, id, u)
}

func TestPublish(t *testing.T) {
	t.Parallel()

	longError := strings.Repeat("Validation failed: ", 60)
	tests := []struct {
		name    string
		handler http.HandlerFunc
		want    social.Published
		// For failures:
		class       social.Class
		status      int
		retryAfter  time.Duration
		message     string // exact, unless messageHas is set
		messageHas  string
		checkLength bool
	}{
		{
			name:    "SuccessReturnsIDAndURL",
			handler: reply(200, statusJSON("112233445566778899", "https://mastodon.example/@catweete/112233445566778899")),
			want:    social.Published{ID: "112233445566778899", URL: "https://mastodon.example/@catweete/112233445566778899"},
		},
		{
			name:    "NullURLFallsBackToURI",
			handler: reply(200, statusJSON("42", "")),
			want:    social.Published{ID: "42", URL: "https://mastodon.example/users/catweete/statuses/42"},
		},
		{
			name:    "ValidationFailedIsPermanent",
			handler: reply(422, `{"error":"Validation failed: Text character limit of 500 exceeded"}`),
			class:   social.Permanent, status: 422,
			message: "Validation failed: Text character limit of 500 exceeded",
		},
		{
			name:    "InvalidTokenIsPermanent",
			handler: reply(401, `{"error":"The access token is invalid"}`, "WWW-Authenticate", `Bearer realm="Doorkeeper", error="invalid_token"`),
			class:   social.Permanent, status: 401,
			message: "The access token is invalid",
		},
		{
			name:    "OAuthErrorKeepsItsDescription",
			handler: reply(401, `{"error":"invalid_token","error_description":"The access token expired"}`),
			class:   social.Permanent, status: 401,
			message: "invalid_token: The access token expired",
		},
		{
			name:    "MissingScopeIsPermanent",
			handler: reply(403, `{"error":"This action is outside the authorized scopes"}`),
			class:   social.Permanent, status: 403,
			message: "This action is outside the authorized scopes",
		},
		{
			name:    "NotFoundIsPermanent",
			handler: reply(404, `{"error":"Record not found"}`),
			class:   social.Permanent, status: 404,
			message: "Record not found",
		},
		{
			name:    "OtherClientErrorIsPermanent",
			handler: reply(400, "<html>Bad Request</html>"),
			class:   social.Permanent, status: 400,
			message: "Bad Request",
		},
		{
			name:    "ServerErrorIsTransient",
			handler: reply(500, `{"error":"We're sorry, but something went wrong on our end."}`),
			class:   social.Transient, status: 500,
			message: "We're sorry, but something went wrong on our end.",
		},
		{
			name:    "HTMLErrorPageGivesStatusText",
			handler: reply(502, "<html><body><h1>502 Bad Gateway</h1>nginx</body></html>"),
			class:   social.Transient, status: 502,
			message: "Bad Gateway",
		},
		{
			name:    "ServiceUnavailableHonoursRetryAfter",
			handler: reply(503, "<html>maintenance</html>", "Retry-After", "30"),
			class:   social.Transient, status: 503, retryAfter: 30 * time.Second,
			message: "Service Unavailable",
		},
		{
			name:    "RateLimitedWithRetryAfterSeconds",
			handler: reply(429, `{"error":"Too many requests"}`, "Retry-After", "120", "X-RateLimit-Reset", "2024-06-03T10:30:00.000000Z"),
			class:   social.Transient, status: 429, retryAfter: 120 * time.Second,
			message: "Too many requests",
		},
		{
			name:    "RateLimitedWithRetryAfterDate",
			handler: reply(429, `{"error":"Too many requests"}`, "Retry-After", "Mon, 03 Jun 2024 09:31:30 GMT"),
			class:   social.Transient, status: 429, retryAfter: 90 * time.Second,
			message: "Too many requests",
		},
		{
			name: "RateLimitedWithRateLimitReset",
			handler: reply(429, `{"error":"Too many requests"}`,
				"X-RateLimit-Limit", "300", "X-RateLimit-Remaining", "0", "X-RateLimit-Reset", "2024-06-03T09:35:00.500000Z"),
			class: social.Transient, status: 429, retryAfter: 5*time.Minute + 500*time.Millisecond,
			message: "Too many requests",
		},
		{
			name:    "RateLimitResetInThePastMeansNoWait",
			handler: reply(429, `{"error":"Too many requests"}`, "X-RateLimit-Reset", "2024-06-03T09:00:00.000000Z"),
			class:   social.Transient, status: 429, retryAfter: 0,
			message: "Too many requests",
		},
		{
			name:    "RateLimitResetIsIgnoredOnServerErrors",
			handler: reply(500, `{"error":"boom"}`, "X-RateLimit-Reset", "2024-06-03T09:35:00.000000Z"),
			class:   social.Transient, status: 500, retryAfter: 0,
			message: "boom",
		},
		{
			name:    "LongMessageIsCut",
			handler: reply(422, fmt.Sprintf(`{"error":%q}`, longError)),
			class:   social.Permanent, status: 422,
			messageHas: "Validation failed: Validation failed:", checkLength: true,
		},
		{
			name:    "EchoedTokenIsRedacted",
			handler: reply(401, fmt.Sprintf(`{"error":"Invalid header: Authorization: Bearer %s"}`, testToken)),
			class:   social.Permanent, status: 401,
			message: "Invalid header: Authorization: Bearer [redacted]",
		},
		{
			name:    "SuccessThatIsNotJSONIsTransient",
			handler: reply(200, "<html>Welcome to our Wi-Fi</html>"),
			class:   social.Transient, status: 200,
			message: "the answer is not the JSON Mastodon documents",
		},
		{
			name:    "SuccessWithoutIDIsTransient",
			handler: reply(200, `{}`),
			class:   social.Transient, status: 200,
			message: "the answer has no status id",
		},
		{
			name:    "RedirectIsNotFollowed",
			handler: reply(301, "", "Location", "https://social.example/api/v1/statuses"),
			class:   social.Permanent, status: 301,
			messageHas: "https://social.example/api/v1/statuses",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, srv := setup(t, tt.handler)
			post := social.Post{Text: "Ça tweete ! <b>&</b> 🎉 https://example.com", IdempotencyKey: "delivery-17-3c1e"}

			got, err := c.Publish(context.Background(), post)

			reqs := srv.seen()
			if len(reqs) != 1 {
				t.Fatalf("server got %d requests, want 1", len(reqs))
			}
			want := request{
				Method:         "POST",
				Path:           "/api/v1/statuses",
				Authorization:  "Bearer " + testToken,
				IdempotencyKey: "delivery-17-3c1e",
				ContentType:    "application/json",
				Body:           map[string]any{"status": post.Text, "visibility": "public"},
			}
			if fmt.Sprint(reqs[0]) != fmt.Sprint(want) {
				t.Errorf("request =\n %+v\nwant\n %+v", reqs[0], want)
			}

			if tt.class == 0 {
				if err != nil {
					t.Fatalf("Publish: %v", err)
				}
				if got != tt.want {
					t.Errorf("Publish = %+v, want %+v", got, tt.want)
				}
				return
			}
			checkError(t, err, tt.class, tt.status, tt.retryAfter)
			var se *social.Error
			errors.As(err, &se)
			switch {
			case tt.messageHas != "":
				if !strings.Contains(se.Message, tt.messageHas) {
					t.Errorf("Message = %q, want it to contain %q", se.Message, tt.messageHas)
				}
			case se.Message != tt.message:
				t.Errorf("Message = %q, want %q", se.Message, tt.message)
			}
			if tt.checkLength {
				if n := utf8.RuneCountInString(se.Message); n > social.MaxMessageRunes {
					t.Errorf("Message has %d characters, want at most %d", n, social.MaxMessageRunes)
				}
				if !strings.HasSuffix(se.Message, "…") {
					t.Errorf("cut Message = %q, want it to end with …", se.Message)
				}
			}
			if got != (social.Published{}) {
				t.Errorf("Publish returned %+v with an error", got)
			}
		})
	}
}

// checkError asserts that err is a classified *social.Error and that the token
// appears nowhere in it.
func checkError(t *testing.T, err error, class social.Class, status int, retryAfter time.Duration) {
	t.Helper()
	socialtest.CheckError(t, err, social.NetworkMastodon, class, status, retryAfter, testToken)
}

func TestPublishRefusesWithoutCallingTheNetwork(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		key  string
	}{
		{"EmptyIdempotencyKey", ""},
		{"IdempotencyKeyWithNewline", "abc\r\nX-Injected: 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, srv := setup(t, func(w http.ResponseWriter, r *http.Request) {
				t.Error("the server was called")
			})
			_, err := c.Publish(context.Background(), social.Post{Text: "Bonjour", IdempotencyKey: tt.key})
			checkError(t, err, social.Permanent, 0, 0)
			if n := len(srv.seen()); n != 0 {
				t.Errorf("server got %d requests, want 0", n)
			}
		})
	}
}

func TestPublishHangingServerIsTransient(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	c, _ := setup(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	})
	t.Cleanup(func() { close(release) }) // runs before the server closes
	c.http = &http.Client{Timeout: 50 * time.Millisecond}

	start := time.Now()
	_, err := c.Publish(context.Background(), social.Post{Text: "Bonjour", IdempotencyKey: "k1"})
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Publish took %v with a 50ms timeout", d)
	}
	checkError(t, err, social.Transient, 0, 0)
	var se *social.Error
	errors.As(err, &se)
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
	c, _ := setup(t, func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	})
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(20*time.Millisecond, cancel)

	_, err := c.Publish(ctx, social.Post{Text: "Bonjour", IdempotencyKey: "k1"})
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

	c, err := New(Config{BaseURL: base, Token: testToken})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Publish(context.Background(), social.Post{Text: "Bonjour", IdempotencyKey: "k1"})
	checkError(t, err, social.Transient, 0, 0)
}

func TestPublishReadsAtMostOneMebibyte(t *testing.T) {
	t.Parallel()
	c, _ := setup(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusUnprocessableEntity)
		io.WriteString(w, `{"error":"`)
		chunk := strings.Repeat("a", 64<<10)
		for i := 0; i < 64; i++ { // 4 MiB, far past the cap
			if _, err := io.WriteString(w, chunk); err != nil {
				return
			}
		}
		io.WriteString(w, `"}`)
	})
	_, err := c.Publish(context.Background(), social.Post{Text: "Bonjour", IdempotencyKey: "k1"})
	// The cut body is not JSON any more: the status text stands in.
	checkError(t, err, social.Permanent, 422, 0)
	var se *social.Error
	errors.As(err, &se)
	if se.Message != "Unprocessable Entity" {
		t.Errorf("Message = %q, want %q", se.Message, "Unprocessable Entity")
	}
}

func TestLoadInstance(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name              string
		handler           http.HandlerFunc
		wantPaths         []string
		wantLimit, perURL int
	}{
		{
			name: "ReadsTheInstanceConfiguration",
			handler: reply(200, `{"domain":"mastodon.example","title":"Mastodon","version":"4.2.10",`+
				`"configuration":{"urls":{"streaming":"wss://mastodon.example"},"accounts":{"max_featured_tags":10},`+
				`"statuses":{"max_characters":5000,"max_media_attachments":4,"characters_reserved_per_url":30},`+
				`"media_attachments":{"image_size_limit":16777216}}}`),
			wantPaths: []string{"/api/v2/instance"},
			wantLimit: 5000, perURL: 30,
		},
		{
			name:      "MissingValuesKeepTheDefaults",
			handler:   reply(200, `{"domain":"mastodon.example","configuration":{}}`),
			wantPaths: []string{"/api/v2/instance"},
			wantLimit: 500, perURL: 23,
		},
		{
			name: "OldServerIsAskedV1",
			handler: func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/api/v2/instance" {
					reply(404, `{"error":"Record not found"}`)(w, r)
					return
				}
				reply(200, `{"uri":"old.example","configuration":{"statuses":{"max_characters":1000,"characters_reserved_per_url":23}}}`)(w, r)
			},
			wantPaths: []string{"/api/v2/instance", "/api/v1/instance"},
			wantLimit: 1000, perURL: 23,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, srv := setup(t, tt.handler)
			if err := c.LoadInstance(context.Background()); err != nil {
				t.Fatalf("LoadInstance: %v", err)
			}
			var paths []string
			for _, r := range srv.seen() {
				if r.Method != "GET" {
					t.Errorf("method = %s, want GET", r.Method)
				}
				paths = append(paths, r.Path)
			}
			if fmt.Sprint(paths) != fmt.Sprint(tt.wantPaths) {
				t.Errorf("paths = %v, want %v", paths, tt.wantPaths)
			}
			count, limit := c.Length("Voir https://example.com/x")
			if limit != tt.wantLimit || count != 5+tt.perURL {
				t.Errorf("Length = %d, %d; want %d, %d", count, limit, 5+tt.perURL, tt.wantLimit)
			}
		})
	}
}

func TestLoadInstanceFailureKeepsTheLimits(t *testing.T) {
	t.Parallel()
	c, _ := setup(t, reply(503, "<html>down</html>"))
	err := c.LoadInstance(context.Background())
	checkError(t, err, social.Transient, 503, 0)
	if _, limit := c.Length("x"); limit != 500 {
		t.Errorf("limit = %d after a failed load, want 500", limit)
	}
}

func TestLengthIsSafeDuringLoadInstance(t *testing.T) {
	t.Parallel()
	c, _ := setup(t, reply(200, `{"configuration":{"statuses":{"max_characters":5000,"characters_reserved_per_url":23}}}`))
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(2)
		go func() {
			defer wg.Done()
			if err := c.LoadInstance(context.Background()); err != nil {
				t.Error(err)
			}
		}()
		go func() {
			defer wg.Done()
			for j := 0; j < 100; j++ {
				if _, limit := c.Length("https://example.com"); limit != 500 && limit != 5000 {
					t.Errorf("limit = %d", limit)
				}
			}
		}()
	}
	wg.Wait()
}

func TestVerifyCredentials(t *testing.T) {
	t.Parallel()
	t.Run("ValidTokenReturnsTheAccount", func(t *testing.T) {
		t.Parallel()
		c, srv := setup(t, reply(200, `{"id":"109348","username":"catweete","acct":"catweete",`+
			`"display_name":"Ça tweete","locked":false,"bot":true,"created_at":"2023-01-02T00:00:00.000Z",`+
			`"note":"<p>Le compte de l'équipe</p>","url":"https://mastodon.example/@catweete",`+
			`"followers_count":1234,"following_count":56,"statuses_count":789,`+
			`"source":{"privacy":"public","sensitive":false,"language":"fr","note":"","fields":[]}}`))
		got, err := c.VerifyCredentials(context.Background())
		if err != nil {
			t.Fatalf("VerifyCredentials: %v", err)
		}
		want := Account{ID: "109348", Username: "catweete", Acct: "catweete", URL: "https://mastodon.example/@catweete", FollowersCount: 1234}
		if got != want {
			t.Errorf("VerifyCredentials = %+v, want %+v", got, want)
		}
		r := srv.seen()[0]
		if r.Method != "GET" || r.Path != "/api/v1/accounts/verify_credentials" || r.Authorization != "Bearer "+testToken {
			t.Errorf("request = %+v", r)
		}
	})
	t.Run("InvalidTokenIsPermanent", func(t *testing.T) {
		t.Parallel()
		c, _ := setup(t, reply(401, `{"error":"The access token is invalid"}`))
		_, err := c.VerifyCredentials(context.Background())
		checkError(t, err, social.Permanent, 401, 0)
	})
}

func TestNew(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		cfg      Config
		wantBase string // "" means New must fail
		errHas   string
	}{
		{"TrailingSlashIsTolerated", Config{BaseURL: "https://mastodon.social/", Token: "t"}, "https://mastodon.social", ""},
		{"PathPrefixIsKept", Config{BaseURL: "http://localhost:3000/masto//", Token: "t"}, "http://localhost:3000/masto", ""},
		{"TokenFromAFileIsTrimmed", Config{BaseURL: "https://mastodon.social", Token: "t\n"}, "https://mastodon.social", ""},
		{"MissingURL", Config{Token: "t"}, "", "MASTODON_URL"},
		{"RelativeURL", Config{BaseURL: "mastodon.social", Token: "t"}, "", "MASTODON_URL"},
		{"OtherScheme", Config{BaseURL: "ftp://mastodon.social", Token: "t"}, "", "MASTODON_URL"},
		{"CredentialsInURL", Config{BaseURL: "https://me:hunter2@mastodon.social", Token: "t"}, "", "MASTODON_URL"},
		{"QueryInURL", Config{BaseURL: "https://mastodon.social/?a=1", Token: "t"}, "", "MASTODON_URL"},
		{"MissingToken", Config{BaseURL: "https://mastodon.social"}, "", "MASTODON_TOKEN"},
		{"TokenWithSpace", Config{BaseURL: "https://mastodon.social", Token: "Bearer abc"}, "", "MASTODON_TOKEN"},
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
			if c.Network() != social.NetworkMastodon {
				t.Errorf("Network = %q", c.Network())
			}
			if c.http == nil || c.http.Timeout != social.DefaultTimeout {
				t.Errorf("default HTTP client = %+v, want a %v timeout", c.http, social.DefaultTimeout)
			}
		})
	}
}

func TestNewKeepsTheGivenHTTPClient(t *testing.T) {
	t.Parallel()
	hc := &http.Client{}
	c, err := New(Config{BaseURL: "https://mastodon.social", Token: "t", HTTPClient: hc})
	if err != nil {
		t.Fatal(err)
	}
	if c.http != hc {
		t.Error("New replaced the configured HTTP client")
	}
}
