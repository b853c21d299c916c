package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// The fuzz targets of the HTTP endpoints send one signed request (signed
// here, with sign, as Slack would) to a fresh fixture (setup) holding one
// pending post, n°1 by UAUTHOR, so that buttons and commands naming it
// reach the workflows. They wait for the jobs taken (Shutdown), then check
// that the request got a 200 (never a 5xx: Slack would retry the same
// bytes) and that nothing panicked. The endpoints recover from a panic and
// answer 200, and the pool's jobs recover too: a panic shows only in the
// bot's log, which is read here.

// panicLog is the bot's logger in a fuzz run: it keeps the panics that the
// handlers and jobs recovered from, and drops everything else.
type panicLog struct {
	mu     sync.Mutex
	panics []string
}

func (l *panicLog) Enabled(_ context.Context, level slog.Level) bool { return level >= slog.LevelError }

func (l *panicLog) Handle(_ context.Context, r slog.Record) error {
	if r.Message != "request handler panicked" && r.Message != "job panicked" {
		return nil
	}
	line := r.Message
	r.Attrs(func(a slog.Attr) bool {
		line += fmt.Sprintf(" %s=%v", a.Key, a.Value)
		return true
	})
	l.mu.Lock()
	defer l.mu.Unlock()
	l.panics = append(l.panics, line)
	return nil
}

func (l *panicLog) WithAttrs([]slog.Attr) slog.Handler { return l }
func (l *panicLog) WithGroup(string) slog.Handler      { return l }

func (l *panicLog) all() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.panics...)
}

// toFakeSlack sends every request to the fake Slack, whatever its URL: a
// fuzzed payload names its own response_url, which must not leave the test.
type toFakeSlack struct {
	host string
	next http.RoundTripper
}

func (tr toFakeSlack) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.URL.Scheme, r.URL.Host, r.Host = "http", tr.host, ""
	return tr.next.RoundTrip(r)
}

// fuzzFixture is setup's fixture with the panic log and the outbound
// guard in place, and post n°1 drafted by UAUTHOR.
func fuzzFixture(t *testing.T) (*fixture, *panicLog) {
	t.Helper()
	f := setup(t)
	logs := &panicLog{}
	f.bot.log = slog.New(logs)
	f.bot.httpClient = &http.Client{Transport: toFakeSlack{
		host: strings.TrimPrefix(f.slack.srv.URL, "http://"),
		next: f.slack.srv.Client().Transport,
	}}
	f.draft(t, "Ça tweete ! https://example.com/a #catweete")
	return f, logs
}

// checkServed fails unless the request was answered 200 and nothing
// panicked, in the handler or in the jobs it started.
func (f *fixture) checkServed(t *testing.T, logs *panicLog, what string, resp *http.Response, ack []byte) {
	t.Helper()
	f.shutdown(t)
	if p := logs.all(); len(p) > 0 {
		t.Fatalf("%s: panicked: %s", what, strings.Join(p, "; "))
	}
	if resp.StatusCode >= 500 {
		t.Fatalf("%s: status %d (%q): Slack would retry it", what, resp.StatusCode, ack)
	}
	// Signed, and under 1 MiB: only a 200 is right.
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s: status %d (%q), want 200", what, resp.StatusCode, ack)
	}
}

func mustMarshal(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// FuzzServeCommand: a slash command with any text, from anyone, with any
// form fields before Slack's (prefix overrides them: url.Values.Get takes
// the first), gets a 200 and panics nowhere.
func FuzzServeCommand(f *testing.F) {
	for _, text := range []string{
		"", "aide", "help", "file", "queue", "en-attente", "pending", "statut", "status", "alors ça tweete ?",
		"brouillon Bonjour à tous !", "draft", "brouillon", "brouillon " + strings.Repeat("é", 501),
		"draft Lisez <https://example.com/a?b=1&amp;c=2|notre article> <@U2> <#C1|general> <!here>",
		"annuler 1", "cancel #1", "annuler n°99999999999999999999", "programmer 1 demain 9h30", "schedule 1 now",
		"programmer 1 dès-approbation", "schedule 1 +2h", "programmer", "créneaux", "slots", "comptes", "accounts",
		"portée", "portée semaine", "reach month", "reach 2026-01-01 2026-01-31", "portée 2026-02-30 hier",
		"digest", "<@UBOT> aide", "<@UBOT|catweete>", "bonjour", "ÉTAT", "\u00a0file\t",
	} {
		f.Add(text, "U1", "")
	}
	f.Add("annuler 1", "UAUTHOR", "")
	f.Add("file", "U1", "channel_id=&response_url=")
	f.Add("file", "", "user_id=&channel_id=")
	f.Add("aide", "U1", "text=%zz")
	f.Add("aide", "U1", "a=1;b=2")
	f.Add("brouillon", "U1", "trigger_id=")

	f.Fuzz(func(t *testing.T, text, user, prefix string) {
		fx, logs := fuzzFixture(t)
		// command's fields, with any text and user.
		form := url.Values{
			"token": {"legacy"}, "team_id": {testTeam}, "team_domain": {"cat"}, "channel_id": {"C1"},
			"channel_name": {"general"}, "user_id": {user}, "user_name": {"someone"}, "command": {"/catweete"},
			"text": {text}, "api_app_id": {"A1"}, "response_url": {fx.slack.responseURL(1)},
			"trigger_id": {"13345224609.738474920.8088930838d88f008e0"},
		}
		body := form.Encode()
		if prefix != "" {
			body = prefix + "&" + body
		}
		if len(body) > maxBody {
			t.Skip("over 1 MiB: refused before parsing")
		}
		resp, ack := fx.post(t, "/slack/commands", formType, []byte(body), nil)
		fx.checkServed(t, logs, fmt.Sprintf("command %q", body), resp, ack)
	})
}

// interactionSeed is a view_submission of callbackID, opened with meta,
// holding values[block][action].
func interactionSeed(user, callbackID string, meta modalMeta, values map[string]map[string]any) string {
	return mustMarshal(map[string]any{
		"type": "view_submission", "team": map[string]any{"id": testTeam}, "api_app_id": "A1", "token": "legacy",
		"user": map[string]any{"id": user, "username": "someone", "team_id": testTeam},
		"view": map[string]any{
			"id": "V1", "team_id": testTeam, "app_id": "A1", "type": "modal", "callback_id": callbackID,
			"private_metadata": meta.encode(),
			"blocks": []any{map[string]any{"type": "input", "block_id": blockText,
				"label":   map[string]any{"type": "plain_text", "text": "Texte"},
				"element": map[string]any{"type": "plain_text_input", "action_id": inputText, "multiline": true}}},
			"state": map[string]any{"values": values},
		},
		"trigger_id": "13345224609.738474920.8088930838d88f008e0",
	})
}

// FuzzServeInteraction: any payload, form-encoded and signed as Slack
// sends it (interaction), gets a 200 and panics nowhere.
func FuzzServeInteraction(f *testing.F) {
	for _, action := range []string{ActionApprove, ActionRequestChanges, ActionReject, ActionEdit, ActionCancel, ActionPublishNow, ActionNextSlot, "unknown"} {
		for _, value := range []string{"1:1", "1", "1:2", "0:1", "x"} {
			f.Add(mustMarshal(blockAction("U2", action, value)))
		}
	}
	for _, action := range []string{ActionRetryDelivery, ActionConfirmDelivery, ActionCancelDelivery} {
		for _, value := range []string{"d1", "d0", "1", "d"} {
			f.Add(mustMarshal(blockAction("U2", action, value)))
		}
	}
	f.Add(mustMarshal(blockAction("UAUTHOR", ActionEdit, "1:1")))
	f.Add(mustMarshal(homeClick("U2", ActionApprove, "1:1")))
	f.Add(mustMarshal(homeClick("UAUTHOR", ActionCancel, "1")))
	f.Add(`{"type":"message_action","callback_id":"suggest_post","trigger_id":"t","user":{"id":"U1"},"channel":{"id":"C1"},` +
		`"message":{"type":"message","text":"Lisez <https://example.com|ceci> &amp; <@U2> :tada:"},"response_url":"https://hooks.slack.com/actions/1"}`)
	f.Add(`{"type":"shortcut","callback_id":"suggest_post","trigger_id":"t","user":{"id":"U1"}}`)
	f.Add(`{"type":"message_action","callback_id":"someone_elses","trigger_id":"t"}`)
	f.Add(interactionSeed("U1", CallbackDraft, modalMeta{UserID: "U1", Channel: "C1"}, draftValues("Nouveau site en ligne !")))
	f.Add(interactionSeed("U1", CallbackDraft, modalMeta{UserID: "U1", Lang: "en"}, map[string]map[string]any{
		blockText:     {inputText: plainValue(strings.Repeat("é", 501))},
		blockAccounts: {inputAccounts: map[string]any{"type": "multi_static_select", "selected_options": []any{map[string]any{"value": "2"}, map[string]any{"value": "x"}}}},
		blockWhen:     {inputWhen: map[string]any{"type": "datetimepicker", "selected_date_time": 1}},
	}))
	f.Add(interactionSeed("U2", CallbackReason, modalMeta{UserID: "U2", Channel: "C1", PostID: 1, Version: 1, Decision: decisionReject},
		map[string]map[string]any{blockReason: {inputReason: plainValue("Hors sujet")}}))
	f.Add(interactionSeed("U2", CallbackReason, modalMeta{UserID: "U2", PostID: 1, Version: 1, Decision: decisionChange},
		map[string]map[string]any{blockReason: {inputReason: plainValue("  ")}}))
	f.Add(interactionSeed("UAUTHOR", CallbackEdit, modalMeta{UserID: "UAUTHOR", Channel: "C1", PostID: 1, Version: 1},
		map[string]map[string]any{blockText: {inputText: plainValue("Ça tweete encore !")}}))
	f.Add(interactionSeed("U3", CallbackEdit, modalMeta{UserID: "UAUTHOR", PostID: 1, Version: 1}, nil))
	f.Add(`{"type":"view_submission","user":{"id":"U2"},"view":{"callback_id":"catweete_reason","private_metadata":"{not json"}}`)
	f.Add(`{"type":"view_submission","user":{"id":"U2"},"view":{"callback_id":"catweete_draft","private_metadata":"{\"u\":\"U2\"}","state":null}}`)
	for _, s := range []string{"", "{not json", "null", "[]", `{"type":"block_actions","actions":{"a":1}}`,
		`{"type":"block_actions","actions":[null]}`, `{"type":"dialog_submission","callback_id":"x"}`, `{"type":"view_closed"}`} {
		f.Add(s)
	}

	f.Fuzz(func(t *testing.T, payload string) {
		if len(payload) > maxBody/3 { // "%XX" for every byte, at worst
			t.Skip("may exceed 1 MiB once form-encoded")
		}
		fx, logs := fuzzFixture(t)
		resp, ack := fx.interaction(t, payload)
		fx.checkServed(t, logs, fmt.Sprintf("interaction %q", payload), resp, ack)
	})
}

// FuzzServeEvent: any Events API body, signed, gets a 200 (a 503 is for a
// full pool only, and one request does not fill it) and panics nowhere.
func FuzzServeEvent(f *testing.F) {
	for _, text := range []string{"alors ça tweete ?", "aide", "brouillon Bonjour !", "brouillon", "file", "annuler 1", "digest", "bonjour", ""} {
		f.Add([]byte(mustMarshal(mentionEvent("Ev1", "U1", text, "1700000100.000100"))))
	}
	inThread := mentionEvent("Ev2", "U1", "statut", "1700000100.000200")
	inThread["event"].(map[string]any)["thread_ts"] = "1700000100.000100"
	byBot := mentionEvent("Ev3", "U1", "aide", "1700000100.000300")
	byBot["event"].(map[string]any)["bot_id"] = "B9"
	noID := mentionEvent("", "U1", "aide", "1700000100.000400")
	for _, ev := range []map[string]any{inThread, byBot, noID, mentionEvent("Ev4", testBotUser, "aide", "1"),
		homeOpened("Ev5", "U1", "home"), homeOpened("Ev6", "UAUTHOR", ""), homeOpened("Ev7", "U1", "messages")} {
		f.Add([]byte(mustMarshal(ev)))
	}
	for _, s := range []string{
		`{"token":"legacy","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","type":"url_verification"}`,
		`{"token":"legacy","type":"app_rate_limited","team_id":"T1","minute_rate_limited":1518467820,"api_app_id":"A1"}`,
		`{"type":"event_callback","event_id":"Ev9","team_id":"T1","event":{"type":"reaction_added","user":"U1","reaction":"cat","item":{"type":"message","channel":"C1","ts":"1.2"}}}`,
		`{"type":"event_callback","event":null}`, `{"type":"event_callback","event":{"type":"app_mention","user":"U1","text":"<@UBOT"}}`,
		`{"type":`, "", "null", "[]", `{"type":1}`,
	} {
		f.Add([]byte(s))
	}

	f.Fuzz(func(t *testing.T, body []byte) {
		if len(body) > maxBody {
			t.Skip("over 1 MiB: refused before parsing")
		}
		fx, logs := fuzzFixture(t)
		resp, ack := fx.post(t, "/slack/events", jsonType, body, nil)
		fx.checkServed(t, logs, fmt.Sprintf("event %q", body), resp, ack)
	})
}
