package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"catweete/commands"
	"catweete/storage"
	"catweete/workflows"
)

// posted is a chat.postMessage taken apart: its section texts and its
// buttons.
type posted struct {
	channel  string
	text     string
	sections []string
	buttons  []*slack.ButtonBlockElement
}

func readPosted(t *testing.T, c apiCall) posted {
	t.Helper()
	p := posted{channel: c.field("channel"), text: c.field("text")}
	var blocks slack.Blocks
	if err := json.Unmarshal([]byte(c.field("blocks")), &blocks); err != nil {
		t.Fatalf("blocks %q: %v", c.field("blocks"), err)
	}
	for _, b := range blocks.BlockSet {
		switch b := b.(type) {
		case *slack.SectionBlock:
			p.sections = append(p.sections, b.Text.Text)
		case *slack.ActionBlock:
			for _, e := range b.Elements.ElementSet {
				p.buttons = append(p.buttons, e.(*slack.ButtonBlockElement))
			}
		default:
			t.Errorf("unexpected block %T", b)
		}
	}
	return p
}

func TestAlert(t *testing.T) {
	t.Parallel()
	card := workflows.Card{Post: workflows.Post{ID: 12, CardChannel: testApproval, CardTS: "1700000000.000042"}, Location: time.UTC}
	target := &workflows.Target{Network: "mastodon", DisplayName: "Mastodon", Delivery: storage.Delivery{ID: 7, PostID: 12}}
	type button struct{ action, style string }
	tests := []struct {
		name      string
		lang      commands.Lang
		card      workflows.Card
		ev        workflows.Event
		text      string
		buttons   []button
		permalink bool
	}{
		{"FailedHasRetryAndGiveUp", commands.French, card,
			workflows.Event{Kind: workflows.EventFailed, Target: target, Reason: "Validation <failed>"},
			"❌ Le post n°12 n'a pas pu partir sur Mastodon : Validation &lt;failed&gt; (<https://cat.slack.com/archives/CAPPROVAL/p1700000000000042|Post n°12>)",
			[]button{{ActionRetryDelivery, "primary"}, {ActionCancelDelivery, "danger"}}, true},
		{"UnknownAsksForAConfirmation", commands.English, card,
			workflows.Event{Kind: workflows.EventUnknown, Target: target, Reason: "timeout"},
			"❓ Post #12 may or may not have gone out on Mastodon (timeout). Check the account, then tell me: I won't send it again blindly. (<https://cat.slack.com/archives/CAPPROVAL/p1700000000000042|Post #12>)",
			[]button{{ActionConfirmDelivery, "primary"}, {ActionRetryDelivery, ""}, {ActionCancelDelivery, "danger"}}, true},
		{"WithoutACardNoLink", commands.French, workflows.Card{Post: workflows.Post{ID: 12, OriginChannel: "C1"}, Location: time.UTC},
			workflows.Event{Kind: workflows.EventFailed, Target: target, Reason: "HTTP 403"},
			"❌ Le post n°12 n'a pas pu partir sur Mastodon : HTTP 403",
			[]button{{ActionRetryDelivery, "primary"}, {ActionCancelDelivery, "danger"}}, false},
		{"RefusedTokenHasNoButtons", commands.French, workflows.Card{Location: time.UTC},
			workflows.Event{Kind: workflows.EventAccountRejected, Reason: "The access token is invalid",
				Account: &storage.Account{ID: 1, Network: "mastodon", Handle: "https://mastodon.example/@cat", State: storage.AccountRejected}},
			"🔑 Mastodon a refusé le jeton du compte https://mastodon.example/@cat (The access token is invalid). Rien n'y sera publié tant qu'il n'est pas renouvelé.",
			nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := setup(t, func(o *setupOptions) { o.lang = tt.lang })
			if err := f.notifier.Alert(t.Context(), tt.card, tt.ev); err != nil {
				t.Fatal(err)
			}
			calls := f.slack.snapshot()
			msgs := only(calls, "chat.postMessage")
			if len(msgs) != 1 {
				t.Fatalf("%d messages, want 1: %s", len(msgs), methods(calls))
			}
			p := readPosted(t, msgs[0])
			if p.channel != testApproval {
				t.Errorf("alert in %q, want the approval channel", p.channel)
			}
			if len(p.sections) != 1 || p.sections[0] != tt.text {
				t.Errorf("alert says\n%q\nwant\n%q", p.sections, tt.text)
			}
			if p.text != tt.text {
				t.Errorf("fallback %q", p.text)
			}
			var got []button
			for _, b := range p.buttons {
				got = append(got, button{b.ActionID, string(b.Style)})
				if b.Value != "d7" {
					t.Errorf("%s value %q, want d7", b.ActionID, b.Value)
				}
			}
			if !slices.Equal(got, tt.buttons) {
				t.Errorf("buttons %v, want %v", got, tt.buttons)
			}
			links := only(calls, "chat.getPermalink")
			if tt.permalink != (len(links) == 1) {
				t.Fatalf("%d chat.getPermalink calls, want %v", len(links), tt.permalink)
			}
			if tt.permalink && (links[0].field("channel") != testApproval || links[0].field("message_ts") != "1700000000.000042") {
				t.Errorf("permalink asked for %v", links[0].Form)
			}
		})
	}
	t.Run("PermalinkFailureStillAlerts", func(t *testing.T) {
		t.Parallel()
		f := setup(t)
		f.slack.on("chat.getPermalink", func(w http.ResponseWriter, _ *http.Request, _ apiCall) bool {
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`{"ok":false,"error":"message_not_found"}`))
			return true
		})
		if err := f.notifier.Alert(t.Context(), card, workflows.Event{Kind: workflows.EventFailed, Target: target, Reason: "x"}); err != nil {
			t.Fatal(err)
		}
		msgs := only(f.slack.snapshot(), "chat.postMessage")
		if len(msgs) != 1 || readPosted(t, msgs[0]).sections[0] != "❌ Le post n°12 n'a pas pu partir sur Mastodon : x" {
			t.Fatalf("alert %v", msgs)
		}
	})
	t.Run("OtherEventsAreNotAlerts", func(t *testing.T) {
		t.Parallel()
		f := setup(t)
		if err := f.notifier.Alert(t.Context(), card, workflows.Event{Kind: workflows.EventPublished, Target: target}); err != nil {
			t.Fatal(err)
		}
		if msgs := only(f.slack.snapshot(), "chat.postMessage"); len(msgs) != 0 {
			t.Fatalf("%d messages for a publication", len(msgs))
		}
	})
}

// endedDelivery drafts a post, approves it, and ends its first delivery
// as status, as a dispatcher that met a failure would.
func (f *fixture) endedDelivery(t *testing.T, status string) storage.Delivery {
	t.Helper()
	ctx := t.Context()
	p := f.draft(t, "Ça tweete !")
	if _, err := f.svc.Approve(ctx, p.ID, p.Version, "U2"); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	claimed, err := f.store.ClaimDeliveries(ctx, now.Add(time.Minute), now.Add(time.Hour), 1)
	if err != nil || len(claimed) != 1 {
		t.Fatalf("claim: %v, %v", claimed, err)
	}
	d := claimed[0]
	if err := f.store.EndDelivery(ctx, d.ID, d.Attempts, status, "Validation failed", now); err != nil {
		t.Fatal(err)
	}
	return d
}

// alertClick is a click on an alert's button, with its message and
// response URL as Slack sends them.
func (f *fixture) alertClick(user, action, value string, n int) map[string]any {
	p := blockAction(user, action, value)
	p["response_url"] = f.slack.responseURL(n)
	p["message"] = map[string]any{"type": "message", "ts": "1700000000.000009", "text": "❌ Le post n°1 n'a pas pu partir sur Mastodon : Validation failed"}
	return p
}

func TestDeliveryButtons(t *testing.T) {
	t.Parallel()
	t.Run("RetryClickSchedulesAndReplacesTheAlert", func(t *testing.T) {
		t.Parallel()
		f := setup(t)
		d := f.endedDelivery(t, storage.DeliveryFailed)
		resp, body := f.interaction(t, f.alertClick("U2", ActionRetryDelivery, fmt.Sprintf("d%d", d.ID), 3))
		if resp.StatusCode != http.StatusOK || len(body) != 0 {
			t.Fatalf("ack %d %q, want an empty 200", resp.StatusCode, body)
		}
		replaced := f.slack.waitMethod(t, "response_url", 1)
		f.shutdown(t)
		var msg map[string]any
		if err := json.Unmarshal(replaced[0].Body, &msg); err != nil {
			t.Fatal(err)
		}
		want := "❌ Le post n°1 n'a pas pu partir sur Mastodon : Validation failed\n✔️ <@U2> : nouvel essai lancé."
		if msg["replace_original"] != true || msg["text"] != want {
			t.Errorf("response_url got %s, want the alert replaced by %q", replaced[0].Body, want)
		}
		if _, ok := msg["blocks"]; ok {
			t.Errorf("the replaced alert keeps blocks (buttons): %s", replaced[0].Body)
		}
		if got, _ := f.store.Delivery(t.Context(), d.ID); got.Status != storage.DeliveryScheduled {
			t.Errorf("delivery %s, want scheduled again", got.Status)
		}
		if n := len(only(f.slack.snapshot(), "chat.postEphemeral")); n != 0 {
			t.Errorf("%d ephemeral messages for a click that worked", n)
		}
	})
	t.Run("ConfirmAndGiveUpSayWhoHandledIt", func(t *testing.T) {
		t.Parallel()
		for i, tt := range []struct {
			action, status, handled string
		}{
			{ActionConfirmDelivery, storage.DeliveryPublished, "marqué comme publié"},
			{ActionCancelDelivery, storage.DeliveryCanceled, "abandonné"},
		} {
			f := setup(t)
			d := f.endedDelivery(t, storage.DeliveryUnknown)
			f.interaction(t, f.alertClick("U3", tt.action, fmt.Sprintf("d%d", d.ID), i))
			replaced := f.slack.waitMethod(t, "response_url", 1)
			f.shutdown(t)
			var msg struct {
				Text    string `json:"text"`
				Replace bool   `json:"replace_original"`
			}
			if err := json.Unmarshal(replaced[0].Body, &msg); err != nil || !msg.Replace || !strings.HasSuffix(msg.Text, "\n✔️ <@U3> : "+tt.handled+".") {
				t.Errorf("%s: response_url got %s (%v)", tt.action, replaced[0].Body, err)
			}
			if got, _ := f.store.Delivery(t.Context(), d.ID); got.Status != tt.status {
				t.Errorf("%s: delivery %s, want %s", tt.action, got.Status, tt.status)
			}
		}
	})
	t.Run("SecondClickIsRefusedPrivately", func(t *testing.T) {
		t.Parallel()
		f := setup(t)
		d := f.endedDelivery(t, storage.DeliveryFailed)
		value := fmt.Sprintf("d%d", d.ID)
		f.interaction(t, f.alertClick("U2", ActionRetryDelivery, value, 1))
		f.slack.waitMethod(t, "response_url", 1)
		f.interaction(t, f.alertClick("U3", ActionCancelDelivery, value, 2))
		refusals := f.slack.waitMethod(t, "chat.postEphemeral", 1)
		f.shutdown(t)
		want := "Cette publication a déjà été traitée (elle est maintenant : programmé)."
		if refusals[0].field("user") != "U3" || refusals[0].field("text") != want {
			t.Errorf("refusal to %s: %q, want %q", refusals[0].field("user"), refusals[0].field("text"), want)
		}
		if n := len(only(f.slack.snapshot(), "response_url")); n != 1 {
			t.Errorf("%d response_url calls, want only the first click's", n)
		}
	})
	t.Run("BadValueIsRefused", func(t *testing.T) {
		t.Parallel()
		f := setup(t)
		values := []string{"", "12", "d", "d0", "d-3", "dx", "x12", "1:1"}
		for i, v := range values {
			f.interaction(t, f.alertClick("U2", ActionRetryDelivery, v, i))
		}
		f.shutdown(t)
		calls := f.slack.snapshot()
		refusals := only(calls, "chat.postEphemeral")
		if len(refusals) != len(values) {
			t.Fatalf("%d refusals, want %d: %s", len(refusals), len(values), methods(calls))
		}
		for _, r := range refusals {
			if r.field("text") != "Je n'ai pas compris cette requête." {
				t.Errorf("refusal %q", r.field("text"))
			}
		}
		if n := len(only(calls, "response_url")); n != 0 {
			t.Errorf("%d alerts replaced after bad clicks", n)
		}
	})
}

func TestLateCardButtons(t *testing.T) {
	t.Parallel()
	t.Run("DrawnWithPublishNowAndNextSlot", func(t *testing.T) {
		t.Parallel()
		for _, lang := range []commands.Lang{commands.French, commands.English} {
			n := newTestNotifier(t, lang)
			card := testCard(workflows.StatusApproved)
			card.Late = true
			card.Post.PublishAt = cardNow.Add(-2 * time.Hour)
			card.At = card.Post.PublishAt
			d := draw(t, n, card)
			if got, want := d.actions(), []string{ActionPublishNow, ActionNextSlot, ActionCancel}; !slices.Equal(got, want) {
				t.Errorf("%s: buttons %v, want %v", lang, got, want)
			}
			for _, b := range d.buttons {
				if b.Value != "12:3" {
					t.Errorf("%s: %s value %q", lang, b.ActionID, b.Value)
				}
			}
			want := map[commands.Lang]string{
				commands.French:  "⌛ Approuvé après son heure prévue (aujourd'hui 07:30 (UTC)) : publier maintenant, ou au prochain créneau ?",
				commands.English: "⌛ Approved after its planned time (today 07:30 (UTC)): publish now, or at the next slot?",
			}[lang]
			if got := d.contexts["preflight"]; got != want {
				t.Errorf("%s: late line %q, want %q", lang, got, want)
			}
			checkBlockKit(t, n.cardBlocks(card))
		}
	})
	t.Run("PublishNowClickReleasesThePost", func(t *testing.T) {
		t.Parallel()
		f := setup(t)
		p := f.draft(t, "En retard")
		if err := f.store.SetPublishAt(t.Context(), p.ID, time.Now().Add(-time.Hour), time.Now(), workflows.StatusPending); err != nil {
			t.Fatal(err)
		}
		res, err := f.svc.Approve(t.Context(), p.ID, p.Version, "U2")
		if err != nil || !res.Late {
			t.Fatalf("Approve = %+v, %v; want late", res, err)
		}
		// The card redrawn late has the two buttons.
		updates := f.slack.waitMethod(t, "chat.update", 1)
		if last := updates[len(updates)-1].field("blocks"); !strings.Contains(last, `"action_id":"publish_now"`) || !strings.Contains(last, `"action_id":"next_slot"`) {
			t.Errorf("late card without its buttons: %s", last)
		}
		f.interaction(t, blockAction("U3", ActionPublishNow, fmt.Sprintf("%d:%d", p.ID, p.Version)))
		f.shutdown(t)
		ds, err := f.store.Deliveries(t.Context(), p.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range ds {
			if d.Status != storage.DeliveryScheduled {
				t.Errorf("delivery %d %s after publish now, want scheduled", d.ID, d.Status)
			}
		}
		if n := len(only(f.slack.snapshot(), "chat.postEphemeral")); n != 0 {
			t.Errorf("%d refusals for a click that worked", n)
		}
	})
}

func TestCardPublishedAndPreflightLines(t *testing.T) {
	t.Parallel()
	published := func(name string) workflows.Target {
		return workflows.Target{DisplayName: name, Count: 10, Limit: 500,
			Delivery: storage.Delivery{Status: storage.DeliveryPublished, RemoteURL: "https://social.example/" + name}}
	}
	failed := func(name string) workflows.Target {
		return workflows.Target{DisplayName: name, Count: 10, Limit: 300, Delivery: storage.Delivery{Status: storage.DeliveryFailed}}
	}
	for _, tt := range []struct {
		name    string
		lang    commands.Lang
		targets []workflows.Target
		want    string
	}{
		{"OneOfTwo", commands.French, []workflows.Target{published("Mastodon"), failed("Bluesky")}, "Publié sur Mastodon — 1/2"},
		{"OneOfTwoInEnglish", commands.English, []workflows.Target{failed("Bluesky"), published("Mastodon")}, "Published on Mastodon — 1/2"},
		{"TwoOfThree", commands.French, []workflows.Target{published("Mastodon"), failed("X"), published("Bluesky")}, "Publié sur Mastodon et Bluesky — 2/3"},
		{"NoneYet", commands.French, []workflows.Target{failed("Bluesky")}, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			card := testCard(workflows.StatusPartial)
			card.Targets = tt.targets
			d := draw(t, newTestNotifier(t, tt.lang), card)
			if got, ok := d.contexts["published"]; got != tt.want || ok != (tt.want != "") {
				t.Errorf("published line %q, want %q", got, tt.want)
			}
		})
	}
	t.Run("PreflightWarnings", func(t *testing.T) {
		t.Parallel()
		card := testCard(workflows.StatusPending)
		card.At = time.Date(2025, time.March, 14, 23, 0, 0, 0, time.UTC)
		card.Preflight = workflows.Preflight{OddHour: true, NearDuplicate: 7, Similarity: 0.874}
		card.Campaign = "hiver<26>"
		want := map[commands.Lang]string{
			commands.French: "⏰ Publication hors des heures habituelles (07:00–22:00) : aujourd'hui 23:00 (UTC)\n" +
				"♻️ Ressemble beaucoup au post n°7 des 30 derniers jours (87 %)\n" +
				"🏷️ Liens tagués pour la campagne « hiver&lt;26&gt; » (utm_source = le réseau)",
			commands.English: "⏰ Goes out outside usual hours (07:00–22:00): today 23:00 (UTC)\n" +
				"♻️ Very close to post #7 of the last 30 days (87%)\n" +
				"🏷️ Links tagged for campaign “hiver&lt;26&gt;” (utm_source = the network)",
		}
		for lang, w := range want {
			if got := draw(t, newTestNotifier(t, lang), card).contexts["preflight"]; got != w {
				t.Errorf("%s: preflight\n%q\nwant\n%q", lang, got, w)
			}
		}
	})
	t.Run("OddHourWithoutATimeIsNotShown", func(t *testing.T) {
		t.Parallel()
		card := testCard(workflows.StatusPending)
		card.At = time.Time{}
		card.Preflight.OddHour = true
		if got, ok := draw(t, newTestNotifier(t, commands.French), card).contexts["preflight"]; ok {
			t.Errorf("preflight %q for a post without a time", got)
		}
	})
	t.Run("NothingToSayNoBlock", func(t *testing.T) {
		t.Parallel()
		if got, ok := draw(t, newTestNotifier(t, commands.French), testCard(workflows.StatusPending)).contexts["preflight"]; ok {
			t.Errorf("preflight %q on a plain card", got)
		}
	})
}

func TestUserLocation(t *testing.T) {
	t.Parallel()
	usersInfo := func(tz string) hookFunc {
		return func(w http.ResponseWriter, _ *http.Request, c apiCall) bool {
			w.Header().Set("Content-Type", "application/json")
			json.NewEncoder(w).Encode(map[string]any{"ok": true, "user": map[string]any{"id": c.field("user"), "name": "someone", "tz": tz}}) //nolint:errcheck // the bot hung up
			return true
		}
	}
	t.Run("AskedOnceThenCached", func(t *testing.T) {
		t.Parallel()
		f := setup(t)
		f.slack.on("users.info", usersInfo("America/New_York"))
		for range 2 {
			loc, err := f.notifier.UserLocation(t.Context(), "U1")
			if err != nil || loc.String() != "America/New_York" {
				t.Fatalf("UserLocation = %v, %v", loc, err)
			}
		}
		calls := only(f.slack.snapshot(), "users.info")
		if len(calls) != 1 || calls[0].field("user") != "U1" {
			t.Fatalf("users.info asked %d times (%v), want once for U1", len(calls), calls)
		}
		if _, err := f.notifier.UserLocation(t.Context(), "U2"); err != nil {
			t.Fatal(err)
		}
		if n := len(only(f.slack.snapshot(), "users.info")); n != 2 {
			t.Fatalf("users.info asked %d times for two people, want 2", n)
		}
	})
	for _, tt := range []struct {
		name string
		hook hookFunc
	}{
		{"UnknownZoneIsAnError", usersInfo("Mars/Olympus_Mons")},
		{"NoZoneIsAnError", usersInfo("")},
		{"SlackErrorIsAnError", func(w http.ResponseWriter, _ *http.Request, _ apiCall) bool {
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`{"ok":false,"error":"user_not_found"}`))
			return true
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := setup(t)
			f.slack.on("users.info", tt.hook)
			if loc, err := f.notifier.UserLocation(t.Context(), "U1"); err == nil {
				t.Fatalf("UserLocation = %v, want an error", loc)
			}
			// A failure is not cached as a zone: the next call asks again.
			f.notifier.UserLocation(t.Context(), "U1") //nolint:errcheck // counted below
			if n := len(only(f.slack.snapshot(), "users.info")); n != 2 {
				t.Fatalf("users.info asked %d times, want 2", n)
			}
		})
	}
	t.Run("ScheduleUsesTheirZone", func(t *testing.T) {
		t.Parallel()
		f := setup(t)
		f.slack.on("users.info", usersInfo("America/New_York"))
		router, err := commands.New(commands.Config{Service: f.svc, Zones: f.notifier})
		if err != nil {
			t.Fatal(err)
		}
		p := f.draft(t, "Bonjour New York")
		reply := router.Handle(context.Background(), commands.Request{Text: fmt.Sprintf("programmer %d demain 9h30", p.ID), UserID: "UNY", Source: commands.SourceSlashCommand})
		if !strings.HasSuffix(reply.Text, "09:30 (America/New_York).") {
			t.Fatalf("reply %q, want their zone", reply.Text)
		}
		got, err := f.svc.Post(t.Context(), p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if h, m, _ := got.PublishAt.In(mustZone(t, "America/New_York")).Clock(); h != 9 || m != 30 {
			t.Fatalf("stored %v, want 09:30 in New York", got.PublishAt)
		}
	})
}

func mustZone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}
