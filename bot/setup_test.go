package bot

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/gorilla/websocket"
	"github.com/slack-go/slack"

	"catweete/commands"
	"catweete/social"
	"catweete/storage"
	"catweete/workflows"
)

// The tests' Slack identities.
const (
	testSecret   = "test-signing-secret"
	testBotUser  = "UBOT"
	testTeam     = "T1"
	testApp      = "A1"
	testApproval = "CAPPROVAL"
	testAppToken = "xapp-1-A1-test"
	testBotToken = "xoxb-test"
)

// waitLimit bounds every wait on something asynchronous.
const waitLimit = 10 * time.Second

// fakePublisher is a network that counts characters and never fails.
type fakePublisher struct {
	network string
	limit   int
}

func (p fakePublisher) Network() string { return p.network }
func (p fakePublisher) Publish(context.Context, social.Post) (social.Published, error) {
	return social.Published{ID: "1", URL: "https://social.example/1"}, nil
}
func (p fakePublisher) Length(text string) (int, int) { return utf8.RuneCountInString(text), p.limit }
func (p fakePublisher) Idempotent() bool              { return true }

// apiCall is one request the bot made to the fake Slack: a Web API
// method, or "response_url".
type apiCall struct {
	Method string
	Auth   string
	Form   url.Values
	JSON   map[string]any
	Body   []byte
	At     time.Time // when the fake received it
}

// field reads a request field, form-encoded or JSON.
func (c apiCall) field(name string) string {
	if c.Form != nil {
		return c.Form.Get(name)
	}
	if v, ok := c.JSON[name].(string); ok {
		return v
	}
	return ""
}

// hookFunc takes over the answer to one method; it returns false to let
// the default answer go.
type hookFunc func(w http.ResponseWriter, r *http.Request, c apiCall) bool

// fakeSlack is Slack's Web API, response URLs and Socket Mode WebSocket for
// one test. It records every call.
type fakeSlack struct {
	srv *httptest.Server

	mu      sync.Mutex
	calls   []apiCall
	changed chan struct{}
	hooks   map[string]hookFunc
	lastTS  int64 // the last message timestamp given, in microseconds
	peers   []*wsPeer
	// messages are the messages posted, in order, as Slack keeps them for
	// conversations.history and conversations.replies.
	messages []fakeMessage

	// newPeers receives each Socket Mode connection once its hello is sent.
	newPeers chan *wsPeer
}

func newFakeSlack(t testing.TB) *fakeSlack {
	t.Helper()
	f := &fakeSlack{changed: make(chan struct{}), hooks: make(map[string]hookFunc), newPeers: make(chan *wsPeer, 16)}
	f.srv = httptest.NewServer(f)
	t.Cleanup(func() {
		f.mu.Lock()
		peers := f.peers
		f.mu.Unlock()
		for _, p := range peers {
			p.conn.Close()
		}
		f.srv.Close()
	})
	return f
}

// on sets the hook of method ("chat.postMessage", "response_url", …).
func (f *fakeSlack) on(method string, h hookFunc) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.hooks[method] = h
}

func (f *fakeSlack) responseURL(n int) string { return fmt.Sprintf("%s/response/%d", f.srv.URL, n) }

func (f *fakeSlack) wsURL() string { return "ws://" + f.srv.Listener.Addr().String() + "/ws" }

func (f *fakeSlack) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	method := strings.TrimPrefix(r.URL.Path, "/")
	if method == "ws" {
		f.serveWebSocket(w, r)
		return
	}
	// The Web API takes GET with a query string too (slack-go reads
	// chat.getPermalink that way); response URLs take POST only.
	if r.Method != http.MethodPost && (r.Method != http.MethodGet || strings.HasPrefix(method, "response/")) {
		http.Error(w, "POST only", http.StatusMethodNotAllowed)
		return
	}
	body, _ := io.ReadAll(r.Body)
	c := apiCall{Method: method, Auth: r.Header.Get("Authorization"), Body: body, At: time.Now()}
	if strings.HasPrefix(method, "response/") {
		c.Method = "response_url"
	}
	switch ct := r.Header.Get("Content-Type"); {
	case r.Method == http.MethodGet:
		c.Form = r.URL.Query()
	case strings.HasPrefix(ct, "application/x-www-form-urlencoded"):
		c.Form, _ = url.ParseQuery(string(body))
	case strings.HasPrefix(ct, "application/json"):
		json.Unmarshal(body, &c.JSON) //nolint:errcheck // an unreadable body shows as an empty map
	}
	f.mu.Lock()
	f.calls = append(f.calls, c)
	close(f.changed)
	f.changed = make(chan struct{})
	hook := f.hooks[c.Method]
	f.mu.Unlock()
	if hook != nil && hook(w, r, c) {
		return
	}
	f.answer(w, c)
}

// fakeMessage is a message Slack keeps: what chat.postMessage gave it.
type fakeMessage struct {
	Channel, TS, ThreadTS, Text string
	Metadata                    map[string]any // event_type and event_payload; nil without
}

// nextTS returns a fresh message timestamp: the time now, as Slack's are,
// never twice the same.
func (f *fakeSlack) nextTS() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	us := max(time.Now().UnixMicro(), f.lastTS+1)
	f.lastTS = us
	return fmt.Sprintf("%d.%06d", us/1_000_000, us%1_000_000)
}

// keep stores the message chat.postMessage call c posts, and returns its
// ts. A hook that answers in Slack's stead calls it when the message was
// posted all the same.
func (f *fakeSlack) keep(c apiCall) string {
	ts := f.nextTS()
	m := fakeMessage{Channel: c.field("channel"), TS: ts, ThreadTS: c.field("thread_ts"), Text: c.field("text")}
	if raw := c.field("metadata"); raw != "" {
		json.Unmarshal([]byte(raw), &m.Metadata) //nolint:errcheck // unreadable metadata is kept as none
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.messages = append(f.messages, m)
	return ts
}

// posted returns the messages kept in channel, in order.
func (f *fakeSlack) posted(channel string) []fakeMessage {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []fakeMessage
	for _, m := range f.messages {
		if m.Channel == channel {
			out = append(out, m)
		}
	}
	return out
}

// history answers conversations.history (thread is "") or
// conversations.replies: the messages from oldest on, newest first for
// the history, the thread in order for the replies, with their metadata
// only when include_all_metadata is set, as Slack answers.
func (f *fakeSlack) history(c apiCall, thread string) map[string]any {
	oldest, withMeta := c.field("oldest"), c.field("include_all_metadata") == "1" || c.field("include_all_metadata") == "true"
	f.mu.Lock()
	defer f.mu.Unlock()
	msgs := []map[string]any{}
	for _, m := range f.messages {
		if m.Channel != c.field("channel") || oldest != "" && tsBefore(m.TS, oldest) {
			continue
		}
		if thread == "" && m.ThreadTS != "" || thread != "" && m.TS != thread && m.ThreadTS != thread {
			continue
		}
		out := map[string]any{"type": "message", "user": testBotUser, "bot_id": "B1", "text": m.Text, "ts": m.TS}
		if m.ThreadTS != "" {
			out["thread_ts"] = m.ThreadTS
		}
		if withMeta && m.Metadata != nil {
			out["metadata"] = m.Metadata
		}
		msgs = append(msgs, out)
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

// answer replies as Slack documents each method.
func (f *fakeSlack) answer(w http.ResponseWriter, c apiCall) {
	var reply any
	switch c.Method {
	case "response_url":
		w.Write([]byte("ok"))
		return
	case "auth.test":
		reply = map[string]any{"ok": true, "url": "https://cat.slack.com/", "team": "Cat", "user": "catweete",
			"team_id": testTeam, "user_id": testBotUser, "bot_id": "B1"}
	case "bots.info":
		if c.field("bot") != "B1" {
			reply = map[string]any{"ok": false, "error": "bot_not_found"}
			break
		}
		reply = map[string]any{"ok": true, "bot": map[string]any{"id": "B1", "deleted": false, "name": "catweete",
			"updated": 1700000000, "app_id": testApp, "user_id": testBotUser}}
	case "apps.connections.open":
		reply = map[string]any{"ok": true, "url": f.wsURL()}
	case "chat.postMessage":
		ts := f.keep(c)
		reply = map[string]any{"ok": true, "channel": c.field("channel"), "ts": ts, "message": map[string]any{"text": c.field("text")}}
	case "conversations.history":
		reply = f.history(c, "")
	case "conversations.replies":
		reply = f.history(c, c.field("ts"))
	case "chat.update":
		reply = map[string]any{"ok": true, "channel": c.field("channel"), "ts": c.field("ts"), "text": c.field("text")}
	case "chat.postEphemeral":
		reply = map[string]any{"ok": true, "message_ts": f.nextTS()}
	case "chat.getPermalink":
		reply = map[string]any{"ok": true, "channel": c.field("channel"),
			"permalink": "https://cat.slack.com/archives/" + c.field("channel") + "/p" + strings.ReplaceAll(c.field("message_ts"), ".", "")}
	case "views.open":
		reply = map[string]any{"ok": true, "view": map[string]any{"id": "V1", "type": "modal"}}
	default:
		reply = map[string]any{"ok": true}
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(reply) //nolint:errcheck // the bot hung up
}

// snapshot returns the calls so far.
func (f *fakeSlack) snapshot() []apiCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.calls)
}

// wait returns the calls once cond holds on them, or fails the test.
func (f *fakeSlack) wait(t *testing.T, what string, cond func([]apiCall) bool) []apiCall {
	t.Helper()
	deadline := time.NewTimer(waitLimit)
	defer deadline.Stop()
	for {
		f.mu.Lock()
		calls, changed := slices.Clone(f.calls), f.changed
		f.mu.Unlock()
		if cond(calls) {
			return calls
		}
		select {
		case <-changed:
		case <-deadline.C:
			t.Fatalf("timed out waiting for %s; calls: %s", what, methods(calls))
		}
	}
}

// waitMethod waits for n calls of method and returns them.
func (f *fakeSlack) waitMethod(t *testing.T, method string, n int) []apiCall {
	t.Helper()
	var got []apiCall
	f.wait(t, fmt.Sprintf("%d %s", n, method), func(calls []apiCall) bool {
		got = only(calls, method)
		return len(got) >= n
	})
	return got
}

func only(calls []apiCall, method string) []apiCall {
	var out []apiCall
	for _, c := range calls {
		if c.Method == method {
			out = append(out, c)
		}
	}
	return out
}

func methods(calls []apiCall) string {
	names := make([]string, len(calls))
	for i, c := range calls {
		names[i] = c.Method
	}
	return "[" + strings.Join(names, " ") + "]"
}

// wsPeer is Slack's end of one Socket Mode connection.
type wsPeer struct {
	conn   *websocket.Conn
	frames chan []byte   // what the bot sent
	done   chan struct{} // closed when the connection is gone
}

const helloFrame = `{"type":"hello","num_connections":1,"debug_info":{"host":"applink-test","approximate_connection_time":18060},"connection_info":{"app_id":"A1"}}`

func (f *fakeSlack) serveWebSocket(w http.ResponseWriter, r *http.Request) {
	up := websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}
	conn, err := up.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	p := &wsPeer{conn: conn, frames: make(chan []byte, 64), done: make(chan struct{})}
	f.mu.Lock()
	f.peers = append(f.peers, p)
	f.mu.Unlock()
	if err := conn.WriteMessage(websocket.TextMessage, []byte(helloFrame)); err != nil {
		conn.Close()
		return
	}
	go func() {
		defer close(p.done)
		defer conn.Close()
		for {
			_, data, err := conn.ReadMessage()
			if err != nil {
				return
			}
			p.frames <- data
		}
	}()
	f.newPeers <- p
}

// nextPeer waits for the bot's next Socket Mode connection.
func (f *fakeSlack) nextPeer(t *testing.T) *wsPeer {
	t.Helper()
	select {
	case p := <-f.newPeers:
		return p
	case <-time.After(waitLimit):
		t.Fatal("timed out waiting for a Socket Mode connection")
		return nil
	}
}

// send writes one frame to the bot. Only the test goroutine writes.
func (p *wsPeer) send(t *testing.T, v any) {
	t.Helper()
	if err := p.conn.WriteJSON(v); err != nil {
		t.Fatalf("writing to the bot: %v", err)
	}
}

type socketAck struct {
	EnvelopeID string          `json:"envelope_id"`
	Payload    json.RawMessage `json:"payload"`
}

// nextFrame waits for the next frame from the bot.
func (p *wsPeer) nextFrame(t *testing.T) socketAck {
	t.Helper()
	select {
	case data := <-p.frames:
		var a socketAck
		if err := json.Unmarshal(data, &a); err != nil {
			t.Fatalf("bot sent %q: %v", data, err)
		}
		return a
	case <-p.done:
		t.Fatal("connection closed while waiting for an ack")
	case <-time.After(waitLimit):
		t.Fatal("timed out waiting for an ack")
	}
	return socketAck{}
}

// nextAck waits for the next ack of an envelope, skipping acks without an
// envelope id (the hello's: see TestSocketModeHelloIsNotAcked).
func (p *wsPeer) nextAck(t *testing.T) socketAck {
	t.Helper()
	for {
		if a := p.nextFrame(t); a.EnvelopeID != "" {
			return a
		}
	}
}

// closed waits for the connection to be gone.
func (p *wsPeer) closed(t *testing.T) {
	t.Helper()
	select {
	case <-p.done:
	case <-time.After(waitLimit):
		t.Fatal("the bot did not close the connection")
	}
}

// fixture is a real Bot on a real SQLite file, talking to a fake Slack.
type fixture struct {
	slack    *fakeSlack
	api      *slack.Client
	store    *storage.Store
	svc      *workflows.Service
	router   *commands.Router
	notifier *Notifier
	bot      *Bot
	srv      *httptest.Server // the bot's HTTP endpoints
}

type setupOptions struct {
	lang     commands.Lang
	workers  int
	queue    int
	required int
	// approvers is CATWEETE_APPROVERS; empty for anyone.
	approvers []string
	// appID is SLACK_APP_ID; empty to ask bots.info.
	appID string
	// ackWait is Config.AckWait: 0, a slash command's ack never waits for
	// its answer.
	ackWait time.Duration
	// hooks answer Web API methods from the start, bot.New's calls
	// included.
	hooks map[string]hookFunc
	// logger is the bot's; if nil, discarded.
	logger *slog.Logger
	// sleep, callTimeout and now are the notifier's (NotifierConfig's
	// SleepFunc, CallTimeout and Now); zero for the defaults.
	sleep       func(ctx context.Context, d time.Duration) error
	callTimeout time.Duration
	now         func() time.Time
}

func setup(t testing.TB, opts ...func(*setupOptions)) *fixture {
	t.Helper()
	o := setupOptions{lang: commands.French}
	for _, opt := range opts {
		opt(&o)
	}
	ctx := t.Context()
	fs := newFakeSlack(t)
	for method, h := range o.hooks {
		fs.on(method, h)
	}
	api := slack.New(testBotToken, slack.OptionAPIURL(fs.srv.URL+"/"), slack.OptionAppLevelToken(testAppToken))
	store, err := storage.Open(ctx, filepath.Join(t.TempDir(), "catweete.db"))
	if err != nil {
		t.Fatalf("storage.Open: %v", err)
	}
	t.Cleanup(func() { store.Close() })
	catalog := commands.NewCatalog()
	notifier, err := NewNotifier(NotifierConfig{API: api, Catalog: catalog, Lang: o.lang, ApprovalChannel: testApproval,
		SleepFunc: o.sleep, CallTimeout: o.callTimeout, Now: o.now, Logger: o.logger})
	if err != nil {
		t.Fatalf("NewNotifier: %v", err)
	}
	svc, err := workflows.New(ctx, workflows.Config{
		Store: store, Notifier: notifier, Directory: notifier, Location: time.UTC, ApprovalsRequired: o.required, Approvers: o.approvers,
		Accounts: []workflows.AccountConfig{
			{Handle: "https://mastodon.example/@cat", DisplayName: "Mastodon", Publisher: fakePublisher{social.NetworkMastodon, 500}},
			{Handle: "cat.bsky.example", DisplayName: "Bluesky", Publisher: fakePublisher{social.NetworkBluesky, 300}},
		},
	})
	if err != nil {
		t.Fatalf("workflows.New: %v", err)
	}
	router, err := commands.New(commands.Config{Service: svc, Lang: o.lang, ApprovalChannel: testApproval})
	if err != nil {
		t.Fatalf("commands.New: %v", err)
	}
	b, err := New(ctx, Config{
		API: api, Router: router, Notifier: notifier, Events: store, SigningSecret: testSecret,
		HTTPClient: fs.srv.Client(), Workers: o.workers, Queue: o.queue, JobTimeout: waitLimit,
		AppID: o.appID, Logger: o.logger, AckWait: o.ackWait,
	})
	if err != nil {
		t.Fatalf("bot.New: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		b.Shutdown(ctx) //nolint:errcheck // a test that cut jobs short already said so
	})
	mux := http.NewServeMux()
	b.Routes(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return &fixture{slack: fs, api: api, store: store, svc: svc, router: router, notifier: notifier, bot: b, srv: srv}
}

func english(o *setupOptions) { o.lang = commands.English }

func smallPool(o *setupOptions) { o.workers, o.queue = 1, 1 }

// sign sets Slack's signature headers for body, made now.
func sign(h http.Header, body []byte) {
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	mac := hmac.New(sha256.New, []byte(testSecret))
	mac.Write([]byte("v0:" + ts + ":"))
	mac.Write(body)
	h.Set("X-Slack-Request-Timestamp", ts)
	h.Set("X-Slack-Signature", "v0="+hex.EncodeToString(mac.Sum(nil)))
}

// post sends a signed request to the bot; edit may change the headers
// after signing.
func (f *fixture) post(t *testing.T, path, contentType string, body []byte, edit func(http.Header)) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, f.srv.URL+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	sign(req.Header, body)
	if edit != nil {
		edit(req.Header)
	}
	resp, err := f.srv.Client().Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", path, err)
	}
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("POST %s: reading the answer: %v", path, err)
	}
	return resp, got
}

const formType = "application/x-www-form-urlencoded"

// command sends a slash command.
func (f *fixture) command(t *testing.T, user, text, responseURL string) (*http.Response, []byte) {
	t.Helper()
	form := url.Values{
		"token": {"legacy"}, "team_id": {testTeam}, "team_domain": {"cat"}, "channel_id": {"C1"},
		"channel_name": {"general"}, "user_id": {user}, "user_name": {"someone"}, "command": {"/catweete"},
		"text": {text}, "api_app_id": {"A1"}, "response_url": {responseURL}, "trigger_id": {"13345224609.738474920.8088930838d88f008e0"},
	}
	return f.post(t, "/slack/commands", formType, []byte(form.Encode()), nil)
}

// interaction sends an interaction payload.
func (f *fixture) interaction(t *testing.T, payload any) (*http.Response, []byte) {
	t.Helper()
	raw, ok := payload.(string)
	if !ok {
		b, err := json.Marshal(payload)
		if err != nil {
			t.Fatal(err)
		}
		raw = string(b)
	}
	return f.post(t, "/slack/interactivity", formType, []byte(url.Values{"payload": {raw}}.Encode()), nil)
}

// mentionEvent is an Events API callback for an app_mention.
func mentionEvent(eventID, user, text, ts string) map[string]any {
	return map[string]any{
		"token": "legacy", "team_id": testTeam, "api_app_id": "A1", "type": "event_callback",
		"event_id": eventID, "event_time": 1700000000, "authorizations": []any{},
		"event": map[string]any{
			"type": "app_mention", "user": user, "text": "<@" + testBotUser + "> " + text,
			"ts": ts, "channel": "C1", "event_ts": ts,
		},
	}
}

// draft stores a post by UAUTHOR, as the draft command would, and returns it
// with its card posted.
func (f *fixture) draft(t *testing.T, text string) workflows.Post {
	t.Helper()
	p, err := f.svc.Draft(t.Context(), workflows.DraftRequest{AuthorID: "UAUTHOR", Text: text, OriginChannel: "C1"})
	if err != nil {
		t.Fatalf("Draft: %v", err)
	}
	return p
}

// blockAction is a click on a card's button.
func blockAction(user, actionID, value string) map[string]any {
	return map[string]any{
		"type": "block_actions", "user": map[string]any{"id": user, "username": "someone", "team_id": testTeam},
		"api_app_id": "A1", "token": "legacy", "team": map[string]any{"id": testTeam, "domain": "cat"},
		"channel":    map[string]any{"id": testApproval, "name": "approbations"},
		"container":  map[string]any{"type": "message", "channel_id": testApproval, "message_ts": "1700000000.000001"},
		"trigger_id": "13345224609.738474920.8088930838d88f008e0",
		"actions": []any{map[string]any{
			"type": "button", "block_id": cardActionsID, "action_id": actionID, "value": value,
			"text": map[string]any{"type": "plain_text", "text": "x"}, "action_ts": "1700000001.000001",
		}},
	}
}

// viewSubmission is a modal sent back: the view as the bot opened it,
// with state holding values[block][action] = value.
func viewSubmission(t *testing.T, user string, view slack.ModalViewRequest, values map[string]map[string]any) map[string]any {
	t.Helper()
	raw, err := json.Marshal(view)
	if err != nil {
		t.Fatal(err)
	}
	var v map[string]any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	v["id"], v["team_id"], v["app_id"] = "V1", testTeam, "A1"
	state := map[string]any{}
	for block, actions := range values {
		state[block] = actions
	}
	v["state"] = map[string]any{"values": state}
	return map[string]any{
		"type": "view_submission", "team": map[string]any{"id": testTeam}, "api_app_id": "A1", "token": "legacy",
		"user": map[string]any{"id": user, "username": "someone", "team_id": testTeam},
		"view": v, "trigger_id": "13345224609.738474920.8088930838d88f008e0",
	}
}

func plainValue(s string) map[string]any {
	return map[string]any{"type": "plain_text_input", "value": s}
}
