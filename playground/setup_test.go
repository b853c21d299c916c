package playground

import (
	"bufio"
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack"
)

const testSecret = "8f742231b10e8888abcd99yyyzzz85a5"

// botRequest is one request the fake bot received.
type botRequest struct {
	Path   string
	Header http.Header
	Body   []byte
	// SignatureOK says whether the v0 signature checked out, computed here
	// with crypto/hmac, independently of package bot.
	SignatureOK bool
	Skew        time.Duration // between the signed timestamp and now
}

// form decodes a form-encoded request.
func (r botRequest) form(t *testing.T) url.Values {
	t.Helper()
	v, err := url.ParseQuery(string(r.Body))
	if err != nil {
		t.Fatalf("%s: body is not a form: %v", r.Path, err)
	}
	return v
}

// payload decodes an interactivity request's payload.
func (r botRequest) payload(t *testing.T) map[string]any {
	t.Helper()
	var p map[string]any
	if err := json.Unmarshal([]byte(r.form(t).Get("payload")), &p); err != nil {
		t.Fatalf("%s: payload is not JSON: %v", r.Path, err)
	}
	return p
}

// fakeBot stands where the bot's /slack/* endpoints are: it records what
// the playground sends and answers what the test says.
type fakeBot struct {
	mu       sync.Mutex
	requests []botRequest
	arrived  chan struct{}
	// answer returns the ack; nil means an empty 200.
	answer func(r botRequest) (int, string)
}

func (b *fakeBot) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	req := botRequest{Path: r.URL.Path, Header: r.Header.Clone(), Body: body}
	ts := r.Header.Get("X-Slack-Request-Timestamp")
	mac := hmac.New(sha256.New, []byte(testSecret))
	mac.Write([]byte("v0:" + ts + ":"))
	mac.Write(body)
	want := "v0=" + hex.EncodeToString(mac.Sum(nil))
	req.SignatureOK = ts != "" && hmac.Equal([]byte(want), []byte(r.Header.Get("X-Slack-Signature")))
	if sec, err := strconv.ParseInt(ts, 10, 64); err == nil {
		req.Skew = time.Since(time.Unix(sec, 0))
	}
	b.mu.Lock()
	b.requests = append(b.requests, req)
	answer := b.answer
	b.mu.Unlock()
	select {
	case b.arrived <- struct{}{}:
	default:
	}
	status, text := http.StatusOK, ""
	if answer != nil {
		status, text = answer(req)
	}
	if strings.HasPrefix(text, "{") {
		w.Header().Set("Content-Type", "application/json")
	}
	w.WriteHeader(status)
	w.Write([]byte(text))
}

func (b *fakeBot) setAnswer(f func(r botRequest) (int, string)) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.answer = f
}

// last returns the last request to path.
func (b *fakeBot) last(t *testing.T, path string) botRequest {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	for i := len(b.requests) - 1; i >= 0; i-- {
		if b.requests[i].Path == path {
			return b.requests[i]
		}
	}
	t.Fatalf("the bot received nothing on %s", path)
	return botRequest{}
}

func (b *fakeBot) count(path string) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	n := 0
	for _, r := range b.requests {
		if r.Path == path {
			n++
		}
	}
	return n
}

// fakeClock is a settable clock.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// env is one playground on its own server, with the fake bot beside it and
// a slack-go client pointed at it, as the bot's would be.
type env struct {
	t    *testing.T
	pg   *Playground
	srv  *httptest.Server
	bot  *fakeBot
	api  *slack.Client
	real *fakeClock // the playground's real-time clock (trigger ids, response_urls)
}

func setup(t *testing.T) *env {
	t.Helper()
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	real := &fakeClock{t: time.Now()}
	pg, err := New(Config{BaseURL: srv.URL, SigningSecret: testSecret, RealNow: real.now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pg.Close)
	pg.Routes(mux)
	bot := &fakeBot{arrived: make(chan struct{}, 1)}
	mux.HandleFunc("POST /slack/commands", bot.serve)
	mux.HandleFunc("POST /slack/events", bot.serve)
	mux.HandleFunc("POST /slack/interactivity", bot.serve)
	api := slack.New(BotToken, slack.OptionAPIURL(srv.URL+"/api/"))
	return &env{t: t, pg: pg, srv: srv, bot: bot, api: api, real: real}
}

// pagePost sends a request of the page and decodes its JSON answer.
func (e *env) pagePost(path string, body any) (int, map[string]any) {
	e.t.Helper()
	data, _ := json.Marshal(body)
	resp, err := http.Post(e.srv.URL+path, "application/json", bytes.NewReader(data))
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		e.t.Fatalf("%s: answer is not JSON: %v", path, err)
	}
	return resp.StatusCode, out
}

// state is GET /pg/state, decoded.
type pageState struct {
	Users    []map[string]any `json:"users"`
	Channels []map[string]any `json:"channels"`
	Messages []pageMessage    `json:"messages"`
	Views    []pageView       `json:"views"`
	Homes    []pageView       `json:"homes"`
}

type pageMessage struct {
	Channel      string           `json:"channel"`
	TS           string           `json:"ts"`
	User         string           `json:"user"`
	Text         string           `json:"text"`
	Blocks       []map[string]any `json:"blocks"`
	ThreadTS     string           `json:"thread_ts"`
	ReplyCount   int              `json:"reply_count"`
	EphemeralFor string           `json:"ephemeral_for"`
	Files        []fileRef        `json:"files"`
	Edited       bool             `json:"edited"`
}

type pageView struct {
	ID     string            `json:"id"`
	User   string            `json:"user"`
	View   map[string]any    `json:"view"`
	Errors map[string]string `json:"errors"`
}

func (e *env) state() pageState {
	e.t.Helper()
	resp, err := http.Get(e.srv.URL + "/pg/state")
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	var s pageState
	if err := json.NewDecoder(resp.Body).Decode(&s); err != nil {
		e.t.Fatal(err)
	}
	return s
}

// find returns the message of channel with this ts.
func (s pageState) find(channel, ts string) (pageMessage, bool) {
	for _, m := range s.Messages {
		if m.Channel == channel && m.TS == ts {
			return m, true
		}
	}
	return pageMessage{}, false
}

// stream is an open GET /pg/events.
type stream struct {
	t      *testing.T
	events chan map[string]any
}

func (e *env) events() *stream {
	e.t.Helper()
	resp, err := http.Get(e.srv.URL + "/pg/events")
	if err != nil {
		e.t.Fatal(err)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		e.t.Fatalf("GET /pg/events: Content-Type %q", ct)
	}
	s := &stream{t: e.t, events: make(chan map[string]any, 100)}
	go func() {
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			data, ok := strings.CutPrefix(sc.Text(), "data: ")
			if !ok {
				continue
			}
			var ev map[string]any
			if json.Unmarshal([]byte(data), &ev) == nil {
				s.events <- ev
			}
		}
		close(s.events)
	}()
	e.t.Cleanup(func() { resp.Body.Close() })
	// The stream is registered once its first bytes are out: wait for the
	// broker to count it, so that no event published next is missed.
	deadline := time.Now().Add(2 * time.Second)
	for e.pg.events.count() == 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	return s
}

// next waits for the first event f accepts.
func (s *stream) next(what string, f func(map[string]any) bool) map[string]any {
	s.t.Helper()
	timeout := time.After(3 * time.Second)
	for {
		select {
		case ev, ok := <-s.events:
			if !ok {
				s.t.Fatalf("the stream ended before %s", what)
			}
			if f(ev) {
				return ev
			}
		case <-timeout:
			s.t.Fatalf("no %s within 3 s", what)
		}
	}
}

// slackError returns the error code slack-go reports.
func slackError(err error) string {
	if err == nil {
		return ""
	}
	var se slack.SlackErrorResponse
	if errors.As(err, &se) {
		return se.Err
	}
	return err.Error()
}
