package e2e

import (
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// recorder is a sequence of recorded things that tests can wait on: every
// record wakes the waiters, so nothing polls on a timer.
type recorder struct {
	mu      sync.Mutex
	seq     int
	changed chan struct{}
}

func newRecorder() recorder { return recorder{changed: make(chan struct{})} }

// next must be called with mu held: it numbers a new record and wakes the
// waiters.
func (r *recorder) next() int {
	r.seq++
	close(r.changed)
	r.changed = make(chan struct{})
	return r.seq
}

// waitChange returns a channel closed at the next record.
func (r *recorder) waitChange() <-chan struct{} {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.changed
}

// mark is the sequence number of the last record: "what happens after now".
func (r *recorder) mark() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.seq
}

// apiCall is one Web API call the bot made.
type apiCall struct {
	Seq    int
	Method string
	// Form holds a form-encoded call's fields (without the token); JSON a
	// JSON call's body.
	Form url.Values
	JSON map[string]any
	Raw  string
	// Token is the credential the call carried (form field or bearer).
	Token string
	// Channel and TS are what the fake answered (chat.postMessage).
	Channel, TS string
}

// responsePost is one message the bot sent to a response_url.
type responsePost struct {
	Seq  int
	Path string
	Body map[string]any
	Raw  string
}

// text returns the message's text field.
func (p responsePost) text() string { s, _ := p.Body["text"].(string); return s }

// fakeSlack answers Slack's Web API as documented, for the methods the bot
// uses, and records every call. It also serves response_urls under
// /response/.
type fakeSlack struct {
	recorder
	srv       *httptest.Server
	token     string
	groups    map[string][]string
	calls     []apiCall
	responses []responsePost
	tsCounter int   // numbers views
	lastTS    int64 // the last message timestamp given, in microseconds
}

// nextTS returns a fresh message timestamp: the time now, as Slack's are,
// never twice the same. Called with mu held.
func (f *fakeSlack) nextTS() string {
	us := max(time.Now().UnixMicro(), f.lastTS+1)
	f.lastTS = us
	return fmt.Sprintf("%d.%06d", us/1_000_000, us%1_000_000)
}

func newFakeSlack(t *testing.T, token string, groups map[string][]string) *fakeSlack {
	f := &fakeSlack{recorder: newRecorder(), token: token, groups: groups}
	mux := http.NewServeMux()
	mux.HandleFunc("/api/", f.serveAPI)
	mux.HandleFunc("/response/", f.serveResponse)
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

// apiURL is SLACK_API_URL, with its trailing slash.
func (f *fakeSlack) apiURL() string { return f.srv.URL + "/api/" }

// newResponseURL returns a fresh response_url.
func (f *fakeSlack) newResponseURL(id string) string { return f.srv.URL + "/response/" + id }

func (f *fakeSlack) serveAPI(w http.ResponseWriter, r *http.Request) {
	method := strings.TrimPrefix(r.URL.Path, "/api/")
	raw, _ := io.ReadAll(r.Body)
	call := apiCall{Method: method, Raw: string(raw)}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct == "application/json" {
		if err := json.Unmarshal(raw, &call.JSON); err != nil {
			call.JSON = map[string]any{"_unparsable": string(raw)}
		}
	} else {
		call.Form, _ = url.ParseQuery(string(raw))
		for k, vs := range r.URL.Query() {
			call.Form[k] = append(call.Form[k], vs...)
		}
		call.Token = call.Form.Get("token")
		call.Form.Del("token")
	}
	if bearer, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
		call.Token = bearer
	}

	var answer any
	f.mu.Lock()
	switch {
	case call.Token != f.token:
		answer = map[string]any{"ok": false, "error": "invalid_auth"}
	case method == "auth.test":
		answer = map[string]any{"ok": true, "url": "https://e2e.slack.example/", "team": "E2E", "user": "catweete",
			"team_id": "T1", "user_id": "UBOT", "bot_id": "BBOT"}
	case method == "bots.info":
		if call.Form.Get("bot") != "BBOT" {
			answer = map[string]any{"ok": false, "error": "bot_not_found"}
		} else {
			answer = map[string]any{"ok": true, "bot": map[string]any{"id": "BBOT", "deleted": false, "name": "catweete",
				"updated": 1700000000, "app_id": "A1", "user_id": "UBOT"}}
		}
	case method == "chat.postMessage":
		call.Channel = call.Form.Get("channel")
		call.TS = f.nextTS()
		answer = map[string]any{"ok": true, "channel": call.Channel, "ts": call.TS,
			"message": map[string]any{"type": "message", "text": call.Form.Get("text"), "ts": call.TS}}
	case method == "chat.update":
		answer = map[string]any{"ok": true, "channel": call.Form.Get("channel"), "ts": call.Form.Get("ts"),
			"text": call.Form.Get("text")}
	case method == "chat.postEphemeral":
		answer = map[string]any{"ok": true, "message_ts": f.nextTS()}
	case method == "views.open":
		view, _ := call.JSON["view"].(map[string]any)
		f.tsCounter++
		opened := map[string]any{"id": fmt.Sprintf("V%06d", f.tsCounter), "team_id": "T1", "type": "modal"}
		for k, v := range view {
			opened[k] = v
		}
		answer = map[string]any{"ok": true, "view": opened}
	case method == "conversations.history" || method == "conversations.replies":
		answer = f.history(call.Form)
	case method == "usergroups.users.list":
		members, ok := f.groups[call.Form.Get("usergroup")]
		if !ok {
			answer = map[string]any{"ok": false, "error": "no_such_subteam"}
		} else {
			answer = map[string]any{"ok": true, "users": members}
		}
	default:
		answer = map[string]any{"ok": false, "error": "unknown_method"}
	}
	call.Seq = f.next()
	f.calls = append(f.calls, call)
	f.mu.Unlock()

	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	json.NewEncoder(w).Encode(answer) //nolint:errcheck // the bot hung up
}

// history answers conversations.history, or conversations.replies when
// the form names a thread (ts), from the messages the bot posted: those
// from oldest on, newest first for the history, the thread in order for
// the replies, with their metadata only when include_all_metadata is set.
// Called with mu held.
func (f *fakeSlack) history(form url.Values) map[string]any {
	thread, oldest := form.Get("ts"), form.Get("oldest")
	withMeta := form.Get("include_all_metadata") == "1" || form.Get("include_all_metadata") == "true"
	msgs := []map[string]any{}
	for _, c := range f.calls {
		if c.Method != "chat.postMessage" || c.TS == "" || c.Channel != form.Get("channel") || oldest != "" && tsBefore(c.TS, oldest) {
			continue
		}
		inThread := c.Form.Get("thread_ts")
		if thread == "" && inThread != "" || thread != "" && c.TS != thread && inThread != thread {
			continue
		}
		m := map[string]any{"type": "message", "user": "UBOT", "bot_id": "BBOT", "text": c.Form.Get("text"), "ts": c.TS}
		if inThread != "" {
			m["thread_ts"] = inThread
		}
		var md map[string]any
		if withMeta && json.Unmarshal([]byte(c.Form.Get("metadata")), &md) == nil {
			m["metadata"] = md
		}
		msgs = append(msgs, m)
	}
	if thread == "" {
		slices.Reverse(msgs)
	}
	return map[string]any{"ok": true, "messages": msgs, "has_more": false, "response_metadata": map[string]any{"next_cursor": ""}}
}

// tsBefore compares two message timestamps ("seconds.micros").
func tsBefore(a, b string) bool {
	fa, _ := strconv.ParseFloat(a, 64)
	fb, _ := strconv.ParseFloat(b, 64)
	return fa < fb
}

func (f *fakeSlack) serveResponse(w http.ResponseWriter, r *http.Request) {
	raw, _ := io.ReadAll(r.Body)
	post := responsePost{Path: r.URL.Path, Raw: string(raw)}
	if err := json.Unmarshal(raw, &post.Body); err != nil {
		post.Body = map[string]any{"_unparsable": string(raw)}
	}
	f.mu.Lock()
	post.Seq = f.next()
	f.responses = append(f.responses, post)
	f.mu.Unlock()
	w.Write([]byte("ok")) //nolint:errcheck // the bot hung up
}

// snapshot copies what was recorded after mark.
func (f *fakeSlack) snapshot(mark int) ([]apiCall, []responsePost) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var calls []apiCall
	for _, c := range f.calls {
		if c.Seq > mark {
			calls = append(calls, c)
		}
	}
	var resps []responsePost
	for _, p := range f.responses {
		if p.Seq > mark {
			resps = append(resps, p)
		}
	}
	return calls, resps
}

// statusRequest is one POST /api/v1/statuses the bot made.
type statusRequest struct {
	Seq            int
	IdempotencyKey string
	Authorization  string
	Status         string
	Visibility     string
	ID             string // what the fake answered
	Repeated       bool   // the key was seen before: the same status was returned
}

// fakeMastodon answers the Mastodon API as documented for the calls the bot
// makes: a status per Idempotency-Key, as Mastodon keeps them.
type fakeMastodon struct {
	recorder
	srv       *httptest.Server
	token     string
	statuses  []statusRequest
	byKey     map[string]string
	instances int
	counter   int
}

func newFakeMastodon(t *testing.T, token string) *fakeMastodon {
	f := &fakeMastodon{recorder: newRecorder(), token: token, byKey: map[string]string{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/v1/statuses", f.serveStatus)
	mux.HandleFunc("GET /api/v2/instance", func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		f.instances++
		f.next()
		f.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"domain":"masto.example","configuration":{"statuses":{"max_characters":500,"characters_reserved_per_url":23}}}`) //nolint:errcheck // the bot hung up
	})
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeMastodon) serveStatus(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Status     string `json:"status"`
		Visibility string `json:"visibility"`
	}
	raw, _ := io.ReadAll(r.Body)
	json.Unmarshal(raw, &body) //nolint:errcheck // an empty status is answered 422 below
	req := statusRequest{IdempotencyKey: r.Header.Get("Idempotency-Key"), Authorization: r.Header.Get("Authorization"),
		Status: body.Status, Visibility: body.Visibility}

	f.mu.Lock()
	defer f.mu.Unlock()
	defer func() { req.Seq = f.next(); f.statuses = append(f.statuses, req) }()
	w.Header().Set("Content-Type", "application/json")
	if req.Authorization != "Bearer "+f.token {
		w.WriteHeader(http.StatusUnauthorized)
		io.WriteString(w, `{"error":"The access token is invalid"}`) //nolint:errcheck // the bot hung up
		return
	}
	if strings.TrimSpace(req.Status) == "" {
		w.WriteHeader(http.StatusUnprocessableEntity)
		io.WriteString(w, `{"error":"Validation failed: Text can't be blank"}`) //nolint:errcheck // the bot hung up
		return
	}
	id, seen := f.byKey[req.IdempotencyKey]
	if !seen || req.IdempotencyKey == "" {
		f.counter++
		id = fmt.Sprint(f.counter)
		if req.IdempotencyKey != "" {
			f.byKey[req.IdempotencyKey] = id
		}
	}
	req.ID, req.Repeated = id, seen
	json.NewEncoder(w).Encode(map[string]any{ //nolint:errcheck // the bot hung up
		"id": id, "url": statusURL(id), "uri": "https://masto.example/users/brand/statuses/" + id,
		"content": "<p>" + req.Status + "</p>", "visibility": "public", "created_at": time.Now().UTC().Format(time.RFC3339),
	})
}

// statusURL is the public URL of the fake's status id.
func statusURL(id string) string { return "https://masto.example/@brand/" + id }

// requests copies the status requests recorded after mark.
func (f *fakeMastodon) requests(mark int) []statusRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []statusRequest
	for _, s := range f.statuses {
		if s.Seq > mark {
			out = append(out, s)
		}
	}
	return out
}

// requestsFor returns the status requests whose text contains marker.
func (f *fakeMastodon) requestsFor(marker string) []statusRequest {
	var out []statusRequest
	for _, s := range f.requests(0) {
		if strings.Contains(s.Status, marker) {
			out = append(out, s)
		}
	}
	return out
}
