package playground

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"
)

func TestSlashCommandIsSignedAsSlackSignsIt(t *testing.T) {
	t.Parallel()
	e := setup(t)
	code, out := e.pagePost("/pg/send", map[string]any{"user": UserAuthor, "channel": ChannelGeneral, "text": "/catweete brouillon Bonjour à tous"})
	if code != http.StatusOK || out["ok"] != true {
		t.Fatalf("/pg/send = %d %v", code, out)
	}
	req := e.bot.last(t, "/slack/commands")
	if !req.SignatureOK {
		t.Fatalf("signature %q over timestamp %q does not check out with HMAC-SHA256 of the secret",
			req.Header.Get("X-Slack-Signature"), req.Header.Get("X-Slack-Request-Timestamp"))
	}
	if req.Skew.Abs() > time.Minute {
		t.Errorf("signed timestamp is %s away from now", req.Skew)
	}
	if ct := req.Header.Get("Content-Type"); ct != "application/x-www-form-urlencoded" {
		t.Errorf("Content-Type %q", ct)
	}
	f := req.form(t)
	for field, want := range map[string]string{
		"command": "/catweete", "text": "brouillon Bonjour à tous", "user_id": UserAuthor,
		"channel_id": ChannelGeneral, "team_id": TeamID,
	} {
		if got := f.Get(field); got != want {
			t.Errorf("%s = %q, want %q", field, got, want)
		}
	}
	if !strings.HasPrefix(f.Get("response_url"), e.srv.URL+"/pg/respond/") || f.Get("trigger_id") == "" {
		t.Errorf("response_url %q, trigger_id %q", f.Get("response_url"), f.Get("trigger_id"))
	}

	t.Run("TheAckTextIsAnEphemeralAnswer", func(t *testing.T) {
		e.bot.setAnswer(func(botRequest) (int, string) { return 200, `{"response_type":"ephemeral","text":"Aide : …"}` })
		defer e.bot.setAnswer(nil)
		e.pagePost("/pg/send", map[string]any{"user": UserColleague, "channel": ChannelGeneral, "text": "/catweete aide"})
		var found bool
		for _, m := range e.state().Messages {
			found = found || (m.Text == "Aide : …" && m.EphemeralFor == UserColleague && m.User == BotUserID)
		}
		if !found {
			t.Error("the ack's text is not shown to UCOLLEAGUE alone")
		}
	})

	t.Run("AnInChannelAckIsForEveryone", func(t *testing.T) {
		e.bot.setAnswer(func(botRequest) (int, string) {
			return 200, `{"response_type":"in_channel","text":"Tout le monde voit ça"}`
		})
		defer e.bot.setAnswer(nil)
		e.pagePost("/pg/send", map[string]any{"user": UserColleague, "channel": ChannelGeneral, "text": "/catweete status"})
		var shown, command bool
		for _, m := range e.state().Messages {
			shown = shown || (m.Text == "Tout le monde voit ça" && m.EphemeralFor == "")
			command = command || (m.Text == "/catweete status" && m.User == UserColleague)
		}
		if !shown || !command {
			t.Errorf("in_channel ack: answer shown %v, command shown %v; want both", shown, command)
		}
	})

	t.Run("TheResponseURLAnswersFiveTimes", func(t *testing.T) {
		ctx := context.Background()
		responseURL := f.Get("response_url")
		if err := slack.PostWebhookContext(ctx, responseURL, &slack.WebhookMessage{Text: "Brouillon n°1 envoyé"}); err != nil {
			t.Fatal(err)
		}
		var answer pageMessage
		for _, m := range e.state().Messages {
			if m.Text == "Brouillon n°1 envoyé" {
				answer = m
			}
		}
		if answer.EphemeralFor != UserAuthor || answer.Channel != ChannelGeneral {
			t.Errorf("response_url answer = %+v; want it ephemeral for UAUTHOR in CGENERAL", answer)
		}
		for i := 2; i <= 5; i++ {
			if err := slack.PostWebhookContext(ctx, responseURL, &slack.WebhookMessage{Text: "encore", ResponseType: "in_channel"}); err != nil {
				t.Fatalf("use %d: %v", i, err)
			}
		}
		err := slack.PostWebhookContext(ctx, responseURL, &slack.WebhookMessage{Text: "une de trop"})
		if se, ok := err.(slack.StatusCodeError); !ok || se.Code != http.StatusNotFound {
			t.Errorf("sixth use: %v, want 404 (used_url)", err)
		}
	})
}

func TestMentionIsAMessageAndAnEvent(t *testing.T) {
	t.Parallel()
	e := setup(t)
	_, out := e.pagePost("/pg/send", map[string]any{"user": UserColleague, "channel": ChannelGeneral, "text": "@catweete alors ça tweete ?"})
	ts, _ := out["ts"].(string)
	if out["ok"] != true || ts == "" {
		t.Fatalf("/pg/send = %v", out)
	}
	m, found := e.state().find(ChannelGeneral, ts)
	if !found || m.Text != "<@UBOT> alors ça tweete ?" || m.User != UserColleague {
		t.Errorf("stored message = %+v; want UCOLLEAGUE's text with <@UBOT>", m)
	}
	req := e.bot.last(t, "/slack/events")
	if !req.SignatureOK {
		t.Error("event not signed")
	}
	var env struct {
		Type    string
		EventID string `json:"event_id"`
		Event   map[string]any
	}
	if err := json.Unmarshal(req.Body, &env); err != nil {
		t.Fatal(err)
	}
	ev := env.Event
	if env.Type != "event_callback" || env.EventID == "" || ev["type"] != "app_mention" || ev["ts"] != ts ||
		ev["user"] != UserColleague || ev["channel"] != ChannelGeneral || ev["text"] != "<@UBOT> alors ça tweete ?" {
		t.Errorf("event = %s", req.Body)
	}

	t.Run("AMessageWithoutMentionStaysAMessage", func(t *testing.T) {
		before := e.bot.count("/slack/events")
		e.pagePost("/pg/send", map[string]any{"user": UserColleague, "channel": ChannelGeneral, "text": "bonjour"})
		if e.bot.count("/slack/events") != before {
			t.Error("a message without @catweete was sent to the bot")
		}
	})
}

func TestButtonClickIsBlockActions(t *testing.T) {
	t.Parallel()
	e := setup(t)
	ctx := context.Background()
	ch, ts, err := e.api.PostMessageContext(ctx, ChannelApprovals, slack.MsgOptionBlocks(card("Bonjour")...), slack.MsgOptionText("carte", false))
	if err != nil {
		t.Fatal(err)
	}
	code, out := e.pagePost("/pg/action", map[string]any{"user": UserApprover1, "channel": ch, "message_ts": ts,
		"block_id": "card_actions", "action_id": "approve", "value": "forged"})
	if code != http.StatusOK || out["ok"] != true {
		t.Fatalf("/pg/action = %d %v", code, out)
	}
	req := e.bot.last(t, "/slack/interactivity")
	if !req.SignatureOK {
		t.Error("interaction not signed")
	}
	p := req.payload(t)
	actions, _ := p["actions"].([]any)
	action, _ := actions[0].(map[string]any)
	user, _ := p["user"].(map[string]any)
	msg, _ := p["message"].(map[string]any)
	if p["type"] != "block_actions" || action["action_id"] != "approve" || action["value"] != "1:1" ||
		user["id"] != UserApprover1 || msg["ts"] != ts || p["trigger_id"] == "" || p["response_url"] == "" {
		t.Errorf("payload = %v; want approve with the button's own value 1:1", p)
	}

	t.Run("ReplaceOriginalChangesTheCard", func(t *testing.T) {
		responseURL, _ := p["response_url"].(string)
		if err := slack.PostWebhookContext(ctx, responseURL, &slack.WebhookMessage{Text: "Traité par Sam", ReplaceOriginal: true}); err != nil {
			t.Fatal(err)
		}
		m, _ := e.state().find(ch, ts)
		if m.Text != "Traité par Sam" || len(m.Blocks) != 0 || !m.Edited {
			t.Errorf("replaced message = %+v; want the new text alone", m)
		}
	})

	t.Run("NoSuchButton", func(t *testing.T) {
		code, out := e.pagePost("/pg/action", map[string]any{"user": UserApprover1, "channel": ch, "message_ts": ts,
			"block_id": "card_actions", "action_id": "launch_missiles"})
		if code != http.StatusBadRequest || out["ok"] != false {
			t.Errorf("click on a missing button = %d %v", code, out)
		}
	})
}

// openModal sends a slash command and opens a modal with its trigger_id.
func (e *env) openModal(user string, view slack.ModalViewRequest) (*slack.ViewResponse, string) {
	e.t.Helper()
	e.pagePost("/pg/send", map[string]any{"user": user, "channel": ChannelGeneral, "text": "/catweete brouillon"})
	trigger := e.bot.last(e.t, "/slack/commands").form(e.t).Get("trigger_id")
	resp, err := e.api.OpenViewContext(context.Background(), trigger, view)
	if err != nil {
		e.t.Fatalf("views.open: %v", err)
	}
	return resp, trigger
}

func draftModal() slack.ModalViewRequest {
	input := slack.NewPlainTextInputBlockElement(nil, "text_input")
	input.MaxLength = 500
	return slack.ModalViewRequest{
		Type: slack.VTModal, CallbackID: "catweete_draft", PrivateMetadata: `{"u":"UAUTHOR"}`,
		Title:  slack.NewTextBlockObject(slack.PlainTextType, "Nouveau post", false, false),
		Submit: slack.NewTextBlockObject(slack.PlainTextType, "Envoyer", false, false),
		Blocks: slack.Blocks{BlockSet: []slack.Block{
			slack.NewInputBlock("text", slack.NewTextBlockObject(slack.PlainTextType, "Texte", false, false), nil, input),
		}},
	}
}

func TestTriggerIDsLiveThreeSecondsAndWorkOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()

	t.Run("ReusedIsExpired", func(t *testing.T) {
		t.Parallel()
		e := setup(t)
		_, trigger := e.openModal(UserAuthor, draftModal())
		_, err := e.api.OpenViewContext(ctx, trigger, draftModal())
		if got := slackError(err); got != "expired_trigger_id" {
			t.Errorf("second views.open with one trigger: %q, want expired_trigger_id", got)
		}
	})

	t.Run("AfterThreeSecondsIsExpired", func(t *testing.T) {
		t.Parallel()
		e := setup(t)
		e.pagePost("/pg/send", map[string]any{"user": UserAuthor, "channel": ChannelGeneral, "text": "/catweete brouillon"})
		trigger := e.bot.last(t, "/slack/commands").form(t).Get("trigger_id")
		e.real.advance(3*time.Second + time.Millisecond)
		_, err := e.api.OpenViewContext(ctx, trigger, draftModal())
		if got := slackError(err); got != "expired_trigger_id" {
			t.Errorf("views.open after 3 s: %q, want expired_trigger_id", got)
		}
	})

	t.Run("WithinThreeSecondsOpensForItsPerson", func(t *testing.T) {
		t.Parallel()
		e := setup(t)
		e.pagePost("/pg/send", map[string]any{"user": UserAuthor, "channel": ChannelGeneral, "text": "/catweete brouillon"})
		trigger := e.bot.last(t, "/slack/commands").form(t).Get("trigger_id")
		e.real.advance(2900 * time.Millisecond)
		resp, err := e.api.OpenViewContext(ctx, trigger, draftModal())
		if err != nil {
			t.Fatal(err)
		}
		views := e.state().Views
		if len(views) != 1 || views[0].ID != resp.View.ID || views[0].User != UserAuthor {
			t.Errorf("open views = %+v; want UAUTHOR's modal %s", views, resp.View.ID)
		}
	})
}

func TestModalSubmission(t *testing.T) {
	t.Parallel()
	e := setup(t)
	opened, _ := e.openModal(UserAuthor, draftModal())
	id := opened.View.ID
	submit := func(user, text string) (int, map[string]any) {
		return e.pagePost("/pg/submit", map[string]any{"user": user, "view_id": id,
			"values": map[string]any{"text": map[string]any{"text_input": map[string]any{"type": "plain_text_input", "value": text}}}})
	}

	t.Run("RequiredFieldIsCheckedBeforeSending", func(t *testing.T) {
		before := e.bot.count("/slack/interactivity")
		_, out := submit(UserAuthor, "")
		errs, _ := out["errors"].(map[string]any)
		if out["ok"] != false || errs["text"] == nil || e.bot.count("/slack/interactivity") != before {
			t.Errorf("empty required field: %v; want an error on block text, nothing sent", out)
		}
	})

	t.Run("TheBotsErrorsComeBack", func(t *testing.T) {
		e.bot.setAnswer(func(botRequest) (int, string) {
			return 200, `{"response_action":"errors","errors":{"text":"Trop long pour X"}}`
		})
		defer e.bot.setAnswer(nil)
		_, out := submit(UserAuthor, "Bonjour")
		errs, _ := out["errors"].(map[string]any)
		if out["ok"] != false || errs["text"] != "Trop long pour X" {
			t.Errorf("/pg/submit = %v; want the bot's error on block text", out)
		}
		p := e.bot.last(t, "/slack/interactivity").payload(t)
		view, _ := p["view"].(map[string]any)
		st, _ := view["state"].(map[string]any)
		values, _ := st["values"].(map[string]any)
		text, _ := values["text"].(map[string]any)
		input, _ := text["text_input"].(map[string]any)
		if p["type"] != "view_submission" || view["id"] != id || view["callback_id"] != "catweete_draft" ||
			view["private_metadata"] != `{"u":"UAUTHOR"}` || input["value"] != "Bonjour" {
			t.Errorf("view_submission payload = %v", p)
		}
		if v := e.state().Views; len(v) != 1 || v[0].Errors["text"] != "Trop long pour X" {
			t.Errorf("the modal stays open with its error: %+v", v)
		}
	})

	t.Run("SomeoneElseCannotSubmitIt", func(t *testing.T) {
		code, _ := submit(UserApprover1, "Bonjour")
		if code != http.StatusBadRequest {
			t.Errorf("submission by another person: %d, want 400", code)
		}
	})

	t.Run("AnEmptyAckClosesIt", func(t *testing.T) {
		_, out := submit(UserAuthor, "Bonjour")
		if out["ok"] != true || len(e.state().Views) != 0 {
			t.Errorf("/pg/submit = %v, views left %d; want the modal closed", out, len(e.state().Views))
		}
	})
}

func TestTheBotsFailuresAreShown(t *testing.T) {
	t.Parallel()
	e := setup(t)
	events := e.events()
	e.bot.setAnswer(func(botRequest) (int, string) { return http.StatusUnauthorized, "invalid signature" })
	_, out := e.pagePost("/pg/send", map[string]any{"user": UserAuthor, "channel": ChannelGeneral, "text": "/catweete status"})
	if out["ok"] != false || !strings.Contains(out["error"].(string), "401") {
		t.Errorf("/pg/send when the bot refuses = %v", out)
	}
	ev := events.next("an error event", func(ev map[string]any) bool { return ev["type"] == "error" })
	if text, _ := ev["text"].(string); !strings.Contains(text, "401") || !strings.Contains(text, "invalid signature") {
		t.Errorf("error event %v; want the bot's 401 and its body", ev)
	}
	// A Web API call the playground refuses is shown too.
	e.api.PostMessage("CNOWHERE", slack.MsgOptionText("x", false)) //nolint:errcheck // the error is the point
	events.next("the refused call", func(ev map[string]any) bool {
		text, _ := ev["text"].(string)
		return ev["type"] == "error" && strings.Contains(text, "channel_not_found")
	})
}

func TestEventsStreamDeliversMessages(t *testing.T) {
	t.Parallel()
	e := setup(t)
	events := e.events()
	_, ts, err := e.api.PostMessage(ChannelApprovals, slack.MsgOptionText("Post n°7 — en attente", false))
	if err != nil {
		t.Fatal(err)
	}
	ev := events.next("the posted message", func(ev map[string]any) bool { return ev["type"] == "message" })
	m, _ := ev["message"].(map[string]any)
	if m["ts"] != ts || m["text"] != "Post n°7 — en attente" || m["channel"] != ChannelApprovals || m["user"] != BotUserID {
		t.Errorf("message event = %v", ev)
	}
	for _, field := range []string{"blocks", "thread_ts", "reply_count", "ephemeral_for", "files", "edited"} {
		if _, ok := m[field]; !ok {
			t.Errorf("message event lacks %q (API.md)", field)
		}
	}
}

func TestSlowPagesAreDroppedNotWaitedFor(t *testing.T) {
	t.Parallel()
	b := newBroker()
	slow, _ := b.subscribe()
	fast, _ := b.subscribe()
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; i < clientBuffer+10; i++ {
			b.publish([]byte(`{"type":"message"}`))
			<-fast.ch // this page keeps up
		}
	}()
	select {
	case <-done:
	case <-time.After(3 * time.Second):
		t.Fatal("publish blocked on a page that does not read")
	}
	select {
	case <-slow.gone:
	default:
		t.Error("the page that never read was not dropped")
	}
	select {
	case <-fast.gone:
		t.Error("the page that kept up was dropped")
	default:
	}
}
