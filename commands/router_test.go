package commands

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"catweete/storage"
	"catweete/workflows"
)

func TestNew(t *testing.T) {
	t.Parallel()
	t.Run("RequiresAService", func(t *testing.T) {
		t.Parallel()
		if _, err := New(Config{}); err == nil {
			t.Fatal("New without a Service: no error")
		}
	})
	t.Run("DefaultsToFrenchAndSlashCatweete", func(t *testing.T) {
		t.Parallel()
		r := newRouter(t, Config{Service: &workflows.Service{}})
		if r.Lang() != French {
			t.Errorf("Lang() = %q, want fr", r.Lang())
		}
		if got, want := len(r.Definitions()), len(definitions()); got != want {
			t.Errorf("Definitions() has %d commands, want %d", got, want)
		}
		if got := r.help(French).Text; !strings.Contains(got, "`/catweete aide`") {
			t.Errorf("help does not use /catweete:\n%s", got)
		}
	})
}

// The production command table must wire: main.go dies at start otherwise.
//
// It does not today: definitions.go lists the help alias "?", which fold
// reduces to "" ("bad alias"), and the status aliases "etat" and "état",
// which fold alike ("alias names both status and status").
func TestNewAcceptsTheCommandTable(t *testing.T) {
	t.Parallel()
	if _, err := New(Config{Service: &workflows.Service{}}); err != nil {
		t.Fatalf("New with definitions(): %v", err)
	}
}

// Every alias of the table must survive fold and name one command, so
// that New (which refuses duplicates and empty keys) accepts it. This is
// the duplicate-alias check of New, applied to the table New is given:
// New itself cannot be handed another table (definitions is a function it
// calls, not a parameter).
func TestCommandTableAliases(t *testing.T) {
	t.Parallel()
	seen := make(map[string]string)
	for _, d := range definitions() {
		for _, w := range append(append(append([]string(nil), d.French...), d.English...), d.Neutral...) {
			key := fold(w)
			switch prev, dup := seen[key]; {
			case key == "":
				t.Errorf("command %q: alias %q folds to nothing", d.Name, w)
			case strings.Contains(key, " "):
				t.Errorf("command %q: alias %q folds to several words", d.Name, w)
			case dup:
				t.Errorf("command %q: alias %q folds to %q, already an alias of %q", d.Name, w, key, prev)
			}
			seen[key] = d.Name
		}
	}
}

func TestCommandTable(t *testing.T) {
	t.Parallel()
	names := make(map[string]bool)
	for _, d := range definitions() {
		if names[d.Name] {
			t.Errorf("command %q defined twice", d.Name)
		}
		names[d.Name] = true
		if d.HandleFunc == nil {
			t.Errorf("command %q has no handler", d.Name)
		}
		if len(d.French)+len(d.Neutral) == 0 || len(d.English)+len(d.Neutral) == 0 {
			t.Errorf("command %q cannot be called in both languages", d.Name)
		}
		for i, lang := range []string{"French", "English"} {
			if strings.TrimSpace(d.Usage[i]) == "" || strings.TrimSpace(d.Description[i]) == "" {
				t.Errorf("command %q has no %s usage or description", d.Name, lang)
			}
		}
	}
	for _, name := range []string{CmdHelp, CmdDraft, CmdStatus, CmdQueue, CmdPending, CmdCancel} {
		if !names[name] {
			t.Errorf("command %q is not in the table", name)
		}
	}
}

func TestHandleHelp(t *testing.T) {
	t.Parallel()
	f := setup(t, options{})
	tests := []struct {
		name, text string
		lang       Lang
	}{
		{"AideListsEveryCommandInFrench", "aide", French},
		{"HelpListsEveryCommandInEnglish", "help", English},
		{"EmptyTextGivesHelpInTheTeamLanguage", "", French},
		{"MentionAloneGivesHelp", "<@UBOT>", French},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			reply := f.handle(t, "U1", tt.text)
			if reply.Lang != tt.lang {
				t.Errorf("Lang = %q, want %q", reply.Lang, tt.lang)
			}
			i := 0
			if tt.lang == English {
				i = 1
			}
			for _, d := range definitions() {
				wantContains(t, reply.Text, fmt.Sprintf("`/catweete %s` — %s", d.Usage[i], d.Description[i]))
			}
			cat := NewCatalog()
			wantContains(t, reply.Text, cat.T(tt.lang, MsgHelpHeader, "/catweete"), cat.T(tt.lang, MsgHelpFooter))
		})
	}
	t.Run("NamesTheConfiguredCommand", func(t *testing.T) {
		t.Parallel()
		r := newRouter(t, Config{Service: f.svc, Command: "/cw"})
		got := r.Handle(context.Background(), Request{Text: "aide", UserID: "U1"}).Text
		wantContains(t, got, "`/cw brouillon [texte]`", "`/cw statut`")
		if strings.Contains(got, "/catweete") {
			t.Errorf("help names /catweete, not /cw:\n%s", got)
		}
	})
}

// Help is Slack mrkdwn: a bare "<" opens a link or a mention there, so
// placeholders like <n°> must be escaped (&lt;n°&gt;) or Slack mangles them.
func TestHelpIsValidMrkdwn(t *testing.T) {
	t.Parallel()
	r := parseRouter(t)
	for _, lang := range []Lang{French, English} {
		text := r.help(lang).Text
		for rest := text; ; {
			i := strings.IndexByte(rest, '<')
			if i < 0 {
				break
			}
			rest = rest[i:]
			if !strings.HasPrefix(rest, "<@") && !strings.HasPrefix(rest, "<#") &&
				!strings.HasPrefix(rest, "<!") && !strings.HasPrefix(rest, "<http") {
				end := strings.IndexByte(rest, '>')
				if end < 0 {
					end = len(rest) - 1
				}
				t.Errorf("%s help has a bare %q, which Slack reads as a link", lang, rest[:end+1])
			}
			rest = rest[1:]
		}
	}
}

func TestHandleUnknownCommand(t *testing.T) {
	t.Parallel()
	f := setup(t, options{})
	t.Run("AnswersInFrenchWithHelp", func(t *testing.T) {
		t.Parallel()
		reply := f.handle(t, "U1", "tweete maintenant")
		if reply.Lang != French {
			t.Errorf("Lang = %q, want fr", reply.Lang)
		}
		if !strings.HasPrefix(reply.Text, "Je ne connais pas la commande « tweete »") {
			t.Errorf("reply does not start with the unknown command:\n%s", reply.Text)
		}
		wantContains(t, reply.Text, "`/catweete brouillon [texte]`", "`/catweete file`")
	})
	t.Run("AnswersInTheTeamLanguage", func(t *testing.T) {
		t.Parallel()
		r := newRouter(t, Config{Service: f.svc, Lang: English})
		reply := r.Handle(context.Background(), Request{Text: "tweet", UserID: "U1"})
		if !strings.HasPrefix(reply.Text, "I don't know the command “tweet”") || reply.Lang != English {
			t.Errorf("got %q in %q", reply.Text, reply.Lang)
		}
		wantContains(t, reply.Text, "`/catweete draft [text]`")
	})
	t.Run("EscapesTheWord", func(t *testing.T) {
		t.Parallel()
		reply := f.handle(t, "U1", "a<b>&c")
		wantContains(t, reply.Text, "« a&lt;b&gt;&amp;c »")
	})
	t.Run("CreatesNothing", func(t *testing.T) {
		t.Parallel()
		g := setup(t, options{})
		g.handle(t, "U1", "publish Bonjour")
		if cards := g.notifier.shown(); len(cards) != 0 {
			t.Errorf("an unknown command showed %d cards", len(cards))
		}
	})
}

func TestHandleDraft(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	t.Run("BrouillonCreatesAPostAndAnswersInFrench", func(t *testing.T) {
		t.Parallel()
		f := setup(t, options{})
		reply := f.handle(t, "U1", "brouillon Bonjour")
		if want := "Brouillon n°1 envoyé pour approbation (<#" + approvalChannel + ">)."; reply.Text != want {
			t.Errorf("reply = %q, want %q", reply.Text, want)
		}
		if reply.Lang != French || reply.OpenDraftModal {
			t.Errorf("reply = %+v", reply)
		}
		p, err := f.svc.Post(ctx, 1)
		if err != nil {
			t.Fatal(err)
		}
		if p.Text != "Bonjour" || p.AuthorID != "U1" || p.Status != workflows.StatusPending || p.OriginChannel != "CDRAFTS" {
			t.Errorf("stored post = %+v", p)
		}
		if cards := f.notifier.shown(); len(cards) != 1 || cards[0].Post.ID != 1 {
			t.Errorf("cards shown = %+v", cards)
		}
	})
	t.Run("DraftBonjourInTheFrenchTeamAnswersInEnglish", func(t *testing.T) {
		t.Parallel()
		// "draft" is an English word: the answer follows the words.
		f := setup(t, options{})
		reply := f.handle(t, "U1", "draft Bonjour")
		if want := "Draft #1 sent for approval (<#" + approvalChannel + ">)."; reply.Text != want {
			t.Errorf("reply = %q, want %q", reply.Text, want)
		}
		if reply.Lang != English {
			t.Errorf("Lang = %q, want en", reply.Lang)
		}
	})
	t.Run("MentionDraftsToo", func(t *testing.T) {
		t.Parallel()
		f := setup(t, options{})
		reply := f.router.Handle(ctx, Request{Text: "<@UBOT> brouillon Salut", UserID: "U1", ChannelID: "C9", Source: SourceMention})
		wantContains(t, reply.Text, "Brouillon n°1 envoyé pour approbation")
	})
	t.Run("SlackFormattingBecomesPlainText", func(t *testing.T) {
		t.Parallel()
		f := setup(t, options{})
		f.handle(t, "U1", "brouillon Lisez <https://example.com/a?b=1&amp;c=2|notre article> &amp; partagez\n\n:)  ")
		p, err := f.svc.Post(ctx, 1)
		if err != nil {
			t.Fatal(err)
		}
		if want := "Lisez notre article https://example.com/a?b=1&c=2 & partagez\n\n:)"; p.Text != want {
			t.Errorf("stored text = %q, want %q", p.Text, want)
		}
	})
	t.Run("DraftWithoutTextOpensTheModal", func(t *testing.T) {
		t.Parallel()
		f := setup(t, options{})
		for _, text := range []string{"draft", "brouillon  ", "<@UBOT> proposer"} {
			reply := f.handle(t, "U1", text)
			if !reply.OpenDraftModal || reply.Text != "" {
				t.Errorf("%q: reply = %+v, want the modal", text, reply)
			}
		}
		if cards := f.notifier.shown(); len(cards) != 0 {
			t.Errorf("opening the modal showed %d cards", len(cards))
		}
	})
	t.Run("TooLongTextIsRefusedWithTheCount", func(t *testing.T) {
		t.Parallel()
		f := setup(t, options{})
		// 501 characters, 1002 bytes: counted in characters.
		reply := f.handle(t, "U1", "brouillon "+strings.Repeat("é", 501))
		if want := "Trop long pour Mastodon : 501/500 caractères."; reply.Text != want {
			t.Errorf("reply = %q, want %q", reply.Text, want)
		}
		reply = f.handle(t, "U1", "draft "+strings.Repeat("a", 501))
		if want := "Too long for Mastodon: 501/500 characters."; reply.Text != want {
			t.Errorf("reply = %q, want %q", reply.Text, want)
		}
		if _, err := f.svc.Post(ctx, 1); !errors.Is(err, workflows.ErrNotFound) {
			t.Errorf("a refused draft was stored: %v", err)
		}
	})
	t.Run("ExactlyTheLimitIsAccepted", func(t *testing.T) {
		t.Parallel()
		f := setup(t, options{})
		reply := f.handle(t, "U1", "brouillon "+strings.Repeat("é", 500))
		wantContains(t, reply.Text, "Brouillon n°1 envoyé")
	})
	t.Run("TextEmptyOnceMadePlainIsRefused", func(t *testing.T) {
		t.Parallel()
		f := setup(t, options{})
		reply := f.handle(t, "U1", "brouillon <@U2|>")
		if want := NewCatalog().T(French, MsgEmptyText); reply.Text != want {
			t.Errorf("reply = %q, want %q", reply.Text, want)
		}
	})
	t.Run("SlackDownKeepsTheDraftAndSaysSo", func(t *testing.T) {
		t.Parallel()
		f := setup(t, options{})
		f.notifier.showErr = errors.New("slack: channel_not_found")
		reply := f.handle(t, "U1", "brouillon Bonjour")
		want := "Brouillon n°1 enregistré, mais Slack a refusé sa carte d'approbation (le bot est-il invité dans le canal ?) : je réessaie chaque minute."
		if reply.Text != want {
			t.Errorf("reply = %q, want %q", reply.Text, want)
		}
		if p, err := f.svc.Post(ctx, 1); err != nil || p.Text != "Bonjour" {
			t.Errorf("post = %+v, %v; want it stored", p, err)
		}
		if !strings.Contains(f.logs.String(), "channel_not_found") {
			t.Errorf("the card failure is not logged:\n%s", f.logs.String())
		}
	})
	t.Run("NumbersFollowOneAnother", func(t *testing.T) {
		t.Parallel()
		f := setup(t, options{})
		f.handle(t, "U1", "brouillon un")
		reply := f.handle(t, "U1", "brouillon deux")
		wantContains(t, reply.Text, "Brouillon n°2 envoyé")
	})
}

func TestHandleCancel(t *testing.T) {
	t.Parallel()
	f := setup(t, options{})
	f.handle(t, "U1", "brouillon À annuler")
	f.handle(t, "U1", "brouillon À garder")
	tests := []struct {
		name, user, text string
		want             string
	}{
		{"WithoutNumberSaysHow", "U1", "annuler", "Indiquez le numéro du post : `/catweete annuler 12`"},
		{"WithoutNumberSaysHowInEnglish", "U1", "cancel", "Give the post's number: `/catweete cancel 12`"},
		{"NotANumberInFrench", "U1", "annuler abc", "« abc » n'est pas un numéro de post. Exemple : `/catweete annuler 12`"},
		{"NotANumberInEnglish", "U1", "cancel abc", "“abc” is not a post number. Example: `/catweete cancel 12`"},
		{"NotANumberIsEscaped", "U1", "annuler <b>", "« &lt;b&gt; » n'est pas un numéro de post."},
		{"UnknownPostInFrench", "U1", "annuler 999", "Je ne trouve pas le post n°999."},
		{"UnknownPostInEnglish", "U1", "cancel #999", "I can't find post #999."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := f.handle(t, tt.user, tt.text).Text
			if !strings.HasPrefix(got, tt.want) {
				t.Errorf("%q answers %q, want %q", tt.text, got, tt.want)
			}
		})
	}
	t.Run("TheAuthorCancelsThenIsToldItIsDone", func(t *testing.T) {
		t.Parallel()
		g := setup(t, options{})
		g.handle(t, "U1", "brouillon À annuler")
		if got, want := g.handle(t, "U1", "annuler n°1").Text, "Post n°1 annulé."; got != want {
			t.Errorf("first cancel = %q, want %q", got, want)
		}
		p, err := g.svc.Post(context.Background(), 1)
		if err != nil || p.Status != workflows.StatusCanceled {
			t.Errorf("post = %+v, %v; want canceled", p, err)
		}
		if got, want := g.handle(t, "U2", "cancel 1").Text, "Too late: post #1 was already canceled by <@U1>."; got != want {
			t.Errorf("second cancel = %q, want %q", got, want)
		}
	})
}

// publish drafts text, has U2 approve it, and runs the dispatcher until
// Mastodon has it.
func (f *fixture) publish(t *testing.T, text string) int64 {
	t.Helper()
	ctx := context.Background()
	post, err := f.svc.Draft(ctx, workflows.DraftRequest{AuthorID: "U1", Text: text})
	if err != nil {
		t.Fatal(err)
	}
	if msg := f.router.Approve(ctx, "U2", post.ID, post.Version); msg != "" {
		t.Fatalf("Approve: %q", msg)
	}
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- f.svc.RunDispatcher(runCtx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("RunDispatcher: %v", err)
		}
	}()
	deadline := time.Now().Add(10 * time.Second)
	for {
		p, err := f.svc.Post(ctx, post.ID)
		if err != nil {
			t.Fatal(err)
		}
		if p.Status == workflows.StatusPublished {
			return post.ID
		}
		if time.Now().After(deadline) {
			t.Fatalf("post %d still %s after 10 s", post.ID, p.Status)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestHandleStatus(t *testing.T) {
	t.Parallel()
	t.Run("NothingYet", func(t *testing.T) {
		t.Parallel()
		f := setup(t, options{})
		got := f.handle(t, "U1", "alors ça tweete ?").Text
		want := "*Pas encore cette semaine* : rien n'a été publié depuis lundi.\n" +
			"✅ Rien n'attend d'approbation.\n" +
			"➡️ Rien de programmé pour l'instant."
		if got != want {
			t.Errorf("status =\n%s\nwant\n%s", got, want)
		}
		got = f.handle(t, "U1", "how's it going?").Text
		want = "*Not yet this week*: nothing has been published since Monday.\n" +
			"✅ Nothing waits for approval.\n" +
			"➡️ Nothing scheduled yet."
		if got != want {
			t.Errorf("status =\n%s\nwant\n%s", got, want)
		}
	})

	// One post published, one waiting, nothing scheduled.
	f := setup(t, options{})
	f.publish(t, "Notre nouveau site est en ligne")
	f.handle(t, "U1", "brouillon Deuxième post, en attente")
	tests := []struct {
		name, text string
		want       []string
	}{
		{"AlorsCaTweeteInFrench", "alors ça tweete ?", []string{
			"*Oui !* 1 post(s) publié(s) cette semaine, dont 1 aujourd'hui.",
			"• n°1 « Notre nouveau site est en ligne » — <https://mastodon.example/@brand/1|Mastodon>",
			"⏳ 1 en attente d'approbation (le plus ancien depuis ",
			"• n°2 « Deuxième post, en attente » — 0/1 approbation(s), depuis ",
			"➡️ Rien de programmé pour l'instant.",
		}},
		{"StatutInFrench", "statut", []string{
			"<https://mastodon.example/@brand/1|Mastodon>", "⏳ 1 en attente d'approbation",
		}},
		{"NeutralStatusInTheTeamLanguage", "status", []string{
			"*Oui !* 1 post(s)", "⏳ 1 en attente d'approbation",
		}},
		{"HowsItGoingInEnglish", "How’s it going?", []string{
			"*Yes!* 1 post(s) published this week, 1 of them today.",
			"• #1 “Notre nouveau site est en ligne” — <https://mastodon.example/@brand/1|Mastodon>",
			"⏳ 1 waiting for approval (the oldest waiting ",
			"• #2 “Deuxième post, en attente” — 0/1 approval(s), for ",
			"➡️ Nothing scheduled yet.",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := f.handle(t, "U3", tt.text).Text
			wantContains(t, got, tt.want...)
			if strings.Contains(got, "n°") == (f.router.Parse(tt.text).Lang == English) {
				t.Errorf("number sign not in the reply's language:\n%s", got)
			}
		})
	}
}

func TestStatusTextShowsWhatComesNextAndWhatFailed(t *testing.T) {
	t.Parallel()
	r := parseRouter(t)
	loc := paris(t)
	now := time.Date(2026, 6, 10, 10, 0, 0, 0, loc)
	rep := workflows.StatusReport{
		Now: now, Location: loc,
		ChangesRequested: []workflows.PendingPost{{}, {}},
		Upcoming: []workflows.UpcomingPost{{PostID: 4, Text: "Demain", At: now.Add(24 * time.Hour),
			Networks: []string{"Mastodon", "Bluesky"}}},
	}
	got := r.StatusText(French, rep)
	wantContains(t, got, "✏️ 2 à retoucher par leur auteur.",
		"➡️ Prochain : n°4 demain 10:00 (Europe/Paris) sur Mastodon et Bluesky.")
	got = r.StatusText(English, rep)
	wantContains(t, got, "✏️ 2 waiting for their author's changes.",
		"➡️ Next: #4 tomorrow 10:00 (Europe/Paris) on Mastodon and Bluesky.")

	rep.Week = make([]workflows.PublishedPost, 7)
	for i := range rep.Week {
		rep.Week[i] = workflows.PublishedPost{PostID: int64(10 + i), Text: "Post", Links: []workflows.Link{{Network: "X"}}}
	}
	rep.Attention = []storage.DeliveryView{
		{Delivery: storage.Delivery{PostID: 3, Status: storage.DeliveryFailed, LastError: "HTTP 422: <texte> refusé"}, Network: "mastodon"},
		{Delivery: storage.Delivery{PostID: 5, Status: storage.DeliveryUnknown}, Network: "x"},
	}
	got = r.StatusText(French, rep)
	wantContains(t, got, "⚠️ 2 publication(s) à reprendre :",
		"\n• n°3 Mastodon — échec (HTTP 422: &lt;texte&gt; refusé)", "\n• n°5 X — incertain : à vérifier")
	got = r.StatusText(English, rep)
	wantContains(t, got, "⚠️ 2 publication(s) need a look:",
		"\n• #3 Mastodon — failed (HTTP 422: &lt;texte&gt; refusé)", "\n• #5 X — uncertain: please check")
	rep.Attention = nil

	got = r.StatusText(French, rep)
	wantContains(t, got, "*Oui !* 7 post(s) publié(s) cette semaine.", "• n°14 « Post » — X (lien à venir)\n• …")
	if strings.Contains(got, "n°15") {
		t.Errorf("status lists more than 5 posts:\n%s", got)
	}
}

func TestHandleQueueAndPending(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	t.Run("EmptyLists", func(t *testing.T) {
		t.Parallel()
		f := setup(t, options{})
		en := newRouter(t, Config{Service: f.svc, Lang: English})
		for _, tt := range []struct {
			r          *Router
			text, want string
		}{
			{f.router, "file", "La file est vide : aucun post approuvé n'attend son heure."},
			{f.router, "queue", "La file est vide : aucun post approuvé n'attend son heure."},
			{en, "queue", "The queue is empty: no approved post is waiting for its time."},
			{f.router, "en-attente", "Rien n'attend d'approbation."},
			{f.router, "pending", "Nothing waits for approval."},
		} {
			if got := tt.r.Handle(ctx, Request{Text: tt.text, UserID: "U1"}).Text; got != tt.want {
				t.Errorf("%q = %q, want %q", tt.text, got, tt.want)
			}
		}
	})

	f := setup(t, options{})
	en := newRouter(t, Config{Service: f.svc, Lang: English})
	at := time.Now().Add(72 * time.Hour).Truncate(time.Minute)
	scheduled, err := f.svc.Draft(ctx, workflows.DraftRequest{AuthorID: "U1", Text: "Annonce programmée", PublishAt: at})
	if err != nil {
		t.Fatal(err)
	}
	if msg := f.router.Approve(ctx, "U2", scheduled.ID, scheduled.Version); msg != "" {
		t.Fatalf("Approve: %q", msg)
	}
	f.handle(t, "U1", "brouillon En attente &lt;&amp;&gt;")
	when := func(lang Lang) string { return f.router.Catalog().FormatTime(lang, at, time.Now(), paris(t)) }

	tests := []struct {
		name string
		r    *Router
		text string
		want func() []string
	}{
		{"FileListsTheQueueInFrench", f.router, "file", func() []string {
			return []string{"*File de publication* (1) :",
				"\n• " + when(French) + " — n°1 « Annonce programmée » sur Mastodon"}
		}},
		{"QueueListsTheQueueInEnglish", en, "queue", func() []string {
			return []string{"*Publishing queue* (1):",
				"\n• " + when(English) + " — #1 “Annonce programmée” on Mastodon"}
		}},
		{"EnAttenteListsPendingPostsInFrench", f.router, "en-attente", func() []string {
			return []string{"*En attente d'approbation* (1) :",
				"\n• n°2 « En attente &lt;&amp;&gt; » par <@U1> — 0/1 approbation(s), depuis ",
				" (<#" + approvalChannel + ">)"}
		}},
		{"PendingListsPendingPostsInEnglish", f.router, "pending", func() []string {
			return []string{"*Waiting for approval* (1):",
				"\n• #2 “En attente &lt;&amp;&gt;” by <@U1> — 0/1 approval(s), for ",
				" (<#" + approvalChannel + ">)"}
		}},
		{"StatusSaysWhatGoesOutNext", f.router, "statut", func() []string {
			return []string{"➡️ Prochain : n°1 " + when(French) + " sur Mastodon."}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			wantContains(t, tt.r.Handle(ctx, Request{Text: tt.text, UserID: "U3"}).Text, tt.want()...)
		})
	}
}

func TestErrorText(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 6, 10, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		err    error
		postID int64
		fr, en string
		// theirs: the person's to fix, worded for them and not logged.
		theirs bool
	}{
		{"NotFound", fmt.Errorf("workflows: %w", workflows.ErrNotFound), 7,
			"Je ne trouve pas le post n°7.", "I can't find post #7.", true},
		{"EmptyText", workflows.ErrEmptyText, 0,
			"Le texte est vide : il faut quelque chose à publier.", "The text is empty: there must be something to publish.", true},
		{"TooLong", fmt.Errorf("workflows: edit post 3: %w", &workflows.TooLongError{Network: "Mastodon", Count: 501, Limit: 500}), 3,
			"Trop long pour Mastodon : 501/500 caractères.", "Too long for Mastodon: 501/500 characters.", true},
		{"SelfApproval", fmt.Errorf("workflows: approve post 3: %w", workflows.ErrSelfApproval), 3,
			"Vous êtes l'auteur de ce post : un autre approbateur doit le valider.", "You wrote this post: another approver has to decide on it.", true},
		{"NotApprover", workflows.ErrNotApprover, 3,
			"Vous n'êtes pas approbateur : seules les personnes désignées peuvent décider de ce post.",
			"You are not an approver: only the designated people can decide on this post.", true},
		{"ApproversUnavailable", fmt.Errorf("workflows: approvers: %w", fmt.Errorf("%w: user group S1: %w",
			workflows.ErrApproversUnavailable, errors.New("slack: 503"))), 3,
			"Je n'ai pas pu vérifier auprès de Slack qui est approbateur : rien n'a été décidé, réessayez dans un instant.",
			"I could not check with Slack who the approvers are: nothing was decided, try again in a moment.", true},
		{"AlreadyApproved", fmt.Errorf("x: %w", workflows.ErrAlreadyApproved), 3,
			"Vous avez déjà approuvé cette version du post n°3.", "You already approved this version of post #3.", true},
		{"ReasonRequired", workflows.ErrReasonRequired, 3, "Merci d'indiquer une raison.", "Please give a reason.", true},
		{"NotAuthor", workflows.ErrNotAuthor, 3, "Seul l'auteur du post peut le modifier.", "Only the post's author can edit it.", true},
		{"Unchanged", workflows.ErrUnchanged, 3, "Le texte n'a pas changé.", "The text has not changed.", true},
		{"PastTime", workflows.ErrPastTime, 0, "Cette heure est déjà passée.", "That time has already passed.", true},
		{"NoAccount", fmt.Errorf("workflows: account 9: %w", workflows.ErrNoAccount), 0,
			"Aucun compte configuré pour publier.", "No account is configured to publish to.", true},
		{"MovedOnNamesWhoWasFirst", fmt.Errorf("workflows: approve post 4: %w", &workflows.MovedOnError{
			PostID: 4, Status: workflows.StatusApproved, Version: 1, ActorID: "U9", Action: workflows.ActionApprove, At: at}), 4,
			"Trop tard : le post n°4 a déjà été approuvé par <@U9>.", "Too late: post #4 was already approved by <@U9>.", true},
		{"MovedOnByARejection", &workflows.MovedOnError{
			PostID: 4, Status: workflows.StatusRejected, Version: 2, ActorID: "U8", Action: workflows.ActionReject, At: at}, 4,
			"Trop tard : le post n°4 a déjà été rejeté par <@U8>.", "Too late: post #4 was already rejected by <@U8>.", true},
		{"MovedOnByCatweeteNamesNobody", &workflows.MovedOnError{
			PostID: 4, Status: workflows.StatusPublished, Version: 1, ActorID: "catweete", Action: workflows.ActionFinish, At: at}, 4,
			"Le post n°4 est publié : plus rien à décider.", "Post #4 is published: nothing left to decide.", true},
		{"MovedOnWithoutActor", &workflows.MovedOnError{PostID: 4, Status: workflows.StatusPartial}, 4,
			"Le post n°4 est publié en partie : plus rien à décider.", "Post #4 is partly published: nothing left to decide.", true},
		{"MovedOnInAnUnknownState", &workflows.MovedOnError{PostID: 4, Status: "archived"}, 4,
			"Le post n°4 est archived : plus rien à décider.", "Post #4 is archived: nothing left to decide.", true},
		{"EditedSince", &workflows.MovedOnError{
			PostID: 4, Status: workflows.StatusPending, Version: 3, ActorID: "U1", Action: workflows.ActionEdit, At: at}, 4,
			"Le post n°4 a été modifié depuis (version 3) : relisez la carte à jour.",
			"Post #4 was edited since (version 3): read the updated card.", true},
		{"UnexpectedErrorApologizes", fmt.Errorf("workflows: approve post 4: storage: commit: %w",
			errors.New("database is locked (/srv/secret/catweete.db)")), 4,
			"Oups, quelque chose a coincé de mon côté. Réessayez dans un instant.",
			"Oops, something went wrong on my side. Try again in a moment.", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			logs := &syncBuffer{}
			r := newRouter(t, Config{Service: &workflows.Service{}, Logger: slogTo(logs)})
			for lang, want := range map[Lang]string{French: tt.fr, English: tt.en} {
				got := r.ErrorText(context.Background(), lang, tt.postID, tt.err)
				if got != want {
					t.Errorf("%s: ErrorText = %q, want %q", lang, got, want)
				}
				if !tt.theirs && strings.Contains(got, "locked") {
					t.Errorf("%s: the error leaks to the person: %q", lang, got)
				}
			}
			logged := strings.Contains(logs.String(), "database is locked")
			if logged == tt.theirs {
				t.Errorf("error logged = %v, want %v; log:\n%s", logged, !tt.theirs, logs.String())
			}
		})
	}
}

func TestNewRefusesABadCommandTable(t *testing.T) {
	t.Parallel()
	handler := func(context.Context, *Router, Call) Reply { return Reply{} }
	for _, tt := range []struct {
		name string
		defs []Definition
	}{
		{"DuplicateName", []Definition{{Name: "a", HandleFunc: handler}, {Name: "a", HandleFunc: handler}}},
		{"DuplicateAliasAcrossCommands", []Definition{{Name: "a", French: []string{"x"}, HandleFunc: handler}, {Name: "b", English: []string{"X"}, HandleFunc: handler}}},
		{"AliasesThatFoldAlike", []Definition{{Name: "a", French: []string{"état", "etat"}, HandleFunc: handler}}},
		{"AliasThatFoldsToNothing", []Definition{{Name: "a", Neutral: []string{"?"}, HandleFunc: handler}}},
		{"NoHandler", []Definition{{Name: "a"}}},
		{"NoName", []Definition{{HandleFunc: handler}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if _, err := build(Config{Service: &workflows.Service{}}, tt.defs); err == nil {
				t.Fatal("build accepted a bad table")
			}
		})
	}
}

func TestStatusNamesWhoWaitingPostsWaitFor(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name      string
		approvers []string
		want      string
		absent    string
	}{
		{"ListedApprovers", []string{"UAPP2", "UAPP1"}, "— <@UAPP1>, <@UAPP2>) :", ""},
		{"AnyoneButTheAuthor", nil, "", " — <"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := setup(t, options{approvers: tt.approvers})
			if reply := f.handle(t, "UAUTHOR", "brouillon En attente"); !strings.Contains(reply.Text, "Brouillon n°1") {
				t.Fatalf("draft: %q", reply.Text)
			}
			text := f.handle(t, "UCOLLEAGUE", "statut").Text
			if !strings.Contains(text, "⏳ 1 en attente d'approbation") {
				t.Fatalf("status %q: no pending line", text)
			}
			if tt.want != "" && !strings.Contains(text, tt.want) {
				t.Errorf("status %q lacks %q", text, tt.want)
			}
			if tt.absent != "" && strings.Contains(strings.SplitN(text, "\n", 3)[1], tt.absent) {
				t.Errorf("status %q names approvers though anyone may approve", text)
			}
		})
	}
}

// TestStatusAnswerDrawnOncePerReportAndSecond: the status answer is drawn
// again for another report, another second or another language, and
// reused otherwise.
func TestStatusAnswerDrawnOncePerReportAndSecond(t *testing.T) {
	t.Parallel()
	f := setup(t, options{})
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	report := func(serial uint64, at time.Time, text string) workflows.StatusReport {
		return workflows.StatusReport{
			Now: at, Location: time.UTC, Serial: serial,
			Pending: []workflows.PendingPost{{Post: workflows.Post{ID: 3, Text: text}, Since: now.Add(-119 * time.Second), Required: 1}},
		}
	}
	first := f.router.statusAnswer(French, report(7, now, "Premier texte"))
	if !strings.Contains(first, "Premier texte") || !strings.Contains(first, "1 min") {
		t.Fatalf("first answer %q", first)
	}
	// Same report, same second: the answer drawn before, even though this
	// copy's lists differ (they cannot, for a real report of that serial).
	if got := f.router.statusAnswer(French, report(7, now.Add(900*time.Millisecond), "Autre texte")); got != first {
		t.Errorf("same serial and second: %q, want the answer drawn before", got)
	}
	for name, tc := range map[string]struct {
		lang Lang
		rep  workflows.StatusReport
		want string
	}{
		"AnotherSecond":   {French, report(7, now.Add(time.Second), "Premier texte"), "2 min"},
		"AnotherReport":   {French, report(8, now, "Autre texte"), "Autre texte"},
		"AnotherLanguage": {English, report(7, now, "Premier texte"), "“Premier texte”"},
		"NoSerial":        {French, report(0, now, "Sans numéro"), "Sans numéro"},
	} {
		if got := f.router.statusAnswer(tc.lang, tc.rep); !strings.Contains(got, tc.want) {
			t.Errorf("%s: %q, want it drawn anew (with %q)", name, got, tc.want)
		}
	}
}
