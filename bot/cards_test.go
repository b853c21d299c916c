package bot

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"catweete/commands"
	"catweete/storage"
	"catweete/workflows"
)

// cardNow is the cards' clock: Friday 14 March 2025, 09:30 UTC.
var cardNow = time.Date(2025, time.March, 14, 9, 30, 0, 0, time.UTC)

func newTestNotifier(t *testing.T, lang commands.Lang) *Notifier {
	t.Helper()
	n, err := NewNotifier(NotifierConfig{API: slack.New("xoxb-unused"), Catalog: commands.NewCatalog(), Lang: lang,
		Now: func() time.Time { return cardNow }})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// testCard is post 12, version 3, in status, with what a card of that
// status would carry.
func testCard(status string) workflows.Card {
	card := workflows.Card{
		Post: workflows.Post{ID: 12, Text: `Nouveau : <script>alert("x")</script> & co` + "\n" + "2e ligne", AuthorID: "UAUTHOR",
			Status: status, Version: 3, PublishAt: cardNow.Add(24 * time.Hour), CreatedAt: cardNow.Add(-time.Hour)},
		Targets: []workflows.Target{{Network: "mastodon", DisplayName: "Mastodon", Count: 12, Limit: 500,
			Delivery: storage.Delivery{Status: storage.DeliveryWaiting}}},
		Approved: []string{"UAPP1"},
		Required: 2,
		Location: time.UTC,
		At:       cardNow.Add(24 * time.Hour),
	}
	switch status {
	case workflows.StatusChangesRequested:
		card.Decision = &workflows.Decision{ActorID: "UREV", Action: workflows.ActionRequestChanges, Reason: "Trop <long> & flou"}
	case workflows.StatusRejected:
		card.Decision = &workflows.Decision{ActorID: "UREV", Action: workflows.ActionReject, Reason: "Hors <sujet> & tard"}
	case workflows.StatusCanceled:
		card.Decision = &workflows.Decision{ActorID: "UAUTHOR", Action: workflows.ActionCancel}
	case workflows.StatusApproved:
		card.Decision = &workflows.Decision{ActorID: "UAPP2", Action: workflows.ActionApprove}
		card.Approved = []string{"UAPP1", "UAPP2"}
	}
	return card
}

// drawn is a card's blocks taken apart.
type drawn struct {
	blocks   []slack.Block
	header   string
	text     string
	fields   []string
	contexts map[string]string // block id → text
	buttons  []*slack.ButtonBlockElement
}

func draw(t *testing.T, n *Notifier, card workflows.Card) drawn {
	t.Helper()
	d := drawn{blocks: n.cardBlocks(card), contexts: map[string]string{}}
	for i, b := range d.blocks {
		switch b := b.(type) {
		case *slack.HeaderBlock:
			d.header = b.Text.Text
		case *slack.SectionBlock:
			if b.Text != nil {
				d.text = b.Text.Text
			}
			for _, f := range b.Fields {
				d.fields = append(d.fields, f.Text)
			}
		case *slack.ContextBlock:
			var parts []string
			for _, e := range b.ContextElements.Elements {
				parts = append(parts, e.(*slack.TextBlockObject).Text)
			}
			d.contexts[b.BlockID] = strings.Join(parts, "")
		case *slack.ActionBlock:
			if b.BlockID != cardActionsID {
				t.Errorf("actions block id %q, want %q", b.BlockID, cardActionsID)
			}
			for _, e := range b.Elements.ElementSet {
				d.buttons = append(d.buttons, e.(*slack.ButtonBlockElement))
			}
		default:
			t.Errorf("block %d: unexpected %T", i, b)
		}
	}
	return d
}

func (d drawn) actions() []string {
	var ids []string
	for _, b := range d.buttons {
		ids = append(ids, b.ActionID)
	}
	return ids
}

func TestCardBlocks(t *testing.T) {
	t.Parallel()
	states := []struct {
		status  string
		fr, en  string
		actions []string
	}{
		{workflows.StatusDraft, "brouillon", "draft", []string{ActionEdit, ActionReject}},
		{workflows.StatusPending, "en attente d'approbation", "waiting for approval", []string{ActionApprove, ActionRequestChanges, ActionReject, ActionEdit}},
		{workflows.StatusChangesRequested, "modifications demandées", "changes requested", []string{ActionEdit, ActionReject}},
		{workflows.StatusApproved, "approuvé", "approved", []string{ActionCancel}},
		{workflows.StatusRejected, "rejeté", "rejected", nil},
		{workflows.StatusCanceled, "annulé", "canceled", nil},
		{workflows.StatusPublishing, "en cours de publication", "publishing", nil},
		{workflows.StatusPublished, "publié", "published", nil},
		{workflows.StatusPartial, "publié en partie", "partly published", nil},
		{workflows.StatusFailed, "en échec", "failed", nil},
	}
	for _, lang := range []commands.Lang{commands.French, commands.English} {
		n := newTestNotifier(t, lang)
		for _, st := range states {
			t.Run(fmt.Sprintf("%s/%s", lang, st.status), func(t *testing.T) {
				t.Parallel()
				card := testCard(st.status)
				d := draw(t, n, card)
				stateName := st.fr
				want := struct{ title, author, when, state, approvals, accounts string }{
					"Post n°12 — " + st.fr, "*Auteur*\n<@UAUTHOR>", "*Publication*\ndemain 09:30 (UTC)",
					"*État*\n" + st.fr, "*Approbations*\n1/2 — <@UAPP1>", "*Comptes* : Mastodon 12/500",
				}
				if lang == commands.English {
					stateName = st.en
					want.title, want.author, want.when = "Post #12 — "+st.en, "*Author*\n<@UAUTHOR>", "*Goes out*\ntomorrow 09:30 (UTC)"
					want.state, want.approvals, want.accounts = "*State*\n"+st.en, "*Approvals*\n1/2 — <@UAPP1>", "*Accounts*: Mastodon 12/500"
				}
				if st.status == workflows.StatusApproved {
					want.approvals = strings.Replace(want.approvals, "1/2 — <@UAPP1>", "2/2 — <@UAPP1>, <@UAPP2>", 1)
				}

				if _, ok := d.blocks[0].(*slack.HeaderBlock); !ok || d.header != want.title {
					t.Errorf("header %q, want first and %q", d.header, want.title)
				}
				// Plain text, exactly what the networks will publish.
				if wantText := "Nouveau : <script>alert(\"x\")</script> & co\n2e ligne"; d.text != wantText {
					t.Errorf("text %q, want %q", d.text, wantText)
				}
				if got := strings.Join(d.fields, " | "); got != strings.Join([]string{want.author, want.when, want.state, want.approvals}, " | ") {
					t.Errorf("fields %q", d.fields)
				}
				if d.contexts["accounts"] != want.accounts {
					t.Errorf("accounts %q, want %q", d.contexts["accounts"], want.accounts)
				}

				decision, hasDecision := d.contexts["decision"]
				switch st.status {
				case workflows.StatusChangesRequested:
					wantDecision := map[commands.Lang]string{commands.French: "Modifications demandées par <@UREV> — Trop &lt;long&gt; &amp; flou",
						commands.English: "Changes requested by <@UREV> — Trop &lt;long&gt; &amp; flou"}[lang]
					if decision != wantDecision {
						t.Errorf("decision %q, want %q", decision, wantDecision)
					}
				case workflows.StatusRejected:
					wantDecision := map[commands.Lang]string{commands.French: "Rejeté par <@UREV> — Hors &lt;sujet&gt; &amp; tard",
						commands.English: "Rejected by <@UREV> — Hors &lt;sujet&gt; &amp; tard"}[lang]
					if decision != wantDecision {
						t.Errorf("decision %q, want %q", decision, wantDecision)
					}
				case workflows.StatusCanceled:
					wantDecision := map[commands.Lang]string{commands.French: "Annulé par <@UAUTHOR>", commands.English: "Canceled by <@UAUTHOR>"}[lang]
					if decision != wantDecision {
						t.Errorf("decision %q, want %q", decision, wantDecision)
					}
				default:
					if hasDecision {
						t.Errorf("decision %q on a %s card (an approval is not shown as a decision)", decision, st.status)
					}
				}

				if got := d.actions(); strings.Join(got, ",") != strings.Join(st.actions, ",") {
					t.Errorf("buttons %v, want %v", got, st.actions)
				}
				for _, b := range d.buttons {
					if b.Value != "12:3" {
						t.Errorf("button %s value %q, want 12:3", b.ActionID, b.Value)
					}
					if b.Text == nil || b.Text.Type != slack.PlainTextType || b.Text.Text == "" || strings.HasPrefix(b.Text.Text, "button.") {
						t.Errorf("button %s text %+v", b.ActionID, b.Text)
					}
					switch b.ActionID {
					case ActionApprove:
						if b.Style != slack.StylePrimary {
							t.Errorf("approve style %q, want primary", b.Style)
						}
					case ActionReject, ActionCancel:
						if b.Style != slack.StyleDanger {
							t.Errorf("%s style %q, want danger", b.ActionID, b.Style)
						}
					}
					if b.ActionID == ActionCancel {
						c := b.Confirm
						if c == nil || c.Title == nil || c.Text == nil || c.Confirm == nil || c.Deny == nil {
							t.Fatalf("cancel_post without a full confirm: %+v", c)
						}
						if !strings.Contains(c.Text.Text, "12") {
							t.Errorf("confirm text %q does not name the post", c.Text.Text)
						}
					} else if b.Confirm != nil {
						t.Errorf("%s has a confirm", b.ActionID)
					}
				}

				fallback := n.cardFallback(card)
				if !strings.Contains(fallback, stateName) || strings.Contains(fallback, "<script>") {
					t.Errorf("fallback %q", fallback)
				}
				if _, err := json.Marshal(d.blocks); err != nil {
					t.Errorf("json.Marshal(blocks): %v", err)
				}
			})
		}
	}
}

func TestCardTargets(t *testing.T) {
	t.Parallel()
	n := newTestNotifier(t, commands.French)
	card := testCard(workflows.StatusPartial)
	card.Targets = []workflows.Target{
		{DisplayName: "Mastodon", Count: 12, Limit: 500, Delivery: storage.Delivery{Status: storage.DeliveryPublished, RemoteURL: "https://mastodon.example/@cat/1"}},
		{DisplayName: "Bluesky", Count: 312, Limit: 300, Delivery: storage.Delivery{Status: storage.DeliveryFailed}},
		{DisplayName: "Sandbox", Delivery: storage.Delivery{Status: storage.DeliveryUnknown}},
	}
	want := "*Comptes* : Mastodon 12/500 — <https://mastodon.example/@cat/1|publié> · Bluesky 312/300 ⚠️ trop long — échec · Sandbox — incertain : à vérifier"
	if got := draw(t, n, card).contexts["accounts"]; got != want {
		t.Errorf("accounts\n got %q\nwant %q", got, want)
	}
}

func TestCardLimits(t *testing.T) {
	t.Parallel()
	long := string([]rune(strings.Repeat(`<b>é & "x"</b> `, 700))[:10_000])
	for _, lang := range []commands.Lang{commands.French, commands.English} {
		n := newTestNotifier(t, lang)
		for _, status := range []string{workflows.StatusPending, workflows.StatusChangesRequested, workflows.StatusApproved, workflows.StatusRejected} {
			t.Run(fmt.Sprintf("%s/%s", lang, status), func(t *testing.T) {
				t.Parallel()
				card := testCard(status)
				card.Post.Text = long
				card.Post.ID = 1<<53 - 1
				if card.Decision != nil {
					card.Decision.Reason = long
				}
				for i := range 40 {
					card.Targets = append(card.Targets, workflows.Target{DisplayName: strings.Repeat("Compte très long ", 6) + fmt.Sprint(i), Count: 10_000, Limit: 500,
						Delivery: storage.Delivery{Status: storage.DeliveryPublished, RemoteURL: "https://social.example/" + strings.Repeat("p", 200)}})
				}
				for i := range 30 {
					card.Approved = append(card.Approved, fmt.Sprintf("UAPPROVER%03d", i))
				}
				blocks := n.cardBlocks(card)
				checkBlockKit(t, blocks)
				d := draw(t, n, card)
				if !strings.HasPrefix(d.text, "<b>é & \"x\"</b> ") || !strings.HasSuffix(d.text, "…") {
					t.Errorf("long text not kept as typed and cut: %q…%q", d.text[:40], d.text[len(d.text)-10:])
				}
				if fallback := n.cardFallback(card); utf8.RuneCountInString(fallback) > 4000 {
					t.Errorf("fallback text is %d characters", utf8.RuneCountInString(fallback))
				}
			})
		}
	}
}

// checkBlockKit checks Slack's documented limits for message blocks.
func checkBlockKit(t *testing.T, blocks []slack.Block) {
	t.Helper()
	if len(blocks) > 50 {
		t.Errorf("%d blocks, limit 50", len(blocks))
	}
	limit := func(what, text string, max int) {
		t.Helper()
		if n := utf8.RuneCountInString(text); n > max {
			t.Errorf("%s is %d characters, limit %d", what, n, max)
		}
		if text == "" {
			t.Errorf("%s is empty", what)
		}
	}
	for i, b := range blocks {
		switch b := b.(type) {
		case *slack.HeaderBlock:
			limit(fmt.Sprintf("block %d header", i), b.Text.Text, 150)
		case *slack.SectionBlock:
			if b.Text != nil {
				limit(fmt.Sprintf("block %d section text", i), b.Text.Text, 3000)
			}
			if len(b.Fields) > 10 {
				t.Errorf("block %d: %d fields, limit 10", i, len(b.Fields))
			}
			for j, f := range b.Fields {
				limit(fmt.Sprintf("block %d field %d", i, j), f.Text, 2000)
			}
		case *slack.ContextBlock:
			if len(b.ContextElements.Elements) > 10 {
				t.Errorf("block %d: %d context elements, limit 10", i, len(b.ContextElements.Elements))
			}
			for j, e := range b.ContextElements.Elements {
				limit(fmt.Sprintf("block %d context %d", i, j), e.(*slack.TextBlockObject).Text, 3000)
			}
		case *slack.ActionBlock:
			if len(b.Elements.ElementSet) > 25 {
				t.Errorf("block %d: %d elements, limit 25", i, len(b.Elements.ElementSet))
			}
			for _, e := range b.Elements.ElementSet {
				btn := e.(*slack.ButtonBlockElement)
				limit("button "+btn.ActionID+" text", btn.Text.Text, 75)
				limit("button "+btn.ActionID+" value", btn.Value, 2000)
				limit("button action_id", btn.ActionID, 255)
				if c := btn.Confirm; c != nil {
					limit("confirm title", c.Title.Text, 100)
					limit("confirm text", c.Text.Text, 300)
					limit("confirm button", c.Confirm.Text, 30)
					limit("deny button", c.Deny.Text, 30)
				}
			}
		}
	}
	raw, err := json.Marshal(blocks)
	if err != nil {
		t.Fatalf("json.Marshal(blocks): %v", err)
	}
	var back slack.Blocks
	if err := json.Unmarshal(raw, &back); err != nil || len(back.BlockSet) != len(blocks) {
		t.Fatalf("blocks do not read back: %d of %d, %v", len(back.BlockSet), len(blocks), err)
	}
}

func TestCardWhen(t *testing.T) {
	t.Parallel()
	n := newTestNotifier(t, commands.French)
	pending := testCard(workflows.StatusPending)
	pending.At = time.Time{}
	if got := n.when(pending); got != "dès l'approbation" {
		t.Errorf("pending, no time known: %q", got)
	}
	approved := testCard(workflows.StatusApproved)
	approved.At = cardNow.Add(3 * time.Hour)
	if got := n.when(approved); got != "aujourd'hui 12:30 (UTC)" {
		t.Errorf("approved, due in 3 h: %q", got)
	}
	later := testCard(workflows.StatusPending)
	later.At = time.Date(2025, time.April, 1, 8, 0, 0, 0, time.UTC)
	if got := n.when(later); got != "mar. 1 avr. 08:00 (UTC)" {
		t.Errorf("pending, for 1 April: %q", got)
	}
}
