package e2e

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// The accounts the at-rest test publishes to.
const (
	atRestBlueskyHandle = "brand.bsky.social"
	atRestBlueskyDID    = "did:plc:ewvi7nxzyoun6zhxrhs64oiz"
	atRestLinkedInOrg   = "5515715"
	atRestFacebookPage  = "1234567890"
)

// atRestNets is a fake X, LinkedIn, Facebook Page and Bluesky PDS (which is
// also its AppView), each answering as its documentation shows for the calls
// catweete makes, and checking the credentials it was given. The PDS issues
// JWTs with random signatures, so that finding one anywhere is a leak.
type atRestNets struct {
	x, linkedIn, facebook, pds *httptest.Server

	xToken, linkedInToken, facebookToken, blueskyPassword string

	mu      sync.Mutex
	changed chan struct{}
	calls   []string // "network METHOD path", in order
	posts   map[string][]string
	access  []string // access JWTs issued, oldest first
	refresh []string // refresh JWTs issued, oldest first
	// createRecordAuth is the Authorization of each createRecord.
	createRecordAuth []string
	ids              int
}

func newAtRestNets(t *testing.T, xToken, linkedInToken, facebookToken, blueskyPassword string) *atRestNets {
	n := &atRestNets{
		xToken: xToken, linkedInToken: linkedInToken, facebookToken: facebookToken, blueskyPassword: blueskyPassword,
		changed: make(chan struct{}), posts: map[string][]string{},
	}

	x := http.NewServeMux()
	x.HandleFunc("POST /2/tweets", n.bearer("x", xToken, func(w http.ResponseWriter, body []byte, _ *http.Request) {
		var in struct{ Text string }
		json.Unmarshal(body, &in) //nolint:errcheck // an empty text is recorded as such
		id := n.post("x", in.Text)
		answerJSON(w, http.StatusCreated, map[string]any{"data": map[string]any{"id": id, "text": in.Text, "edit_history_tweet_ids": []string{id}}})
	}))
	x.HandleFunc("GET /2/users/me", n.bearer("x", xToken, func(w http.ResponseWriter, _ []byte, _ *http.Request) {
		answerJSON(w, http.StatusOK, map[string]any{"data": map[string]any{"id": "2244994945", "name": "Brand", "username": "brand",
			"public_metrics": map[string]any{"followers_count": 120}}})
	}))

	li := http.NewServeMux()
	li.HandleFunc("POST /rest/posts", n.bearer("linkedin", linkedInToken, func(w http.ResponseWriter, body []byte, _ *http.Request) {
		var in struct{ Commentary string }
		json.Unmarshal(body, &in) //nolint:errcheck // an empty text is recorded as such
		w.Header().Set("X-Restli-Id", "urn:li:share:"+n.post("linkedin", in.Commentary))
		w.WriteHeader(http.StatusCreated)
	}))
	li.HandleFunc("GET /rest/networkSizes/{urn}", n.bearer("linkedin", linkedInToken, func(w http.ResponseWriter, _ []byte, _ *http.Request) {
		answerJSON(w, http.StatusOK, map[string]any{"firstDegreeSize": 340})
	}))
	li.HandleFunc("GET /rest/organizations/{id}", n.bearer("linkedin", linkedInToken, func(w http.ResponseWriter, _ []byte, _ *http.Request) {
		answerJSON(w, http.StatusOK, map[string]any{"id": 5515715, "localizedName": "Brand", "vanityName": "brand"})
	}))

	fb := http.NewServeMux()
	fb.HandleFunc("POST /v26.0/{page}/feed", func(w http.ResponseWriter, r *http.Request) {
		// The Graph API takes the Page token as a form field.
		body, _ := io.ReadAll(r.Body)
		form, _ := url.ParseQuery(string(body))
		n.record("facebook", r)
		if form.Get("access_token") != facebookToken {
			answerJSON(w, http.StatusBadRequest, map[string]any{"error": map[string]any{"message": "Invalid OAuth access token.", "type": "OAuthException", "code": 190}})
			return
		}
		answerJSON(w, http.StatusOK, map[string]any{"id": r.PathValue("page") + "_" + n.post("facebook", form.Get("message"))})
	})
	fb.HandleFunc("GET /v26.0/{page}", n.bearer("facebook", facebookToken, func(w http.ResponseWriter, _ []byte, r *http.Request) {
		answerJSON(w, http.StatusOK, map[string]any{"id": r.PathValue("page"), "name": "Brand", "followers_count": 560})
	}))

	pds := http.NewServeMux()
	pds.HandleFunc("POST /xrpc/com.atproto.server.createSession", n.createSession)
	pds.HandleFunc("POST /xrpc/com.atproto.server.refreshSession", n.refreshSession)
	pds.HandleFunc("POST /xrpc/com.atproto.repo.createRecord", n.createRecord)
	pds.HandleFunc("GET /xrpc/app.bsky.actor.getProfile", func(w http.ResponseWriter, r *http.Request) {
		n.record("bluesky", r)
		answerJSON(w, http.StatusOK, map[string]any{"did": atRestBlueskyDID, "handle": atRestBlueskyHandle, "followersCount": 75})
	})

	for _, unexpected := range []*http.ServeMux{x, li, fb, pds} {
		unexpected.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
			n.record("unexpected", r)
			http.NotFound(w, r)
		})
	}
	n.x, n.linkedIn, n.facebook, n.pds = httptest.NewServer(x), httptest.NewServer(li), httptest.NewServer(fb), httptest.NewServer(pds)
	for _, s := range []*httptest.Server{n.x, n.linkedIn, n.facebook, n.pds} {
		t.Cleanup(s.Close)
	}
	return n
}

// answerJSON writes v as a JSON answer.
func answerJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v) //nolint:errcheck // the bot hung up
}

// record notes a call; the caller must not hold mu.
func (n *atRestNets) record(network string, r *http.Request) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.calls = append(n.calls, network+" "+r.Method+" "+r.URL.Path)
	n.wake()
}

// wake must be called with mu held.
func (n *atRestNets) wake() {
	close(n.changed)
	n.changed = make(chan struct{})
}

// post records a published text and returns its new numeric id.
func (n *atRestNets) post(network, text string) string {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.ids++
	n.posts[network] = append(n.posts[network], text)
	n.wake()
	return fmt.Sprint(1_000_000 + n.ids)
}

// bearer checks the bearer token before handle, as X, LinkedIn and the
// Graph API answer a bad one: 401.
func (n *atRestNets) bearer(network, token string, handle func(w http.ResponseWriter, body []byte, r *http.Request)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		n.record(network, r)
		if r.Header.Get("Authorization") != "Bearer "+token {
			answerJSON(w, http.StatusUnauthorized, map[string]any{"title": "Unauthorized", "status": 401, "detail": "Unauthorized"})
			return
		}
		handle(w, body, r)
	}
}

// count returns how many calls start with prefix ("network METHOD path").
func (n *atRestNets) count(prefix string) int {
	n.mu.Lock()
	defer n.mu.Unlock()
	c := 0
	for _, seen := range n.calls {
		if strings.HasPrefix(seen, prefix) {
			c++
		}
	}
	return c
}

// tokens returns every JWT the PDS issued.
func (n *atRestNets) tokens() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append(append([]string(nil), n.access...), n.refresh...)
}

// waitPosts waits until every network holds a post containing marker.
func (n *atRestNets) waitPosts(t *testing.T, marker string, networks ...string) {
	t.Helper()
	deadline := time.NewTimer(20 * time.Second)
	defer deadline.Stop()
	for {
		n.mu.Lock()
		changed, missing := n.changed, []string(nil)
		for _, network := range networks {
			found := false
			for _, text := range n.posts[network] {
				found = found || strings.Contains(text, marker)
			}
			if !found {
				missing = append(missing, network)
			}
		}
		calls := append([]string(nil), n.calls...)
		n.mu.Unlock()
		if len(missing) == 0 {
			return
		}
		select {
		case <-changed:
		case <-deadline.C:
			t.Fatalf("after 20 s %s hold no post with %s; the networks saw: %q", missing, marker, calls)
		}
	}
}

// jwt returns a token shaped as the PDS issues them, valid until exp, whose
// signature is random.
func (n *atRestNets) jwt(scope string, exp time.Time) string {
	enc := base64.RawURLEncoding.EncodeToString
	header := enc([]byte(`{"typ":"at+jwt","alg":"ES256K"}`))
	payload := enc(fmt.Appendf(nil, `{"scope":%q,"sub":%q,"iat":%d,"exp":%d,"aud":"did:web:pds.example"}`,
		scope, atRestBlueskyDID, time.Now().Unix(), exp.Unix()))
	sig := make([]byte, 48)
	rand.Read(sig) //nolint:errcheck // never fails
	return header + "." + payload + "." + enc(sig)
}

// issue answers a new session, as createSession and refreshSession do: an
// access token for 2 hours, a refresh token for 60 days. The caller holds mu.
func (n *atRestNets) issue(w http.ResponseWriter) {
	access := n.jwt("com.atproto.access", time.Now().Add(2*time.Hour))
	refresh := n.jwt("com.atproto.refresh", time.Now().Add(60*24*time.Hour))
	n.access, n.refresh = append(n.access, access), append(n.refresh, refresh)
	n.wake()
	answerJSON(w, http.StatusOK, map[string]any{"accessJwt": access, "refreshJwt": refresh, "handle": atRestBlueskyHandle,
		"did": atRestBlueskyDID, "active": true})
}

func (n *atRestNets) createSession(w http.ResponseWriter, r *http.Request) {
	var in struct{ Identifier, Password string }
	body, _ := io.ReadAll(r.Body)
	json.Unmarshal(body, &in) //nolint:errcheck // refused below
	n.record("bluesky", r)
	if in.Identifier != atRestBlueskyHandle || in.Password != n.blueskyPassword {
		answerJSON(w, http.StatusUnauthorized, map[string]any{"error": "AuthenticationRequired", "message": "Invalid identifier or password"})
		return
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	n.issue(w)
}

func (n *atRestNets) refreshSession(w http.ResponseWriter, r *http.Request) {
	n.record("bluesky", r)
	n.mu.Lock()
	defer n.mu.Unlock()
	if len(n.refresh) == 0 || r.Header.Get("Authorization") != "Bearer "+n.refresh[len(n.refresh)-1] {
		answerJSON(w, http.StatusBadRequest, map[string]any{"error": "ExpiredToken", "message": "Token has been revoked"})
		return
	}
	n.issue(w)
}

func (n *atRestNets) createRecord(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Repo, Rkey string
		Record     struct{ Text string }
	}
	body, _ := io.ReadAll(r.Body)
	json.Unmarshal(body, &in) //nolint:errcheck // an empty text is recorded as such
	n.record("bluesky", r)
	n.mu.Lock()
	auth := r.Header.Get("Authorization")
	n.createRecordAuth = append(n.createRecordAuth, auth)
	valid := len(n.access) > 0 && auth == "Bearer "+n.access[len(n.access)-1]
	n.mu.Unlock()
	if !valid {
		answerJSON(w, http.StatusBadRequest, map[string]any{"error": "ExpiredToken", "message": "Token has expired"})
		return
	}
	n.post("bluesky", in.Record.Text)
	answerJSON(w, http.StatusOK, map[string]any{"uri": "at://" + in.Repo + "/app.bsky.feed.post/" + in.Rkey,
		"cid": "bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm", "validationStatus": "valid"})
}

// fragmentSize is how much of a secret's random part is enough to call a
// leak: 16 random hex or base64 characters, 64 bits or more, which nothing
// else matches by chance.
const fragmentSize = 16

// leaked reports whether b holds secret, or a piece of fragmentSize of its
// random part (a token cut short in a log line leaks too), and which.
func leaked(b []byte, secret string) (string, bool) {
	if bytes.Contains(b, []byte(secret)) {
		return secret, true
	}
	random := randomPart(secret)
	for i := 0; i+fragmentSize <= len(random); i += fragmentSize / 2 {
		if piece := random[i : i+fragmentSize]; bytes.Contains(b, []byte(piece)) {
			return piece, true
		}
	}
	if n := len(random); n > fragmentSize && bytes.Contains(b, []byte(random[n-fragmentSize:])) {
		return random[n-fragmentSize:], true
	}
	return "", false
}

// randomPart is the part of a test secret that was drawn at random: a JWT's
// signature (its header and claims are the same shape for every token), a
// token after its fixed "…-e2e-" prefix, or the whole value.
func randomPart(secret string) string {
	if strings.Count(secret, ".") == 2 {
		return secret[strings.LastIndex(secret, ".")+1:]
	}
	if i := strings.LastIndex(secret, "e2e-"); i >= 0 {
		return secret[i+len("e2e-"):]
	}
	return secret
}

// appPassword returns a random Bluesky app password (xxxx-xxxx-xxxx-xxxx).
func appPassword() string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz234567"
	b := make([]byte, 16)
	rand.Read(b) //nolint:errcheck // never fails
	var groups []string
	for i := 0; i < 16; i += 4 {
		var g []byte
		for _, c := range b[i : i+4] {
			g = append(g, alphabet[int(c)%len(alphabet)])
		}
		groups = append(groups, string(g))
	}
	return strings.Join(groups, "-")
}

// TestSecretsAtRest runs catweete with every network configured and
// CATWEETE_SECRET_KEY set, publishes a post everywhere, restarts it and
// publishes again: the Bluesky session is restored from the database (one
// createSession in all), and no token, password, key or issued JWT is ever
// found in the database file, its -wal and -shm, or the bot's output.
func TestSecretsAtRest(t *testing.T) {
	t.Parallel()
	key := make([]byte, 32)
	rand.Read(key) //nolint:errcheck // never fails
	s := secrets{
		botToken:      "xoxb-e2e-" + randomHex(12),
		signingSecret: randomHex(16),
		mastodonToken: "masto-e2e-" + randomHex(16),
	}
	configured := map[string]string{
		"SLACK_BOT_TOKEN":       s.botToken,
		"SLACK_SIGNING_SECRET":  s.signingSecret,
		"MASTODON_TOKEN":        s.mastodonToken,
		"X_ACCESS_TOKEN":        "x-e2e-" + randomHex(16),
		"LINKEDIN_ACCESS_TOKEN": "AQV-e2e-" + randomHex(16),
		"FACEBOOK_PAGE_TOKEN":   "EAAB-e2e-" + randomHex(16),
		"BLUESKY_APP_PASSWORD":  appPassword(),
		"CATWEETE_SECRET_KEY":   base64.StdEncoding.EncodeToString(key),
	}
	nets := newAtRestNets(t, configured["X_ACCESS_TOKEN"], configured["LINKEDIN_ACCESS_TOKEN"],
		configured["FACEBOOK_PAGE_TOKEN"], configured["BLUESKY_APP_PASSWORD"])
	in := &instance{
		t: t, secrets: s, dir: t.TempDir(), logs: &lockedBuffer{},
		slack: newFakeSlack(t, s.botToken, nil),
		masto: newFakeMastodon(t, s.mastodonToken),
		http:  &http.Client{Timeout: 10 * time.Second},
	}
	in.dbPath = filepath.Join(in.dir, "catweete.db")
	in.addr = freeAddr(t)
	in.env = []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + in.dir,
		"SLACK_API_URL=" + in.slack.apiURL(),
		"CATWEETE_DB=" + in.dbPath,
		"CATWEETE_HTTP_ADDR=" + in.addr,
		"CATWEETE_APPROVAL_CHANNEL=" + approvalChannel,
		"CATWEETE_APPROVERS=" + approver1 + "," + approver2,
		"MASTODON_URL=" + in.masto.srv.URL,
		"X_API_URL=" + nets.x.URL,
		"LINKEDIN_AUTHOR_URN=urn:li:organization:" + atRestLinkedInOrg,
		"LINKEDIN_API_URL=" + nets.linkedIn.URL,
		"FACEBOOK_PAGE_ID=" + atRestFacebookPage,
		"FACEBOOK_GRAPH_URL=" + nets.facebook.URL,
		"BLUESKY_HANDLE=" + atRestBlueskyHandle,
		"BLUESKY_PDS_URL=" + nets.pds.URL,
		"BLUESKY_APPVIEW_URL=" + nets.pds.URL,
	}
	for name, value := range configured {
		in.env = append(in.env, name+"="+value)
	}
	t.Cleanup(func() {
		in.kill()
		if t.Failed() {
			in.dumpLogs()
			nets.mu.Lock()
			t.Logf("the networks saw: %q", nets.calls)
			nets.mu.Unlock()
		}
	})
	in.start()

	everyNetwork := []string{"x", "linkedin", "facebook", "bluesky"}
	publishEverywhere := func(t *testing.T, marker string) {
		t.Helper()
		_, cd := in.draft("draft", "Le chat garde ses secrets "+marker, marker)
		in.click(approver1, cd, cd.button(t, "approve"))
		nets.waitPosts(t, marker, everyNetwork...)
		waitMastodon(in, 20*time.Second, "the Mastodon status of "+marker, func(rs []statusRequest) (bool, bool) {
			for _, r := range rs {
				if strings.Contains(r.Status, marker) {
					return true, true
				}
			}
			return false, false
		})
	}
	sessionRows := func() int {
		return in.count(`SELECT count(*) FROM secrets WHERE name = ? AND length(sealed) > 30`, "bluesky.session:"+atRestBlueskyHandle)
	}
	// checkNothingInClear looks for every configured secret and every JWT
	// issued so far, and for the key in hex and raw too.
	checkNothingInClear := func(t *testing.T, when string) {
		t.Helper()
		look := map[string]string{"CATWEETE_SECRET_KEY (hex)": hex.EncodeToString(key), "CATWEETE_SECRET_KEY (raw)": string(key)}
		for name, v := range configured {
			look[name] = v
		}
		for i, tok := range nets.tokens() {
			look[fmt.Sprintf("Bluesky JWT #%d", i+1)] = tok
		}
		places := map[string][]byte{"the bot's output (stderr and stdout)": []byte(in.logs.String())}
		for _, suffix := range []string{"", "-wal", "-shm"} {
			if b, err := os.ReadFile(in.dbPath + suffix); err == nil {
				places["catweete.db"+suffix] = b
			} else if suffix == "" {
				t.Fatalf("reading the database: %v", err)
			}
		}
		for name, secret := range look {
			for where, b := range places {
				if fragment, ok := leaked(b, secret); ok {
					t.Errorf("%s: %s appears in %s (%d characters of it at least)", when, name, where, len(fragment))
				}
			}
		}
	}

	t.Run("PublishedEverywhereWithOneLogin", func(t *testing.T) {
		in.t = t
		publishEverywhere(t, "e2e-atrest-1")
		if n := nets.count("bluesky POST /xrpc/com.atproto.server.createSession"); n != 1 {
			t.Errorf("createSession calls = %d, want 1", n)
		}
		if n := sessionRows(); n != 1 {
			t.Errorf("the secrets table holds %d sealed rows for the Bluesky session, want 1", n)
		}
		checkNothingInClear(t, "while serving")
	})

	t.Run("ARestartRestoresTheBlueskySession", func(t *testing.T) {
		in.t = t
		if _, err, ok := in.terminate(10 * time.Second); !ok || err != nil {
			t.Fatalf("catweete did not stop cleanly on SIGTERM: %v", err)
		}
		checkNothingInClear(t, "stopped")
		in.start()
		publishEverywhere(t, "e2e-atrest-2")
		if n := nets.count("bluesky POST /xrpc/com.atproto.server.createSession"); n != 1 {
			t.Errorf("createSession calls = %d after a restart, want 1: the session was not restored", n)
		}
		nets.mu.Lock()
		auths, first := append([]string(nil), nets.createRecordAuth...), nets.access[0]
		nets.mu.Unlock()
		for i, a := range auths {
			if a != "Bearer "+first {
				t.Errorf("createRecord #%d did not use the session opened before the restart", i+1)
			}
		}
		if n := sessionRows(); n != 1 {
			t.Errorf("the secrets table holds %d sealed rows for the Bluesky session, want 1", n)
		}
	})

	t.Run("SecretsNeverLeak", func(t *testing.T) {
		in.t = t
		checkSecrets(t, in)
		checkNothingInClear(t, "after the restart")
	})

	t.Run("TheLogShowsNoPanicAndNoDataRace", func(t *testing.T) {
		in.t = t
		checkLogs(t, in)
		checkNothingInClear(t, "after the stop")
		if n := nets.count("unexpected "); n != 0 {
			nets.mu.Lock()
			t.Errorf("the bot made %d calls no fake network expected: %q", n, nets.calls)
			nets.mu.Unlock()
		}
	})
	in.t = t
}
