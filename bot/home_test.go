package bot

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"catweete/commands"
	"catweete/workflows"
)

// homeOpened is an Events API callback for app_home_opened.
func homeOpened(eventID, user, tab string) map[string]any {
	return map[string]any{
		"token": "legacy", "team_id": testTeam, "api_app_id": "A1", "type": "event_callback",
		"event_id": eventID, "event_time": 1700000000, "authorizations": []any{},
		"event": map[string]any{
			"type": "app_home_opened", "user": user, "channel": "D" + user, "tab": tab, "event_ts": "1700000000.000100",
		},
	}
}

// homeClick is a click on a button of the Home tab: a view, with neither
// a channel nor a response_url.
func homeClick(user, actionID, value string) map[string]any {
	return map[string]any{
		"type": "block_actions", "user": map[string]any{"id": user, "username": "someone", "team_id": testTeam},
		"api_app_id": "A1", "token": "legacy", "team": map[string]any{"id": testTeam, "domain": "cat"},
		"container":  map[string]any{"type": "view", "view_id": "VHOME"},
		"trigger_id": "13345224609.738474920.8088930838d88f008e0",
		"view":       map[string]any{"id": "VHOME", "type": "home", "team_id": testTeam, "blocks": []any{}},
		"actions": []any{map[string]any{
			"type": "button", "block_id": homeDecideBlock + "1", "action_id": actionID, "value": value,
			"text": map[string]any{"type": "plain_text", "text": "x"}, "action_ts": "1700000001.000001",
		}},
	}
}

// openHome sends app_home_opened for user and checks the ack.
func (f *fixture) openHome(t *testing.T, eventID, user, tab string) {
	t.Helper()
	body, err := json.Marshal(homeOpened(eventID, user, tab))
	if err != nil {
		t.Fatal(err)
	}
	if resp, got := f.post(t, "/slack/events", jsonType, body, nil); resp.StatusCode != http.StatusOK || len(got) != 0 {
		t.Fatalf("ack = %d %q, want an empty 200", resp.StatusCode, got)
	}
}

// published is a views.publish call taken apart.
type published struct {
	user    string
	view    slack.HomeTabViewRequest
	texts   []string // every text of every block, in order
	buttons []*slack.ButtonBlockElement
}

func (p published) text() string { return strings.Join(p.texts, "\n") }

// button returns the button with this action id and value, nil if none.
func (p published) button(action, value string) *slack.ButtonBlockElement {
	for _, b := range p.buttons {
		if b.ActionID == action && b.Value == value {
			return b
		}
	}
	return nil
}

func readPublished(t *testing.T, c apiCall) published {
	t.Helper()
	var req struct {
		UserID string                   `json:"user_id"`
		View   slack.HomeTabViewRequest `json:"view"`
	}
	if err := json.Unmarshal(c.Body, &req); err != nil {
		t.Fatalf("views.publish body %s: %v", c.Body, err)
	}
	p := published{user: req.UserID, view: req.View}
	for _, b := range req.View.Blocks.BlockSet {
		switch b := b.(type) {
		case *slack.HeaderBlock:
			p.texts = append(p.texts, b.Text.Text)
		case *slack.SectionBlock:
			p.texts = append(p.texts, b.Text.Text)
			if b.Accessory != nil && b.Accessory.ButtonElement != nil {
				p.buttons = append(p.buttons, b.Accessory.ButtonElement)
			}
		case *slack.ContextBlock:
			for _, e := range b.ContextElements.Elements {
				p.texts = append(p.texts, e.(*slack.TextBlockObject).Text)
			}
		case *slack.ActionBlock:
			for _, e := range b.Elements.ElementSet {
				p.buttons = append(p.buttons, e.(*slack.ButtonBlockElement))
			}
		}
	}
	checkHomeKit(t, req.View)
	return p
}

// checkHomeKit checks Slack's documented limits for a Home tab.
func checkHomeKit(t *testing.T, view slack.HomeTabViewRequest) {
	t.Helper()
	if view.Type != slack.VTHomeTab {
		t.Errorf("view type %q, want home", view.Type)
	}
	blocks := view.Blocks.BlockSet
	if len(blocks) > 100 {
		t.Errorf("%d blocks, limit 100", len(blocks))
	}
	limit := func(what, text string, max int) {
		t.Helper()
		if n := utf8.RuneCountInString(text); n > max || n == 0 {
			t.Errorf("%s is %d characters, want 1 to %d", what, n, max)
		}
	}
	ids := map[string]bool{}
	for i, b := range blocks {
		if id := b.ID(); id != "" {
			if ids[id] {
				t.Errorf("block id %q used twice", id)
			}
			ids[id] = true
		}
		switch b := b.(type) {
		case *slack.HeaderBlock:
			limit(fmt.Sprintf("block %d header", i), b.Text.Text, 150)
		case *slack.SectionBlock:
			limit(fmt.Sprintf("block %d section", i), b.Text.Text, 3000)
		case *slack.ContextBlock:
			for _, e := range b.ContextElements.Elements {
				limit(fmt.Sprintf("block %d context", i), e.(*slack.TextBlockObject).Text, 2000)
			}
		case *slack.ActionBlock:
			for _, e := range b.Elements.ElementSet {
				btn := e.(*slack.ButtonBlockElement)
				limit("button text", btn.Text.Text, 75)
			}
		case *slack.DividerBlock:
		default:
			t.Errorf("block %d: unexpected %T", i, b)
		}
	}
}

// lastHome waits for the nth views.publish and reads it.
func (f *fixture) lastHome(t *testing.T, n int) published {
	t.Helper()
	calls := f.slack.waitMethod(t, "views.publish", n)
	return readPublished(t, calls[n-1])
}

// directMessages are the chat.postMessage calls to user's own id.
func directMessages(calls []apiCall, user string) []string {
	var out []string
	for _, c := range only(calls, "chat.postMessage") {
		if c.field("channel") == user {
			out = append(out, c.field("text"))
		}
	}
	return out
}

func homeHas(t *testing.T, got string, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(got, p) {
			t.Errorf("home lacks %q; got:\n%s", p, got)
		}
	}
}

func TestHomeTab(t *testing.T) {
	t.Parallel()

	t.Run("AnAuthorSeesTheirDraftsAndMayEditThem", func(t *testing.T) {
		t.Parallel()
		f := setup(t)
		p := f.draft(t, "Notre nouveau site est en ligne")
		f.openHome(t, "EvHome1", "UAUTHOR", "home")
		home := f.lastHome(t, 1)
		if home.user != "UAUTHOR" {
			t.Errorf("published for %q, want UAUTHOR", home.user)
		}
		homeHas(t, home.text(), "Bonjour <@UAUTHOR> !", "📝 Vos posts — 30 derniers jours",
			fmt.Sprintf("*n°%d « Notre nouveau site est en ligne »*", p.ID), "⏳ en attente d'approbation — 0/1 approbation(s)",
			"Rien n'attend votre approbation. 🎉", "Rien de programmé dans les 7 prochains jours.",
			"Rien n'a été publié ces 7 derniers jours.")
		if home.button(ActionEdit, fmt.Sprintf("%d:1", p.ID)) == nil {
			t.Errorf("no Edit button for post %d: %+v", p.ID, home.buttons)
		}
		// Their own post waits for others, not for them.
		if home.button(ActionApprove, fmt.Sprintf("%d:1", p.ID)) != nil {
			t.Error("the author may approve their own post from the Home tab")
		}
	})

	t.Run("AnApproverGetsTheCardsButtons", func(t *testing.T) {
		t.Parallel()
		f := setup(t)
		first := f.draft(t, "Premier post")
		second := f.draft(t, "Second post")
		f.openHome(t, "EvHome2", "UAPPROVER", "home")
		home := f.lastHome(t, 1)
		homeHas(t, home.text(), "✅ Attend votre approbation", fmt.Sprintf("*Post n°%d* par <@UAUTHOR>\n> Premier post", first.ID),
			"Vous n'avez proposé aucun post ces 30 derniers jours.")
		for _, p := range []workflows.Post{first, second} {
			value := fmt.Sprintf("%d:%d", p.ID, p.Version)
			for _, want := range []struct{ action, style, label string }{
				{ActionApprove, "primary", "Approuver"}, {ActionRequestChanges, "", "Demander des modifs"}, {ActionReject, "danger", "Rejeter"},
			} {
				b := home.button(want.action, value)
				if b == nil || string(b.Style) != want.style || b.Text.Text != want.label {
					t.Errorf("post %d: button %s = %+v, want style %q, %q", p.ID, want.action, b, want.style, want.label)
				}
			}
		}
		var decide []string
		for _, b := range home.view.Blocks.BlockSet {
			if strings.HasPrefix(b.ID(), homeDecideBlock) {
				decide = append(decide, b.ID())
			}
		}
		if want := []string{fmt.Sprintf("%s%d", homeDecideBlock, first.ID), fmt.Sprintf("%s%d", homeDecideBlock, second.ID)}; strings.Join(decide, ",") != strings.Join(want, ",") {
			t.Errorf("decision blocks %v, want %v", decide, want)
		}
	})

	t.Run("AColleagueWithNothingSeesFriendlyEmptyStatesInEnglish", func(t *testing.T) {
		t.Parallel()
		f := setup(t, english)
		f.openHome(t, "EvHome3", "UCOLLEAGUE", "home")
		home := f.lastHome(t, 1)
		homeHas(t, home.text(), "Hello <@UCOLLEAGUE>!", "📝 Your posts — last 30 days",
			"You haven't suggested any post in the last 30 days. To start: `/catweete draft Your text`",
			"✅ Waiting for your approval", "Nothing waits for your approval. 🎉",
			"🗓️ The next 7 days", "Nothing scheduled in the next 7 days.",
			"📈 The last 7 days", "Nothing was published in the last 7 days.")
		if len(home.buttons) != 0 {
			t.Errorf("buttons on an empty home: %+v", home.buttons)
		}
	})

	t.Run("TheMessagesTabAndARetriedEventAreIgnored", func(t *testing.T) {
		t.Parallel()
		f := setup(t)
		f.openHome(t, "EvMessages", "UAUTHOR", "messages")
		f.openHome(t, "EvTwice", "UAUTHOR", "home")
		f.openHome(t, "EvTwice", "UAUTHOR", "home")
		f.openHome(t, "EvBot", testBotUser, "home")
		f.slack.waitMethod(t, "views.publish", 1)
		f.shutdown(t)
		if n := len(only(f.slack.snapshot(), "views.publish")); n != 1 {
			t.Errorf("%d views.publish, want 1", n)
		}
	})

	t.Run("ApproveFromTheHomeWorksAndRedrawsIt", func(t *testing.T) {
		t.Parallel()
		f := setup(t)
		p := f.draft(t, "À approuver depuis l'accueil")
		f.openHome(t, "EvHome4", "UAPPROVER", "home")
		if f.lastHome(t, 1).button(ActionApprove, fmt.Sprintf("%d:1", p.ID)) == nil {
			t.Fatal("no Approve button")
		}
		if resp, body := f.interaction(t, homeClick("UAPPROVER", ActionApprove, fmt.Sprintf("%d:1", p.ID))); resp.StatusCode != http.StatusOK || len(body) != 0 {
			t.Fatalf("ack = %d %q", resp.StatusCode, body)
		}
		home := f.lastHome(t, 2)
		if home.user != "UAPPROVER" || home.button(ActionApprove, fmt.Sprintf("%d:1", p.ID)) != nil {
			t.Errorf("redrawn home for %q still offers post %d:\n%s", home.user, p.ID, home.text())
		}
		homeHas(t, home.text(), "Rien n'attend votre approbation.")
		post, err := f.svc.Post(t.Context(), p.ID)
		if err != nil || post.Status != workflows.StatusApproved && post.Status != workflows.StatusPublishing && post.Status != workflows.StatusPublished {
			t.Fatalf("post = %s, %v; want approved", post.Status, err)
		}
		f.shutdown(t)
		calls := f.slack.snapshot()
		if n := len(only(calls, "chat.postEphemeral")); n != 0 {
			t.Errorf("%d ephemeral messages after a click with no channel", n)
		}
		if dms := directMessages(calls, "UAPPROVER"); len(dms) != 0 {
			t.Errorf("direct messages after a successful approval: %q", dms)
		}
	})

	t.Run("RefusalsFromTheHomeGoByDirectMessage", func(t *testing.T) {
		t.Parallel()
		f := setup(t)
		p := f.draft(t, "Mon propre post")
		value := fmt.Sprintf("%d:1", p.ID)
		f.interaction(t, homeClick("UAUTHOR", ActionApprove, value))
		f.slack.waitMethod(t, "views.publish", 1) // drawn again after the refusal
		f.interaction(t, homeClick("UAUTHOR", ActionReject, value))
		f.interaction(t, homeClick("UAUTHOR", ActionApprove, "garbage"))
		calls := f.slack.wait(t, "three direct messages", func(calls []apiCall) bool {
			return len(directMessages(calls, "UAUTHOR")) == 3
		})
		got := strings.Join(directMessages(calls, "UAUTHOR"), "\n")
		homeHas(t, got, "Vous êtes l'auteur de ce post", "Je n'ai pas compris cette requête.")
		if strings.Count(got, "Vous êtes l'auteur de ce post") != 2 {
			t.Errorf("direct messages:\n%s\nwant two self-approval refusals", got)
		}
		f.shutdown(t)
		calls = f.slack.snapshot()
		if n := len(only(calls, "views.open")); n != 0 {
			t.Errorf("a reason modal opened for a refused rejection")
		}
		if post, err := f.svc.Post(t.Context(), p.ID); err != nil || post.Status != workflows.StatusPending {
			t.Errorf("post = %s, %v; want still pending", post.Status, err)
		}
	})

	t.Run("RequestChangesFromTheHomeAsksWhyThenRedrawsIt", func(t *testing.T) {
		t.Parallel()
		f := setup(t)
		p := f.draft(t, "À revoir")
		f.interaction(t, homeClick("UAPPROVER", ActionRequestChanges, fmt.Sprintf("%d:1", p.ID)))
		opened := f.slack.waitMethod(t, "views.open", 1)
		var req struct {
			View slack.ModalViewRequest `json:"view"`
		}
		if err := json.Unmarshal(opened[0].Body, &req); err != nil {
			t.Fatal(err)
		}
		meta, err := decodeMeta(req.View.PrivateMetadata)
		if err != nil || meta.Channel != "" || meta.PostID != p.ID {
			t.Fatalf("modal meta = %+v, %v", meta, err)
		}
		f.interaction(t, viewSubmission(t, "UAPPROVER", req.View, map[string]map[string]any{
			blockReason: {inputReason: plainValue("Trop vague")},
		}))
		home := f.lastHome(t, 1)
		homeHas(t, home.text(), "Rien n'attend votre approbation.")
		if post, err := f.svc.Post(t.Context(), p.ID); err != nil || post.Status != workflows.StatusChangesRequested {
			t.Errorf("post = %s, %v; want changes requested", post.Status, err)
		}
	})

	t.Run("ManyPostsStayWithinBlockKitLimits", func(t *testing.T) {
		t.Parallel()
		f := setup(t)
		long := strings.Repeat("Très long post & <balises> ", 10) // 270 characters: fits Bluesky's 300
		for range 40 {
			f.draft(t, long)
		}
		f.openHome(t, "EvMany1", "UAPPROVER", "home")
		home := f.lastHome(t, 1) // readPublished checks the limits
		if n := len(home.view.Blocks.BlockSet); n > 100 {
			t.Fatalf("%d blocks", n)
		}
		homeHas(t, home.text(), "… et 30 autre(s).", "&amp; &lt;balises&gt;")
		f.openHome(t, "EvMany2", "UAUTHOR", "home")
		homeHas(t, f.lastHome(t, 2).text(), "… et 25 autre(s).")
	})
}

func TestHomeViewLimits(t *testing.T) {
	t.Parallel()
	f := setup(t)
	huge := strings.Repeat("é", 5000)
	h := commands.Home{Lang: commands.French, Intro: huge, Updated: huge}
	for s := range 4 {
		section := commands.HomeSection{Title: huge, Text: huge, Note: huge, Left: 7}
		for i := range 60 {
			section.Items = append(section.Items, commands.HomeItem{
				PostID: int64(s*100 + i + 1), Version: 1, Text: huge, Context: huge, Decide: s%2 == 0, Edit: s%2 == 1,
			})
		}
		h.Sections = append(h.Sections, section)
	}
	view := f.bot.homeView(h)
	checkHomeKit(t, view)
	// Every item left out is counted: the sections' own counts, and what
	// the 100 blocks could not hold.
	shown, counted := 0, 0
	for _, b := range view.Blocks.BlockSet {
		switch b := b.(type) {
		case *slack.SectionBlock:
			if b.Accessory != nil {
				shown++
			}
		case *slack.ActionBlock:
			shown++
		case *slack.ContextBlock:
			var n int
			if _, err := fmt.Sscanf(b.ContextElements.Elements[0].(*slack.TextBlockObject).Text, "… et %d autre(s).", &n); err == nil {
				counted += n
			}
		}
	}
	if want := 4 * (60 + 7); shown+counted != want {
		t.Errorf("%d items shown and %d counted, want %d in all", shown, counted, want)
	}
	if shown == 0 {
		t.Error("no item shown at all")
	}
}

// The refusal of a click that carries no channel must not be lost, nor
// crash: it goes to the person's direct messages.
func TestRefuseWithoutChannelSendsADirectMessage(t *testing.T) {
	t.Parallel()
	f := setup(t)
	cb := slack.InteractionCallback{User: slack.User{ID: "U1"}}
	f.bot.refuse(t.Context(), cb, "Non.")
	calls := f.slack.waitMethod(t, "chat.postMessage", 1)
	if calls[0].field("channel") != "U1" || calls[0].field("text") != "Non." {
		t.Errorf("chat.postMessage to %q: %q", calls[0].field("channel"), calls[0].field("text"))
	}
}
