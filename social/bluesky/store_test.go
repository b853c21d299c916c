package bluesky

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"catweete/social"
)

// memStore is a SessionStore in memory, standing in for catweete's sealed
// one (which main's tests and e2e cover with real SQLite).
type memStore struct {
	mu                   sync.Mutex
	kept                 *Session
	loads, saves, clears int
	loadErr, saveErr     error
}

func (m *memStore) Load(context.Context) (Session, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.loads++
	if m.loadErr != nil {
		return Session{}, false, m.loadErr
	}
	if m.kept == nil {
		return Session{}, false, nil
	}
	return *m.kept, true, nil
}

func (m *memStore) Save(_ context.Context, s Session) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.saves++
	if m.saveErr != nil {
		return m.saveErr
	}
	m.kept = &s
	return nil
}

func (m *memStore) Clear(context.Context) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.clears++
	m.kept = nil
	return nil
}

// session returns the session kept, nil when none is.
func (m *memStore) session() *Session {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.kept == nil {
		return nil
	}
	s := *m.kept
	return &s
}

// logBuffer collects a client's log lines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// clientOf starts another client (a restarted catweete) on srv, sharing
// store, with its log in logs (which may be nil).
func clientOf(t *testing.T, srv *server, store SessionStore, logs *logBuffer) *Client {
	t.Helper()
	cfg := Config{PDSURL: srv.url, AppViewURL: srv.url, Handle: testHandle, AppPassword: testPassword, Sessions: store}
	if logs != nil {
		cfg.Logger = slog.New(slog.NewTextHandler(logs, nil))
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	c.nowFunc = srv.clock.Now
	return c
}

// publish publishes a post under the n-th test key, failing the test on an
// error.
func publish(t *testing.T, c *Client, n int) {
	t.Helper()
	if _, err := c.Publish(context.Background(), social.Post{Text: fmt.Sprintf("Post %d", n), IdempotencyKey: tids(n + 1)[n]}); err != nil {
		t.Fatalf("Publish #%d: %v", n, err)
	}
}

func TestTwoClientsSharingAStoreLogInOnce(t *testing.T) {
	t.Parallel()
	srv := newServer(t, map[string]handler{"com.atproto.repo.createRecord": createRecord})
	store := &memStore{}

	publish(t, clientOf(t, srv, store, nil), 0)
	kept := store.session()
	if kept == nil {
		t.Fatal("the session was not saved after createSession")
	}
	want := Session{PDS: srv.url, Account: testHandle, DID: testDID, Handle: testHandle,
		AccessJwt: srv.token("access", 1), RefreshJwt: srv.token("refresh", 1)}
	if *kept != want {
		t.Errorf("kept session = %#v with tokens %t; want the first one", kept, kept.AccessJwt == want.AccessJwt && kept.RefreshJwt == want.RefreshJwt)
	}

	// A restart: a new client restores the session and uses it as it is.
	restarted := clientOf(t, srv, store, nil)
	publish(t, restarted, 1)
	publish(t, restarted, 2)
	if n := srv.count("com.atproto.server.createSession"); n != 1 {
		t.Errorf("createSession calls = %d across two clients, want 1", n)
	}
	if n := srv.count("com.atproto.server.refreshSession"); n != 0 {
		t.Errorf("refreshSession calls = %d, want 0: the kept access token is still good", n)
	}
	for i, a := range srv.authorizations("com.atproto.repo.createRecord") {
		if a != "Bearer "+srv.token("access", 1) {
			t.Errorf("createRecord #%d used %q, want the first session's token", i, a)
		}
	}
	if store.loads != 2 {
		t.Errorf("Load calls = %d, want one per client", store.loads)
	}
}

func TestRefreshedSessionIsSavedAndRestored(t *testing.T) {
	t.Parallel()
	srv := newServer(t, map[string]handler{"com.atproto.repo.createRecord": createRecord})
	store := &memStore{}
	c := clientOf(t, srv, store, nil)
	publish(t, c, 0)

	// A minute before the access token's exp, the client refreshes first.
	srv.clock.Set(testNow.Add(2*time.Hour - time.Minute))
	publish(t, c, 1)
	if got := store.session(); got == nil || got.AccessJwt != srv.token("access", 2) || got.RefreshJwt != srv.token("refresh", 2) {
		t.Fatalf("after a refresh the store keeps %v, want the refreshed tokens", got)
	}

	// The PDS accepts the latest refresh token only: a restart that
	// restored the first one could not refresh.
	restarted := clientOf(t, srv, store, nil)
	srv.clock.Set(testNow.Add(4*time.Hour - time.Minute))
	publish(t, restarted, 2)
	want := "[com.atproto.server.createSession com.atproto.repo.createRecord " +
		"com.atproto.server.refreshSession com.atproto.repo.createRecord " +
		"com.atproto.server.refreshSession com.atproto.repo.createRecord]"
	if got := fmt.Sprint(srv.calls()); got != want {
		t.Errorf("calls = %v, want %v", got, want)
	}
	if store.saves != 3 {
		t.Errorf("Save calls = %d, want 3 (a login, two refreshes)", store.saves)
	}
}

func TestKeptSessionWithAnExpiredRefreshTokenLogsInAgain(t *testing.T) {
	t.Parallel()
	srv := newServer(t, map[string]handler{"com.atproto.repo.createRecord": createRecord})
	store := &memStore{}
	publish(t, clientOf(t, srv, store, nil), 0)

	srv.clock.Set(testNow.Add(61 * 24 * time.Hour)) // both tokens are past their exp
	publish(t, clientOf(t, srv, store, nil), 1)

	want := "[com.atproto.server.createSession com.atproto.repo.createRecord com.atproto.server.createSession com.atproto.repo.createRecord]"
	if got := fmt.Sprint(srv.calls()); got != want {
		t.Errorf("calls = %v, want %v", got, want)
	}
	if got := store.session(); got == nil || got.AccessJwt != srv.token("access", 2) {
		t.Errorf("the store keeps %v, want the second login's session", got)
	}
}

func TestKeptAccessTokenRefusedIsRefreshed(t *testing.T) {
	t.Parallel()
	srv := newServer(t, map[string]handler{"com.atproto.repo.createRecord": createRecord})
	store := &memStore{}
	publish(t, clientOf(t, srv, store, nil), 0)
	// The PDS forgets the access token (it rotated its signing key, say)
	// but still honours the refresh token.
	srv.mu.Lock()
	srv.access[0] = "revoked"
	srv.mu.Unlock()

	publish(t, clientOf(t, srv, store, nil), 1)
	want := "[com.atproto.server.createSession com.atproto.repo.createRecord " +
		"com.atproto.repo.createRecord com.atproto.server.refreshSession com.atproto.repo.createRecord]"
	if got := fmt.Sprint(srv.calls()); got != want {
		t.Errorf("calls = %v, want %v", got, want)
	}
	if got := store.session(); got == nil || got.AccessJwt != srv.token("access", 2) {
		t.Errorf("the store keeps %v, want the refreshed session", got)
	}
}

func TestRefusedSessionIsCleared(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		// login answers createSession after the kept session is refused.
		login handler
	}{
		{"TheLoginFailsForGood", fixed(401, `{"error":"AuthenticationRequired","message":"Invalid identifier or password"}`)},
		// The kept refresh token is useless even when the login cannot
		// be tried now.
		{"TheLoginIsRateLimited", fixed(429, `{"error":"RateLimitExceeded","message":"Rate Limit Exceeded"}`, "Retry-After", "300")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t, map[string]handler{"com.atproto.repo.createRecord": createRecord})
			store := &memStore{}
			publish(t, clientOf(t, srv, store, nil), 0)
			// The app password was revoked: every token with it.
			srv.mu.Lock()
			srv.access[0], srv.refresh[0] = "revoked", "revoked"
			srv.handlers["com.atproto.server.createSession"] = tt.login
			srv.mu.Unlock()

			_, err := clientOf(t, srv, store, nil).Publish(context.Background(), post)
			if err == nil {
				t.Fatal("Publish succeeded with every token revoked")
			}
			if got := store.session(); got != nil || store.clears != 1 {
				t.Errorf("after the refusal the store keeps %v (%d Clear calls); want it cleared once", got, store.clears)
			}
		})
	}
}

func TestTransientRefreshFailureKeepsTheSession(t *testing.T) {
	t.Parallel()
	srv := newServer(t, map[string]handler{"com.atproto.repo.createRecord": createRecord})
	store := &memStore{}
	publish(t, clientOf(t, srv, store, nil), 0)
	srv.mu.Lock()
	srv.handlers["com.atproto.server.refreshSession"] = fixed(502, "<html>Bad Gateway</html>")
	srv.mu.Unlock()
	srv.clock.Set(testNow.Add(2 * time.Hour)) // the access token expired

	_, err := clientOf(t, srv, store, nil).Publish(context.Background(), post)
	checkError(t, err, social.Transient, 502, 0)
	if store.session() == nil || store.clears != 0 {
		t.Errorf("a refresh that got a 502 cleared the kept session")
	}
	if n := srv.count("com.atproto.server.createSession"); n != 1 {
		t.Errorf("createSession calls = %d, want 1", n)
	}
}

func TestKeptSessionOfAnotherServerOrAccountIsNotUsed(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		account string
		pds     func(srv *server) string
	}{
		{"AnotherPDS", testHandle, func(*server) string { return "https://old-pds.example" }},
		{"AnotherAccount", "other.bsky.social", func(srv *server) string { return srv.url }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t, map[string]handler{"com.atproto.repo.createRecord": createRecord})
			foreign := testJWT("foreign", testNow.Add(time.Hour))
			store := &memStore{kept: &Session{PDS: tt.pds(srv), Account: tt.account, DID: testDID, Handle: tt.account,
				AccessJwt: foreign, RefreshJwt: foreign}}
			logs := &logBuffer{}
			publish(t, clientOf(t, srv, store, logs), 0)

			for _, r := range srv.seen() {
				if strings.Contains(r.Authorization, foreign) {
					t.Errorf("%s was sent the kept token of another server or account", r.NSID)
				}
			}
			if n := srv.count("com.atproto.server.createSession"); n != 1 {
				t.Errorf("createSession calls = %d, want 1", n)
			}
			if got := store.session(); got == nil || got.AccessJwt != srv.token("access", 1) || got.PDS != srv.url || got.Account != testHandle {
				t.Errorf("the store keeps %v, want this client's new session", got)
			}
			if !strings.Contains(logs.String(), "another account or server") {
				t.Errorf("the log does not say why the kept session was not used:\n%s", logs)
			}
		})
	}
}

func TestFailingStoreOnlyCostsALogin(t *testing.T) {
	t.Parallel()
	srv := newServer(t, map[string]handler{"com.atproto.repo.createRecord": createRecord})
	store := &memStore{loadErr: errors.New("storage: secret: database is locked"), saveErr: errors.New("storage: secret: disk I/O error")}
	logs := &logBuffer{}
	c := clientOf(t, srv, store, logs)
	publish(t, c, 0)
	publish(t, c, 1)
	if n := srv.count("com.atproto.server.createSession"); n != 1 {
		t.Errorf("createSession calls = %d, want 1: the session in memory still serves", n)
	}
	out := logs.String()
	for _, want := range []string{"database is locked", "disk I/O error"} {
		if !strings.Contains(out, want) {
			t.Errorf("the log does not report %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, secretMarker) {
		t.Errorf("the log holds a token or the password:\n%s", out)
	}
}

func TestWithoutAStoreEachClientLogsIn(t *testing.T) {
	t.Parallel()
	srv := newServer(t, map[string]handler{"com.atproto.repo.createRecord": createRecord})
	publish(t, clientOf(t, srv, nil, nil), 0)
	publish(t, clientOf(t, srv, nil, nil), 1)
	if n := srv.count("com.atproto.server.createSession"); n != 2 {
		t.Errorf("createSession calls = %d, want 2", n)
	}
}

func TestConcurrentPublishesRestoreOnce(t *testing.T) {
	t.Parallel()
	srv := newServer(t, map[string]handler{"com.atproto.repo.createRecord": createRecord})
	store := &memStore{}
	publish(t, clientOf(t, srv, store, nil), 0)

	c := clientOf(t, srv, store, nil)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() { publish(t, c, i+1) })
	}
	wg.Wait()
	if store.loads != 2 || srv.count("com.atproto.server.createSession") != 1 {
		t.Errorf("Load calls = %d, createSession calls = %d; want 2 and 1", store.loads, srv.count("com.atproto.server.createSession"))
	}
}

func TestSessionNeverPrintsItsTokens(t *testing.T) {
	t.Parallel()
	s := Session{PDS: "https://pds.example", Account: testHandle, DID: testDID, Handle: testHandle,
		AccessJwt: testJWT("access", testNow), RefreshJwt: testJWT("refresh", testNow)}
	var logs bytes.Buffer
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("kept", "session", s, "ptr", &s)
	slog.New(slog.NewTextHandler(&logs, nil)).Info("kept", "session", s)
	out := fmt.Sprintf("%v %+v %#v %s %q %x %d", s, s, s, s, s, s, &s) + logs.String()
	if strings.Contains(out, secretMarker) {
		t.Errorf("a printed session shows its tokens:\n%s", out)
	}
	if !strings.Contains(out, "bluesky session of "+testHandle+" on https://pds.example") {
		t.Errorf("a printed session does not say whose it is:\n%s", out)
	}
	// encoding/json, which the store seals, sees everything.
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	var back Session
	if err := json.Unmarshal(b, &back); err != nil || back != s {
		t.Errorf("JSON round trip = %v, %v", back == s, err)
	}
}
