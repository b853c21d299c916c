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

	"catweete/workflows"
)

// logRecord is one line the bot logged, its attributes written out.
type logRecord struct {
	level slog.Level
	msg   string
	attrs string
}

// recordedLog keeps every line the bot logs.
type recordedLog struct {
	mu      sync.Mutex
	records []logRecord
}

func (l *recordedLog) Enabled(context.Context, slog.Level) bool { return true }

func (l *recordedLog) Handle(_ context.Context, r slog.Record) error {
	var attrs []string
	r.Attrs(func(a slog.Attr) bool {
		attrs = append(attrs, fmt.Sprintf("%s=%v", a.Key, a.Value))
		return true
	})
	l.mu.Lock()
	defer l.mu.Unlock()
	l.records = append(l.records, logRecord{level: r.Level, msg: r.Message, attrs: strings.Join(attrs, " ")})
	return nil
}

func (l *recordedLog) WithAttrs([]slog.Attr) slog.Handler { return l }
func (l *recordedLog) WithGroup(string) slog.Handler      { return l }

// find returns the lines whose message is msg.
func (l *recordedLog) find(msg string) []logRecord {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []logRecord
	for _, r := range l.records {
		if r.msg == msg {
			out = append(out, r)
		}
	}
	return out
}

// all is every line, for a failure message and a leak check.
func (l *recordedLog) all() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var b strings.Builder
	for _, r := range l.records {
		fmt.Fprintf(&b, "%s %s %s\n", r.level, r.msg, r.attrs)
	}
	return b.String()
}

func withLog(logs *recordedLog) func(*setupOptions) {
	return func(o *setupOptions) { o.logger = slog.New(logs) }
}

const refusedLine = "request for another installation refused"

// checkRefusalLogged fails unless the bot logged one refusal at Warn with
// the request's ids, and no secret anywhere.
func checkRefusalLogged(t *testing.T, logs *recordedLog, ids ...string) {
	t.Helper()
	lines := logs.find(refusedLine)
	if len(lines) != 1 || lines[0].level != slog.LevelWarn {
		t.Fatalf("want one Warn %q; the log:\n%s", refusedLine, logs.all())
	}
	for _, id := range ids {
		if !strings.Contains(lines[0].attrs, id) {
			t.Errorf("the refusal's log line does not name %s: %s", id, lines[0].attrs)
		}
	}
	for _, secret := range []string{testSecret, testBotToken, testAppToken} {
		if strings.Contains(logs.all(), secret) {
			t.Errorf("a secret reached the log:\n%s", logs.all())
		}
	}
}

// foreignCommand is a slash command as Slack sends it, from team for app.
func foreignCommand(team, app, text, responseURL string) []byte {
	return []byte(url.Values{
		"token": {"legacy"}, "team_id": {team}, "team_domain": {"elsewhere"}, "channel_id": {"C1"},
		"channel_name": {"general"}, "user_id": {"U1"}, "user_name": {"someone"}, "command": {"/catweete"},
		"text": {text}, "api_app_id": {app}, "response_url": {responseURL},
		"trigger_id": {"13345224609.738474920.8088930838d88f008e0"},
	}.Encode())
}

// from sets the team and app of an event or interaction payload.
func from(payload map[string]any, team, app string) map[string]any {
	payload["api_app_id"] = app
	if _, ok := payload["team_id"]; ok {
		payload["team_id"] = team
	}
	if t, ok := payload["team"].(map[string]any); ok {
		t["id"] = team
	}
	return payload
}

// TestRequestsForAnotherInstallationAreRefused: a slash command, an event
// or an interaction from another workspace, or for another app, is logged
// and left undone; the command is told why, in its language; Slack gets a
// 200 for the others, so that it does not send them again.
func TestRequestsForAnotherInstallationAreRefused(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ name, team, app string }{
		{"AnotherWorkspace", "T2", testApp},
		{"AnotherApp", testTeam, "A2"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			t.Run("Command", func(t *testing.T) {
				t.Parallel()
				for _, c := range []struct{ text, want string }{
					{"file", "Cette commande ne vient pas de l'espace de travail de catweete : je ne la traite pas."},
					{"help", "This command does not come from catweete's workspace: I am not acting on it."},
					{"aide", "Cette commande ne vient pas de l'espace de travail de catweete : je ne la traite pas."},
				} {
					logs := &recordedLog{}
					f := setup(t, withLog(logs))
					resp, body := f.post(t, "/slack/commands", formType, foreignCommand(tt.team, tt.app, c.text, f.slack.responseURL(1)), nil)
					var msg struct {
						ResponseType string `json:"response_type"`
						Text         string `json:"text"`
					}
					if err := json.Unmarshal(body, &msg); err != nil || resp.StatusCode != http.StatusOK {
						t.Fatalf("%q: ack %d %q: %v", c.text, resp.StatusCode, body, err)
					}
					if msg.ResponseType != "ephemeral" || msg.Text != c.want {
						t.Errorf("%q: ack %+v, want the ephemeral %q", c.text, msg, c.want)
					}
					f.shutdown(t)
					onlyAuthTest(t, f.slack.snapshot())
					checkRefusalLogged(t, logs, tt.team, tt.app)
				}
			})
			t.Run("Event", func(t *testing.T) {
				t.Parallel()
				logs := &recordedLog{}
				f := setup(t, withLog(logs))
				body, _ := json.Marshal(from(mentionEvent("Ev1", "U1", "alors ça tweete ?", "1700000100.000100"), tt.team, tt.app))
				if resp, got := f.post(t, "/slack/events", jsonType, body, nil); resp.StatusCode != http.StatusOK || len(got) != 0 {
					t.Fatalf("ack %d %q, want an empty 200", resp.StatusCode, got)
				}
				f.shutdown(t)
				onlyAuthTest(t, f.slack.snapshot())
				checkRefusalLogged(t, logs, tt.team, tt.app)
				// Not even remembered as seen: nothing of it was taken in.
				if first, err := f.store.MarkEventSeen(t.Context(), "Ev1", f.bot.now()); err != nil || !first {
					t.Errorf("the refused event was recorded as seen (%v, %v)", first, err)
				}
			})
			t.Run("Click", func(t *testing.T) {
				t.Parallel()
				logs := &recordedLog{}
				f := setup(t, withLog(logs))
				post := f.draft(t, "Ça tweete !")
				before := len(f.slack.snapshot())
				click := from(blockAction("U2", ActionApprove, fmt.Sprintf("%d:%d", post.ID, post.Version)), tt.team, tt.app)
				if resp, got := f.interaction(t, click); resp.StatusCode != http.StatusOK || len(got) != 0 {
					t.Fatalf("ack %d %q, want an empty 200", resp.StatusCode, got)
				}
				f.shutdown(t)
				if calls := f.slack.snapshot()[before:]; len(calls) != 0 {
					t.Errorf("the refused click led to %s", methods(calls))
				}
				if got, _ := f.svc.Post(t.Context(), post.ID); got.Status != workflows.StatusPending {
					t.Errorf("post is %s, want still pending", got.Status)
				}
				checkRefusalLogged(t, logs, tt.team, tt.app)
			})
			t.Run("ModalSubmission", func(t *testing.T) {
				t.Parallel()
				logs := &recordedLog{}
				f := setup(t, withLog(logs))
				post := f.draft(t, "Ça tweete !")
				before := len(f.slack.snapshot())
				meta := modalMeta{UserID: "U2", Channel: "C1", PostID: post.ID, Version: post.Version, Decision: decisionReject}
				submit := from(viewSubmission(t, "U2", f.bot.reasonModal(meta), map[string]map[string]any{blockReason: {inputReason: plainValue("Hors sujet")}}), tt.team, tt.app)
				view := submit["view"].(map[string]any)
				view["team_id"], view["app_id"] = tt.team, tt.app
				if resp, got := f.interaction(t, submit); resp.StatusCode != http.StatusOK || len(got) != 0 {
					t.Fatalf("ack %d %q, want an empty 200", resp.StatusCode, got)
				}
				f.shutdown(t)
				if calls := f.slack.snapshot()[before:]; len(calls) != 0 {
					t.Errorf("the refused submission led to %s", methods(calls))
				}
				if got, _ := f.svc.Post(t.Context(), post.ID); got.Status != workflows.StatusPending {
					t.Errorf("post is %s, want still pending", got.Status)
				}
				checkRefusalLogged(t, logs, tt.team, tt.app)
			})
		})
	}
}

// TestSocketModeRefusesAnotherWorkspace: one Socket Mode connection
// carries every workspace the app is installed in.
func TestSocketModeRefusesAnotherWorkspace(t *testing.T) {
	t.Parallel()
	logs := &recordedLog{}
	f := setup(t, withLog(logs))
	f.runSocket(t)
	p := f.slack.nextPeer(t)
	command := slashEnvelope("e1", "help", f.slack.responseURL(1))
	command["payload"].(map[string]any)["team_id"] = "T2"
	p.send(t, command)
	ack := p.nextAck(t)
	var msg struct{ Text string }
	if err := json.Unmarshal(ack.Payload, &msg); err != nil || msg.Text != "This command does not come from catweete's workspace: I am not acting on it." {
		t.Fatalf("ack of the command %s (%v), want the refusal", ack.Payload, err)
	}
	p.send(t, map[string]any{"envelope_id": "e2", "type": "events_api", "accepts_response_payload": false,
		"payload": from(mentionEvent("Ev1", "U1", "alors ça tweete ?", "1700000100.000100"), "T2", testApp)})
	if ack := p.nextAck(t); ack.EnvelopeID != "e2" || len(ack.Payload) != 0 {
		t.Fatalf("ack %+v, want e2 acked without payload", ack)
	}
	// Our own workspace is still answered, after the two refusals.
	helpRoundTrip(t, f, p, "e3")
	f.shutdown(t)
	for _, c := range f.slack.snapshot() {
		if c.Method != "auth.test" && c.Method != "bots.info" && c.Method != "apps.connections.open" {
			t.Errorf("a refused request led to %s", c.Method)
		}
	}
	if n := len(logs.find(refusedLine)); n != 2 {
		t.Errorf("%d refusals logged, want 2:\n%s", n, logs.all())
	}
}

// TestEventInASharedChannelIsOurs: in a channel shared with another
// workspace, an event's team may be the other one; its authorizations say
// it was sent for this installation.
func TestEventInASharedChannelIsOurs(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ev := mentionEvent("Ev1", "U1", "alors ça tweete ?", "1700000100.000100")
	ev["team_id"] = "T2"
	ev["authorizations"] = []any{map[string]any{"team_id": testTeam, "user_id": testBotUser, "is_bot": true, "is_enterprise_install": false}}
	body, _ := json.Marshal(ev)
	if resp, _ := f.post(t, "/slack/events", jsonType, body, nil); resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	f.slack.waitMethod(t, "chat.postMessage", 1)
}

// TestAppIDSources: the app's id comes from SLACK_APP_ID when set, else
// from bots.info; when bots.info fails, the start says so at Warn and
// requests are checked for their workspace only.
func TestAppIDSources(t *testing.T) {
	t.Parallel()
	t.Run("Configured", func(t *testing.T) {
		t.Parallel()
		f := setup(t, func(o *setupOptions) { o.appID = "A9" })
		if n := len(only(f.slack.snapshot(), "bots.info")); n != 0 {
			t.Errorf("bots.info asked %d times with SLACK_APP_ID set", n)
		}
		if f.bot.home.appID != "A9" {
			t.Errorf("app id %q, want A9", f.bot.home.appID)
		}
		// A1 is another app now.
		resp, body := f.command(t, "U1", "file", f.slack.responseURL(1))
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "ne vient pas") {
			t.Errorf("command for A1: %d %q, want the refusal", resp.StatusCode, body)
		}
	})
	t.Run("FromBotsInfo", func(t *testing.T) {
		t.Parallel()
		f := setup(t)
		calls := only(f.slack.snapshot(), "bots.info")
		if len(calls) != 1 || calls[0].field("bot") != "B1" {
			t.Fatalf("bots.info asked %v, want once for auth.test's bot id B1", calls)
		}
		if f.bot.home != (installation{teamID: testTeam, appID: testApp}) {
			t.Errorf("installation %+v", f.bot.home)
		}
	})
	t.Run("Unknown", func(t *testing.T) {
		t.Parallel()
		logs := &recordedLog{}
		f := setup(t, withLog(logs), func(o *setupOptions) {
			o.hooks = map[string]hookFunc{"bots.info": func(w http.ResponseWriter, _ *http.Request, _ apiCall) bool {
				w.Header().Set("Content-Type", "application/json")
				w.Write([]byte(`{"ok":false,"error":"missing_scope","needed":"users:read","provided":"commands,chat:write"}`)) //nolint:errcheck // test server
				return true
			}}
		})
		warned := false
		for _, r := range logs.find("the app's id is unknown (bots.info failed): requests are checked for their workspace only; set SLACK_APP_ID") {
			warned = warned || r.level == slog.LevelWarn && strings.Contains(r.attrs, "missing_scope")
		}
		if !warned {
			t.Errorf("no Warn at start about the unknown app id:\n%s", logs.all())
		}
		// Any app from our workspace passes; another workspace does not.
		if resp, body := f.post(t, "/slack/commands", formType, foreignCommand(testTeam, "A2", "file", f.slack.responseURL(1)), nil); resp.StatusCode != http.StatusOK || len(body) != 0 {
			t.Errorf("command of our workspace: %d %q, want an empty 200 (taken)", resp.StatusCode, body)
		}
		f.slack.waitMethod(t, "response_url", 1)
		if _, body := f.post(t, "/slack/commands", formType, foreignCommand("T2", testApp, "file", f.slack.responseURL(2)), nil); !strings.Contains(string(body), "ne vient pas") {
			t.Errorf("command of another workspace: %q, want the refusal", body)
		}
	})
}

// TestInstallationRefusal: which requests an installation takes as its
// own, Enterprise Grid included.
func TestInstallationRefusal(t *testing.T) {
	t.Parallel()
	workspace := installation{teamID: "T1", appID: "A1"}
	gridWorkspace := installation{teamID: "T1", enterpriseID: "E1", appID: "A1"}
	orgWide := installation{teamID: "E1", enterpriseID: "E1", appID: "A1"}
	appUnknown := installation{teamID: "T1"}
	for _, tt := range []struct {
		name string
		in   installation
		o    origin
		want string
	}{
		{"OurWorkspace", workspace, origin{teamIDs: []string{"T1"}, appID: "A1"}, ""},
		{"AnotherWorkspace", workspace, origin{teamIDs: []string{"T2"}, appID: "A1"}, "team"},
		{"AnotherApp", workspace, origin{teamIDs: []string{"T1"}, appID: "A2"}, "app"},
		{"NoTeamAtAll", workspace, origin{appID: "A1"}, "team"},
		{"NoAppNamedIsJudgedByItsTeam", workspace, origin{teamIDs: []string{"T1"}}, ""},
		{"SharedChannelAuthorizedForUs", workspace, origin{teamIDs: []string{"T2", "T1"}, appID: "A1"}, ""},
		{"AppUnknownChecksTheTeamOnly", appUnknown, origin{teamIDs: []string{"T1"}, appID: "A2"}, ""},
		{"AppUnknownStillRefusesAnotherTeam", appUnknown, origin{teamIDs: []string{"T2"}, appID: "A1"}, "team"},
		{"GridWorkspaceInstallTakesItsWorkspaceOnly", gridWorkspace, origin{teamIDs: []string{"T2"}, appID: "A1"}, "team"},
		{"GridWorkspaceInstallIsNotTheOrgInstall", gridWorkspace, origin{teamIDs: []string{"T2"}, orgIDs: []string{"E2"}, appID: "A1"}, "team"},
		{"OrgWideInstallTakesEveryWorkspaceOfItsOrg", orgWide, origin{teamIDs: []string{"T7"}, orgIDs: []string{"E1"}, appID: "A1"}, ""},
		{"OrgWideInstallRefusesAnotherOrg", orgWide, origin{teamIDs: []string{"T7"}, orgIDs: []string{"E2"}, appID: "A1"}, "team"},
		{"OrgWideInstallRefusesAWorkspaceInstall", orgWide, origin{teamIDs: []string{"T7"}, appID: "A1"}, "team"},
		{"OrgWideInstallRefusesAnotherApp", orgWide, origin{teamIDs: []string{"T7"}, orgIDs: []string{"E1"}, appID: "A2"}, "app"},
	} {
		if got := tt.in.refusal(tt.o); got != tt.want {
			t.Errorf("%s: refusal = %q, want %q", tt.name, got, tt.want)
		}
	}
}

// TestRemovedApproverIsRefusedAtClickTime: the approvers' user group is
// asked of Slack when an approver clicks. Someone removed from it a moment
// ago is told they are not an approver; when Slack does not answer, the
// click is refused with "try again", and nothing is decided.
func TestRemovedApproverIsRefusedAtClickTime(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	members, down := []string{"UGROUPIE", "UOTHER"}, false
	groups := func(w http.ResponseWriter, _ *http.Request, c apiCall) bool {
		mu.Lock()
		defer mu.Unlock()
		if down {
			http.Error(w, "upstream connect error", http.StatusServiceUnavailable)
			return true
		}
		if c.field("usergroup") != "SAPPROVERS" {
			return false
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"ok": true, "users": members}) //nolint:errcheck // test server
		return true
	}
	f := setup(t, func(o *setupOptions) {
		o.approvers, o.required = []string{"SAPPROVERS"}, 2
		o.hooks = map[string]hookFunc{"usergroups.users.list": groups}
	})
	ctx := t.Context()
	first, second := f.draft(t, "Ça tweete !"), f.draft(t, "Ça tweete encore !")
	click := func(user string, p workflows.Post) string {
		t.Helper()
		before := len(only(f.slack.snapshot(), "chat.postEphemeral"))
		f.interaction(t, blockAction(user, ActionApprove, fmt.Sprintf("%d:%d", p.ID, p.Version)))
		answers := f.slack.waitMethod(t, "chat.postEphemeral", before+1)
		if a := answers[len(answers)-1]; a.field("user") == user {
			return a.field("text")
		}
		return ""
	}
	if got := click("UOTHER", first); got != "Votre approbation du post n°1 est comptée (1/2)." {
		t.Fatalf("UOTHER's approval answered %q", got)
	}
	mu.Lock()
	members = []string{"UOTHER"}
	mu.Unlock()
	if got, want := click("UGROUPIE", first), "Vous n'êtes pas approbateur : seules les personnes désignées peuvent décider de ce post."; got != want {
		t.Errorf("removed member's click answered %q, want %q", got, want)
	}
	mu.Lock()
	down = true
	mu.Unlock()
	if got, want := click("UOTHER", second), "Je n'ai pas pu vérifier auprès de Slack qui est approbateur : rien n'a été décidé, réessayez dans un instant."; got != want {
		t.Errorf("click while Slack is down answered %q, want %q", got, want)
	}
	f.shutdown(t)
	for _, p := range []workflows.Post{first, second} {
		if got, _ := f.svc.Post(ctx, p.ID); got.Status != workflows.StatusPending {
			t.Errorf("post %d is %s, want still pending", p.ID, got.Status)
		}
	}
	if a, _ := f.store.Approvals(ctx, first.ID, first.Version); len(a) != 1 || a[0].UserID != "UOTHER" {
		t.Errorf("approvals of post 1: %+v, want UOTHER's alone", a)
	}
	if a, _ := f.store.Approvals(ctx, second.ID, second.Version); len(a) != 0 {
		t.Errorf("approvals of post 2: %+v, want none", a)
	}
}
