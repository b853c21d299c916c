package bluesky

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"catweete/social"
)

// tids returns n distinct TIDs.
func tids(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = "3kzq7tcmfzs" + string(tidAlphabet[i/32]) + string(tidAlphabet[i%32])
	}
	return out
}

// authorizations returns the Authorization header of each request to nsid.
func (s *server) authorizations(nsid string) []string {
	var out []string
	for _, r := range s.seen() {
		if r.NSID == nsid {
			out = append(out, r.Authorization)
		}
	}
	return out
}

func TestSessionIsCreatedOnceForConcurrentPublishes(t *testing.T) {
	t.Parallel()
	c, srv := setup(t, map[string]handler{
		"com.atproto.server.createSession": func(s *server, w http.ResponseWriter, r *http.Request, body map[string]any) {
			time.Sleep(50 * time.Millisecond) // let every publish ask for a session meanwhile
			s.createSession(w, r, body)
		},
		"com.atproto.repo.createRecord": createRecord,
	})

	keys := tids(10)
	var wg sync.WaitGroup
	for _, key := range keys {
		wg.Go(func() {
			got, err := c.Publish(context.Background(), social.Post{Text: "Bonjour", IdempotencyKey: key})
			if err != nil {
				t.Errorf("Publish(%s): %v", key, err)
			}
			if !strings.HasSuffix(got.ID, "/"+key) {
				t.Errorf("Publish(%s) = %+v", key, got)
			}
		})
	}
	wg.Wait()

	if n := srv.count("com.atproto.server.createSession"); n != 1 {
		t.Errorf("createSession calls = %d, want 1", n)
	}
	auths := srv.authorizations("com.atproto.repo.createRecord")
	if len(auths) != 10 {
		t.Fatalf("createRecord calls = %d, want 10", len(auths))
	}
	for _, a := range auths {
		if a != "Bearer "+srv.token("access", 1) {
			t.Errorf("createRecord Authorization = %q, want the first session's", a)
		}
	}

	// Later publishes reuse the session too.
	if _, err := c.Publish(context.Background(), social.Post{Text: "Encore", IdempotencyKey: tids(11)[10]}); err != nil {
		t.Fatal(err)
	}
	if n := srv.count("com.atproto.server.createSession"); n != 1 {
		t.Errorf("createSession calls = %d after one more publish, want 1", n)
	}
}

func TestExpiredTokenIsRefreshedAndTheCallRetriedOnce(t *testing.T) {
	t.Parallel()
	first := true
	c, srv := setup(t, map[string]handler{"com.atproto.repo.createRecord": func(s *server, w http.ResponseWriter, r *http.Request, body map[string]any) {
		s.mu.Lock()
		expire := first
		first = false
		s.mu.Unlock()
		if expire { // the PDS's answer for an access token past its exp
			fixed(400, `{"error":"ExpiredToken","message":"Token has expired"}`)(s, w, r, body)
			return
		}
		createRecord(s, w, r, body)
	}})

	got, err := c.Publish(context.Background(), post)
	if err != nil {
		t.Fatalf("Publish: %v", err)
	}
	if got != wantPublished {
		t.Errorf("Publish = %+v, want %+v", got, wantPublished)
	}
	want := []string{
		"com.atproto.server.createSession",
		"com.atproto.repo.createRecord",
		"com.atproto.server.refreshSession",
		"com.atproto.repo.createRecord",
	}
	if fmt.Sprint(srv.calls()) != fmt.Sprint(want) {
		t.Fatalf("calls = %v, want %v", srv.calls(), want)
	}
	reqs := srv.seen()
	for i, wantAuth := range []string{"", srv.token("access", 1), srv.token("refresh", 1), srv.token("access", 2)} {
		if wantAuth != "" {
			wantAuth = "Bearer " + wantAuth
		}
		if reqs[i].Authorization != wantAuth {
			t.Errorf("request %d (%s) Authorization = %q, want %q", i, reqs[i].NSID, reqs[i].Authorization, wantAuth)
		}
	}
	if reqs[2].Body != nil {
		t.Errorf("refreshSession body = %v, want none", reqs[2].Body)
	}
	if reqs[1].Body["rkey"] != reqs[3].Body["rkey"] {
		t.Errorf("the retry used record key %v, the first call %v", reqs[3].Body["rkey"], reqs[1].Body["rkey"])
	}
}

func TestTokenStillRefusedAfterRefreshIsNotRetriedAgain(t *testing.T) {
	t.Parallel()
	c, srv := setup(t, map[string]handler{
		"com.atproto.repo.createRecord": fixed(400, `{"error":"ExpiredToken","message":"Token has expired"}`),
	})
	_, err := c.Publish(context.Background(), post)
	checkError(t, err, social.Permanent, 400, 0)
	if n := srv.count("com.atproto.repo.createRecord"); n != 2 {
		t.Errorf("createRecord calls = %d, want 2 (the call and one retry)", n)
	}
}

func TestAccessTokenNearItsExpiryIsRefreshedBeforeTheCall(t *testing.T) {
	t.Parallel()
	c, srv := setup(t, map[string]handler{"com.atproto.repo.createRecord": createRecord})
	keys := tids(3)
	if _, err := c.Publish(context.Background(), social.Post{Text: "Un", IdempotencyKey: keys[0]}); err != nil {
		t.Fatal(err)
	}
	// An hour later the token is still good: no refresh.
	srv.clock.Set(testNow.Add(time.Hour))
	if _, err := c.Publish(context.Background(), social.Post{Text: "Deux", IdempotencyKey: keys[1]}); err != nil {
		t.Fatal(err)
	}
	// A minute before its exp (2 hours), it is renewed first.
	srv.clock.Set(testNow.Add(2*time.Hour - time.Minute))
	if _, err := c.Publish(context.Background(), social.Post{Text: "Trois", IdempotencyKey: keys[2]}); err != nil {
		t.Fatal(err)
	}

	want := []string{
		"com.atproto.server.createSession",
		"com.atproto.repo.createRecord",
		"com.atproto.repo.createRecord",
		"com.atproto.server.refreshSession",
		"com.atproto.repo.createRecord",
	}
	if fmt.Sprint(srv.calls()) != fmt.Sprint(want) {
		t.Fatalf("calls = %v, want %v", srv.calls(), want)
	}
	auths := srv.authorizations("com.atproto.repo.createRecord")
	if auths[2] != "Bearer "+srv.token("access", 2) {
		t.Errorf("the third createRecord used %q, want the refreshed token", auths[2])
	}
}

func TestRefusedRefreshFallsBackToCreateSession(t *testing.T) {
	t.Parallel()
	expired := map[string]bool{}
	c, srv := setup(t, map[string]handler{
		// The refresh token was revoked (e.g. the app password was
		// re-created): the PDS answers 400 ExpiredToken.
		"com.atproto.server.refreshSession": fixed(400, `{"error":"ExpiredToken","message":"Token has been revoked"}`),
		"com.atproto.repo.createRecord": func(s *server, w http.ResponseWriter, r *http.Request, body map[string]any) {
			s.mu.Lock()
			first := !expired["done"]
			expired["done"] = true
			s.mu.Unlock()
			if first {
				fixed(400, `{"error":"ExpiredToken","message":"Token has expired"}`)(s, w, r, body)
				return
			}
			createRecord(s, w, r, body)
		},
	})

	if _, err := c.Publish(context.Background(), post); err != nil {
		t.Fatalf("Publish: %v", err)
	}
	want := []string{
		"com.atproto.server.createSession",
		"com.atproto.repo.createRecord",
		"com.atproto.server.refreshSession",
		"com.atproto.server.createSession",
		"com.atproto.repo.createRecord",
	}
	if fmt.Sprint(srv.calls()) != fmt.Sprint(want) {
		t.Fatalf("calls = %v, want %v", srv.calls(), want)
	}
	auths := srv.authorizations("com.atproto.repo.createRecord")
	if auths[1] != "Bearer "+srv.token("access", 2) {
		t.Errorf("the retried createRecord used %q, want the new session's token", auths[1])
	}
}

func TestRefreshWithoutAnswerKeepsTheLoginQuota(t *testing.T) {
	t.Parallel()
	c, srv := setup(t, map[string]handler{
		"com.atproto.server.refreshSession": fixed(502, "<html>Bad Gateway</html>"),
		"com.atproto.repo.createRecord":     fixed(400, `{"error":"ExpiredToken","message":"Token has expired"}`),
	})
	_, err := c.Publish(context.Background(), post)
	checkError(t, err, social.Transient, 502, 0)
	if n := srv.count("com.atproto.server.createSession"); n != 1 {
		t.Errorf("createSession calls = %d, want 1: a refresh that got a 502 is tried again, not replaced by a login", n)
	}
}

func TestExpiredRefreshTokenGoesStraightToCreateSession(t *testing.T) {
	t.Parallel()
	c, srv := setup(t, map[string]handler{"com.atproto.repo.createRecord": createRecord})
	keys := tids(2)
	if _, err := c.Publish(context.Background(), social.Post{Text: "Un", IdempotencyKey: keys[0]}); err != nil {
		t.Fatal(err)
	}
	srv.clock.Set(testNow.Add(61 * 24 * time.Hour)) // both tokens are past their exp
	if _, err := c.Publish(context.Background(), social.Post{Text: "Deux", IdempotencyKey: keys[1]}); err != nil {
		t.Fatal(err)
	}
	want := "[com.atproto.server.createSession com.atproto.repo.createRecord com.atproto.server.createSession com.atproto.repo.createRecord]"
	if fmt.Sprint(srv.calls()) != want {
		t.Errorf("calls = %v, want %v", srv.calls(), want)
	}
}

func TestBadPasswordIsPermanent(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, body, message string
	}{
		{
			name:    "InvalidIdentifierOrPassword",
			body:    `{"error":"AuthenticationRequired","message":"Invalid identifier or password"}`,
			message: "Invalid identifier or password (check BLUESKY_HANDLE and BLUESKY_APP_PASSWORD)",
		},
		{
			name:    "EchoedPasswordIsRedacted",
			body:    `{"error":"AuthenticationRequired","message":"Invalid password: ` + testPassword + `"}`,
			message: "Invalid password: [redacted] (check BLUESKY_HANDLE and BLUESKY_APP_PASSWORD)",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, srv := setup(t, map[string]handler{"com.atproto.server.createSession": fixed(401, tt.body)})

			_, err := c.Publish(context.Background(), post)

			se := checkError(t, err, social.Permanent, 401, 0)
			if se.Message != tt.message {
				t.Errorf("Message = %q, want %q", se.Message, tt.message)
			}
			if strings.Contains(err.Error(), testPassword) {
				t.Errorf("err = %q holds the password", err)
			}
			if !strings.HasPrefix(err.Error(), "publish: create session: bluesky: permanent (HTTP 401)") {
				t.Errorf("err = %q, want it to say the login failed", err)
			}
			if fmt.Sprint(srv.calls()) != "[com.atproto.server.createSession]" {
				t.Errorf("calls = %v, want the login only", srv.calls())
			}
		})
	}
}

func TestInactiveAccountIsPermanent(t *testing.T) {
	t.Parallel()
	c, srv := setup(t, map[string]handler{"com.atproto.server.createSession": fixed(200,
		fmt.Sprintf(`{"accessJwt":%q,"refreshJwt":%q,"handle":%q,"did":%q,"active":false,"status":"deactivated"}`,
			testJWT("a", testNow.Add(time.Hour)), testJWT("r", testNow.Add(time.Hour)), testHandle, testDID))})
	_, err := c.Publish(context.Background(), post)
	se := checkError(t, err, social.Permanent, 200, 0)
	if se.Message != "the account is deactivated: it cannot publish" {
		t.Errorf("Message = %q", se.Message)
	}
	if n := srv.count("com.atproto.repo.createRecord"); n != 0 {
		t.Errorf("createRecord calls = %d, want 0", n)
	}
}

func TestSessionAnswerWithoutTokensIsTransient(t *testing.T) {
	t.Parallel()
	c, _ := setup(t, map[string]handler{"com.atproto.server.createSession": fixed(200, `{"handle":"brand.bsky.social"}`)})
	_, err := c.Publish(context.Background(), post)
	checkError(t, err, social.Transient, 200, 0)
}

func TestCreateSessionRateLimited(t *testing.T) {
	t.Parallel()
	reset := testNow.Unix() + 300
	wait := time.Unix(reset, 0).Sub(testNow)
	limited := true
	c, srv := setup(t, map[string]handler{
		"com.atproto.server.createSession": func(s *server, w http.ResponseWriter, r *http.Request, body map[string]any) {
			s.mu.Lock()
			l := limited
			s.mu.Unlock()
			if l { // the PDS's answer past 30 logins in 5 minutes
				fixed(429, `{"error":"RateLimitExceeded","message":"Rate Limit Exceeded"}`,
					"Ratelimit-Limit", "30", "Ratelimit-Remaining", "0",
					"Ratelimit-Reset", fmt.Sprint(reset), "Ratelimit-Policy", "30;w=300")(s, w, r, body)
				return
			}
			s.createSession(w, r, body)
		},
		"com.atproto.repo.createRecord": createRecord,
	})

	_, err := c.Publish(context.Background(), post)
	se := checkError(t, err, social.Transient, 429, wait)
	if se.Message != "Rate Limit Exceeded" {
		t.Errorf("Message = %q", se.Message)
	}

	// Until the reset, no login is even tried: each would count against the
	// same quota.
	srv.clock.Set(testNow.Add(time.Minute))
	_, err = c.Publish(context.Background(), post)
	checkError(t, err, social.Transient, 429, wait-time.Minute)
	if n := srv.count("com.atproto.server.createSession"); n != 1 {
		t.Errorf("createSession calls = %d before the reset, want 1", n)
	}

	srv.mu.Lock()
	limited = false
	srv.mu.Unlock()
	srv.clock.Set(time.Unix(reset, 0))
	if _, err := c.Publish(context.Background(), post); err != nil {
		t.Fatalf("Publish after the reset: %v", err)
	}
	if n := srv.count("com.atproto.server.createSession"); n != 2 {
		t.Errorf("createSession calls = %d after the reset, want 2", n)
	}
}

func TestCreateSessionRateLimitedWithRetryAfter(t *testing.T) {
	t.Parallel()
	c, _ := setup(t, map[string]handler{"com.atproto.server.createSession": fixed(429,
		`{"error":"RateLimitExceeded","message":"Rate Limit Exceeded"}`, "Retry-After", "3600")})
	_, err := c.Publish(context.Background(), post)
	checkError(t, err, social.Transient, 429, time.Hour)
}

func TestCanceledWaiterDoesNotFailTheOthers(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	c, srv := setup(t, map[string]handler{
		"com.atproto.server.createSession": func(s *server, w http.ResponseWriter, r *http.Request, body map[string]any) {
			<-release
			s.createSession(w, r, body)
		},
		"com.atproto.repo.createRecord": createRecord,
	})
	keys := tids(2)

	// The first publish starts the login, then gives up.
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() {
		_, err := c.Publish(ctx, social.Post{Text: "Un", IdempotencyKey: keys[0]})
		done <- err
	}()
	for srv.count("com.atproto.server.createSession") == 0 {
		time.Sleep(time.Millisecond)
	}
	cancel()
	checkError(t, <-done, social.Transient, 0, 0)

	// The second waits for the same login, which goes on and succeeds.
	go func() {
		_, err := c.Publish(context.Background(), social.Post{Text: "Deux", IdempotencyKey: keys[1]})
		done <- err
	}()
	close(release)
	if err := <-done; err != nil {
		t.Fatalf("second Publish: %v", err)
	}
	if n := srv.count("com.atproto.server.createSession"); n != 1 {
		t.Errorf("createSession calls = %d, want 1", n)
	}
}

func TestJWTExpiry(t *testing.T) {
	t.Parallel()
	enc := base64.RawURLEncoding.EncodeToString
	exp := time.Unix(1717410600, 0)
	tests := []struct {
		name  string
		token string
		want  time.Time
	}{
		{"AccessToken", testJWT("a", exp), exp},
		{"PaddedPayload", "e30." + base64.URLEncoding.EncodeToString([]byte(`{"exp":1717410600}`)) + ".sig", exp},
		{"FractionalExp", "e30." + enc([]byte(`{"exp":1717410600.9}`)) + ".sig", exp},
		{"NoExp", "e30." + enc([]byte(`{"sub":"did:plc:x"}`)) + ".sig", time.Time{}},
		{"StringExp", "e30." + enc([]byte(`{"exp":"soon"}`)) + ".sig", time.Time{}},
		{"NegativeExp", "e30." + enc([]byte(`{"exp":-5}`)) + ".sig", time.Time{}},
		{"HugeExp", "e30." + enc([]byte(`{"exp":1e300}`)) + ".sig", time.Time{}},
		{"NotBase64", "e30.!!!.sig", time.Time{}},
		{"NotJSON", "e30." + enc([]byte("exp")) + ".sig", time.Time{}},
		{"OpaqueToken", "abcdef", time.Time{}},
		{"TwoParts", "e30.e30", time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := jwtExpiry(tt.token); !got.Equal(tt.want) {
				t.Errorf("jwtExpiry = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestOpaqueTokensAreRenewedOnlyWhenRefused(t *testing.T) {
	t.Parallel()
	c, srv := setup(t, map[string]handler{
		"com.atproto.server.createSession": fixed(200, fmt.Sprintf(`{"accessJwt":"opaque-%s-a","refreshJwt":"opaque-%s-r","handle":%q,"did":%q}`,
			secretMarker, secretMarker, testHandle, testDID)),
		"com.atproto.repo.createRecord": func(s *server, w http.ResponseWriter, r *http.Request, body map[string]any) { created(w, body) },
	})
	keys := tids(2)
	for i, key := range keys {
		srv.clock.Set(testNow.Add(time.Duration(i) * 24 * time.Hour))
		if _, err := c.Publish(context.Background(), social.Post{Text: "Bonjour", IdempotencyKey: key}); err != nil {
			t.Fatal(err)
		}
	}
	if fmt.Sprint(srv.calls()) != "[com.atproto.server.createSession com.atproto.repo.createRecord com.atproto.repo.createRecord]" {
		t.Errorf("calls = %v", srv.calls())
	}
}
