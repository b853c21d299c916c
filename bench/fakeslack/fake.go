package main

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"catweete/bench/workspace"
)

// maxBody bounds what the fake reads of a request: Slack's own limits are
// far below it.
const maxBody = 1 << 20

// messageEpoch is where the ts of the messages the fake posts start: far
// before any mention's ts (which is "now"), so that the thread of a card is
// never mistaken for the thread of a mention.
const messageEpoch = 1_500_000_000

// fake is the fake Slack's state: counters, and the replies in each
// mention's thread.
type fake struct {
	token string // the only token accepted; any when empty

	mu        sync.Mutex
	calls     map[string]int64
	failed    map[string]int64
	responses map[string]int64
	replies   map[int64]int64 // mention number → replies in its thread
	threaded  int64
	messages  int64 // numbers the ts of the messages it posts
}

func newFake(token string) *fake {
	return &fake{
		token: token, calls: map[string]int64{}, failed: map[string]int64{}, responses: map[string]int64{},
		replies: map[int64]int64{},
	}
}

func (f *fake) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/{method}", f.serveAPI)
	mux.HandleFunc("POST /response/{tag}/", f.serveResponse)
	mux.HandleFunc("POST /response/{tag}", f.serveResponse)
	mux.HandleFunc("GET /bench/stats", f.serveStats)
	mux.HandleFunc("GET /bench/threads", f.serveThreads)
	return mux
}

// apiRequest is one Web API call, its fields whether it came form-encoded
// (most of slack-go's calls, Bolt's) or as JSON (views.*).
type apiRequest struct {
	method string
	form   url.Values
	json   map[string]any
	token  string
}

// field returns a top-level field as a string, from either encoding.
func (r apiRequest) field(name string) string {
	if r.json != nil {
		switch v := r.json[name].(type) {
		case string:
			return v
		case nil:
			return ""
		default:
			b, _ := json.Marshal(v)
			return string(b)
		}
	}
	return r.form.Get(name)
}

func readAPIRequest(w http.ResponseWriter, r *http.Request) (apiRequest, error) {
	req := apiRequest{method: r.PathValue("method")}
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		return req, err
	}
	if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct == "application/json" {
		if len(raw) > 0 {
			if err := json.Unmarshal(raw, &req.json); err != nil {
				return req, err
			}
		}
		if req.json == nil {
			req.json = map[string]any{}
		}
	} else {
		if req.form, err = url.ParseQuery(string(raw)); err != nil {
			return req, err
		}
		for k, vs := range r.URL.Query() {
			req.form[k] = append(req.form[k], vs...)
		}
		req.token = req.form.Get("token")
	}
	if bearer, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
		req.token = bearer
	}
	return req, nil
}

// slackError is the body of a failed call, as Slack answers it: HTTP 200
// with ok:false.
func slackError(code string) map[string]any { return map[string]any{"ok": false, "error": code} }

func (f *fake) serveAPI(w http.ResponseWriter, r *http.Request) {
	req, err := readAPIRequest(w, r)
	var answer map[string]any
	switch {
	case err != nil:
		answer = slackError("invalid_form_data")
	case req.token == "":
		answer = slackError("not_authed")
	case f.token != "" && req.token != f.token:
		answer = slackError("invalid_auth")
	default:
		answer = f.answer(req)
	}
	f.mu.Lock()
	f.calls[req.method]++
	if ok, _ := answer["ok"].(bool); !ok {
		f.failed[req.method]++
	}
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	json.NewEncoder(w).Encode(answer) //nolint:errcheck // the client hung up: nothing to do
}

// nextTS returns the ts of a message the fake posts.
func (f *fake) nextTS() string {
	f.mu.Lock()
	f.messages++
	n := f.messages
	f.mu.Unlock()
	return fmt.Sprintf("%d.%06d", messageEpoch+n/1_000_000, n%1_000_000)
}

// answer is the documented answer of each method catweete or Bolt calls,
// with the fields their clients read.
func (f *fake) answer(req apiRequest) map[string]any {
	switch req.method {
	case "auth.test":
		return map[string]any{"ok": true, "url": "https://" + workspace.TeamDomain + ".slack.com/",
			"team": "catweete bench", "user": "catweete", "team_id": workspace.TeamID,
			"user_id": workspace.BotUserID, "bot_id": workspace.BotID, "is_enterprise_install": false}
	case "bots.info":
		return map[string]any{"ok": true, "bot": map[string]any{"id": workspace.BotID, "deleted": false, "name": "catweete",
			"updated": time.Now().Unix(), "app_id": workspace.AppID, "user_id": workspace.BotUserID}}
	case "users.info":
		user := req.field("user")
		if user == "" {
			return slackError("user_not_found")
		}
		return map[string]any{"ok": true, "user": map[string]any{"id": user, "team_id": workspace.TeamID,
			"name": strings.ToLower(user), "real_name": user, "deleted": false, "is_bot": false,
			"tz": workspace.TimeZone, "tz_label": "Central European Time", "tz_offset": 3600,
			"profile": map[string]any{"real_name": user, "display_name": strings.ToLower(user)}}}
	case "usergroups.users.list":
		if req.field("usergroup") == "" {
			return slackError("no_such_subteam")
		}
		return map[string]any{"ok": true, "users": []string{workspace.Approver}}
	case "chat.postMessage":
		channel := req.field("channel")
		if channel == "" {
			return slackError("channel_not_found")
		}
		if thread := req.field("thread_ts"); thread != "" {
			f.mu.Lock()
			f.threaded++
			if n, ok := workspace.FromTS(thread); ok {
				f.replies[n]++
			}
			f.mu.Unlock()
		}
		ts := f.nextTS()
		return map[string]any{"ok": true, "channel": channel, "ts": ts,
			"message": map[string]any{"type": "message", "user": workspace.BotUserID, "bot_id": workspace.BotID,
				"text": req.field("text"), "ts": ts}}
	case "chat.postEphemeral":
		if req.field("channel") == "" || req.field("user") == "" {
			return slackError("channel_not_found")
		}
		return map[string]any{"ok": true, "message_ts": f.nextTS()}
	case "chat.update":
		if req.field("channel") == "" || req.field("ts") == "" {
			return slackError("message_not_found")
		}
		return map[string]any{"ok": true, "channel": req.field("channel"), "ts": req.field("ts"),
			"text": req.field("text")}
	case "views.publish", "views.open", "views.update":
		view := map[string]any{}
		if v, ok := req.json["view"].(map[string]any); ok {
			view = v
		} else if s := req.field("view"); s != "" {
			json.Unmarshal([]byte(s), &view) //nolint:errcheck // an unreadable view is answered as an empty one
		}
		view["id"] = "V" + strings.ReplaceAll(f.nextTS(), ".", "")
		view["team_id"] = workspace.TeamID
		return map[string]any{"ok": true, "view": view}
	case "conversations.history":
		if req.field("channel") == "" {
			return slackError("channel_not_found")
		}
		return map[string]any{"ok": true, "messages": []any{}, "has_more": false,
			"response_metadata": map[string]any{"next_cursor": ""}}
	}
	return slackError("unknown_method")
}

// serveResponse is a response_url: Slack answers "ok" to a message it took.
func (f *fake) serveResponse(w http.ResponseWriter, r *http.Request) {
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	var msg struct {
		Text string `json:"text"`
	}
	if err == nil {
		err = json.Unmarshal(raw, &msg)
	}
	if err != nil || msg.Text == "" {
		http.Error(w, "invalid_payload", http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	f.responses[r.PathValue("tag")]++
	f.mu.Unlock()
	w.Write([]byte("ok")) //nolint:errcheck // the client hung up: nothing to do
}

func (f *fake) serveStats(w http.ResponseWriter, _ *http.Request) {
	f.mu.Lock()
	stats := workspace.Stats{Calls: maps.Clone(f.calls), Failed: maps.Clone(f.failed),
		Responses: maps.Clone(f.responses), ThreadReplies: f.threaded}
	f.mu.Unlock()
	writeJSON(w, stats)
}

func (f *fake) serveThreads(w http.ResponseWriter, r *http.Request) {
	from, errFrom := strconv.ParseInt(r.URL.Query().Get("from"), 10, 64)
	to, errTo := strconv.ParseInt(r.URL.Query().Get("to"), 10, 64)
	if errFrom != nil || errTo != nil || to < from {
		http.Error(w, "want from and to, two numbers with from <= to", http.StatusBadRequest)
		return
	}
	var t workspace.Threads
	f.mu.Lock()
	for n, replies := range f.replies {
		if n < from || n > to {
			continue
		}
		t.Answered++
		t.Replies += replies
		if replies > 1 {
			t.Twice++
			t.TwiceExamples = append(t.TwiceExamples, n)
		}
	}
	f.mu.Unlock()
	slices.Sort(t.TwiceExamples)
	if len(t.TwiceExamples) > 100 {
		t.TwiceExamples = t.TwiceExamples[:100]
	}
	writeJSON(w, t)
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v) //nolint:errcheck // the client hung up: nothing to do
}
