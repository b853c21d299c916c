package bot

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	_ "image/png" // image.DecodeConfig of the chart
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	_ "time/tzdata" // Europe/Paris even where the system has no zoneinfo

	"github.com/robfig/cron/v3"
	"github.com/slack-go/slack"

	"catweete/commands"
	"catweete/social"
	"catweete/storage"
	"catweete/workflows"
)

// The digest tests' Slack identities and clock: Tuesday 24 November 2026,
// 9:00 in Paris, when the default CATWEETE_DIGEST_CRON fires.
const (
	testDigestChannel = "CDIGEST"
	testDigestTS      = "1790000000.000100"
	testFileID        = "F0DIGEST"
	testDigestCron    = "0 9 * * 1-5"
)

func parisZone(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// upload is what the fake Slack saw of a file upload.
type upload struct {
	contentType string
	auth        string
	filename    string
	data        []byte
}

// digestFixture is a real Bot on a real SQLite file with a fixed clock and
// posting slots, talking to a fake Slack that answers the v2 file upload.
type digestFixture struct {
	*fixture
	now time.Time
	loc *time.Location

	mu      sync.Mutex
	uploads []upload
}

type digestOptions struct {
	lang commands.Lang
	// failUpload makes files.getUploadURLExternal answer an error.
	failUpload bool
}

func setupDigest(t *testing.T, o digestOptions) *digestFixture {
	t.Helper()
	if o.lang == "" {
		o.lang = commands.French
	}
	ctx := t.Context()
	loc := parisZone(t)
	now := time.Date(2026, 11, 24, 9, 0, 0, 0, loc)
	clock := func() time.Time { return now }
	fs := newFakeSlack(t)
	f := &digestFixture{now: now, loc: loc}

	fs.on("chat.postMessage", func(w http.ResponseWriter, _ *http.Request, c apiCall) bool {
		if c.field("channel") != testDigestChannel {
			return false
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"ok": true, "channel": testDigestChannel, "ts": testDigestTS}) //nolint:errcheck // test server
		return true
	})
	fs.on("files.getUploadURLExternal", func(w http.ResponseWriter, _ *http.Request, c apiCall) bool {
		w.Header().Set("Content-Type", "application/json")
		if o.failUpload {
			w.Write([]byte(`{"ok":false,"error":"not_allowed_token_type"}`))
			return true
		}
		// The upload URL points back at this server, as slack-go requires
		// of a URL it sends the token to (Slack's are on files.slack.com).
		json.NewEncoder(w).Encode(map[string]any{ //nolint:errcheck // test server
			"ok": true, "upload_url": fs.srv.URL + "/upload/v1/" + testFileID, "file_id": testFileID,
		})
		return true
	})
	fs.on("upload/v1/"+testFileID, func(w http.ResponseWriter, r *http.Request, c apiCall) bool {
		u := upload{contentType: r.Header.Get("Content-Type"), auth: r.Header.Get("Authorization")}
		if _, params, err := mime.ParseMediaType(u.contentType); err == nil {
			mr := multipart.NewReader(bytes.NewReader(c.Body), params["boundary"])
			for {
				part, err := mr.NextPart()
				if err != nil {
					break
				}
				if part.FormName() == "file" {
					u.filename = part.FileName()
					u.data, _ = io.ReadAll(part)
				}
			}
		}
		f.mu.Lock()
		f.uploads = append(f.uploads, u)
		f.mu.Unlock()
		w.Write([]byte("OK - " + strconv.Itoa(len(u.data))))
		return true
	})
	fs.on("files.completeUploadExternal", func(w http.ResponseWriter, _ *http.Request, c apiCall) bool {
		var files []map[string]any
		json.Unmarshal([]byte(c.field("files")), &files) //nolint:errcheck // an empty list fails the test
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"ok": true, "files": files}) //nolint:errcheck // test server
		return true
	})

	api := slack.New(testBotToken, slack.OptionAPIURL(fs.srv.URL+"/"))
	store, err := storage.Open(ctx, filepath.Join(t.TempDir(), "catweete.db"))
	if err != nil {
		t.Fatalf("storage.Open: %v", err)
	}
	t.Cleanup(func() { store.Close() })
	catalog := commands.NewCatalog()
	notifier, err := NewNotifier(NotifierConfig{API: api, Catalog: catalog, Lang: o.lang, ApprovalChannel: testApproval, Now: clock})
	if err != nil {
		t.Fatalf("NewNotifier: %v", err)
	}
	slots, err := workflows.ParseSlots("mon-fri 09:30,12:30,17:45")
	if err != nil {
		t.Fatal(err)
	}
	svc, err := workflows.New(ctx, workflows.Config{
		Store: store, Notifier: notifier, Directory: notifier, Location: loc, Now: clock, Slots: slots,
		Accounts: []workflows.AccountConfig{
			{Handle: "https://mastodon.example/@cat", DisplayName: "Mastodon", Publisher: fakePublisher{social.NetworkMastodon, 500}},
			{Handle: "x:cat", DisplayName: "X", Publisher: fakePublisher{social.NetworkX, 280}},
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
		HTTPClient: fs.srv.Client(), JobTimeout: waitLimit,
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
	f.fixture = &fixture{slack: fs, api: api, store: store, svc: svc, router: router, notifier: notifier, bot: b, srv: srv}
	return f
}

func (f *digestFixture) uploaded() []upload {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.uploads)
}

// claimed drafts text for every account, at a time of its own, approves it
// and claims its deliveries, as the dispatcher would when it comes due.
func (f *digestFixture) claimed(t *testing.T, text string) (workflows.Post, []storage.Delivery) {
	t.Helper()
	ctx := t.Context()
	p, err := f.svc.Draft(ctx, workflows.DraftRequest{AuthorID: "UAUTHOR", Text: text, OriginChannel: "C1", PublishAt: f.now.Add(time.Minute)})
	if err != nil {
		t.Fatalf("Draft: %v", err)
	}
	if _, err := f.svc.Approve(ctx, p.ID, p.Version, "U2"); err != nil {
		t.Fatalf("Approve: %v", err)
	}
	ds, err := f.store.ClaimDeliveries(ctx, f.now.Add(2*time.Minute), f.now.Add(time.Hour), 10)
	if err != nil || len(ds) != 2 {
		t.Fatalf("claim: %v, %v", ds, err)
	}
	return p, ds
}

// published makes a post that went out at on both accounts, with the
// figures each network gave (Mastodon first, then X).
func (f *digestFixture) published(t *testing.T, text string, at time.Time, figures ...storage.Figures) workflows.Post {
	t.Helper()
	ctx := t.Context()
	p, ds := f.claimed(t, text)
	for i, d := range ds {
		url := fmt.Sprintf("https://social.example/%d/%d", p.ID, d.AccountID)
		if err := f.store.CompleteDelivery(ctx, d.ID, d.Attempts, strconv.FormatInt(d.ID, 10), url, at); err != nil {
			t.Fatal(err)
		}
		if i < len(figures) {
			if err := f.store.RecordMetrics(ctx, d.ID, at.Add(time.Hour), figures[i]); err != nil {
				t.Fatal(err)
			}
		}
	}
	return p
}

func known(v int64) storage.Count { return storage.Count{Value: v, Known: true} }

// mastodonFigures and xFigures are what each network gives: Mastodon
// counts engagements only; X gives impressions, which stand in for reach.
func mastodonFigures(n int64) storage.Figures {
	return storage.Figures{Likes: known(10 * n), Reposts: known(3 * n), Replies: known(n)}
}

func xFigures(n int64) storage.Figures {
	return storage.Figures{Impressions: known(1000 * n), Likes: known(20 * n), Reposts: known(5 * n), Replies: known(2 * n), Clicks: known(3 * n)}
}

// week fills the last days: two posts yesterday, one the day before (for
// the trend), one four days ago; then what waits for approval, what goes
// out today at 12:30, and a post whose X delivery failed and whose
// Mastodon delivery may or may not have gone out.
type week struct {
	yesterday []workflows.Post
	pending   workflows.Post
	today     workflows.Post
	failed    storage.Delivery
	unknown   storage.Delivery
}

func (f *digestFixture) week(t *testing.T) week {
	t.Helper()
	ctx := t.Context()
	day := func(days, hour int) time.Time {
		return time.Date(2026, 11, 24+days, hour, 0, 0, 0, f.loc)
	}
	var w week
	f.published(t, "Il y a quatre jours", day(-4, 11), mastodonFigures(1), xFigures(1))
	f.published(t, "Avant-hier, un post modeste", day(-2, 10), mastodonFigures(1), xFigures(2))
	w.yesterday = append(w.yesterday,
		f.published(t, "Notre nouveau site est en ligne !", day(-1, 9), mastodonFigures(2), xFigures(3)),
		f.published(t, "Le programme de la semaine <à lire>", day(-1, 17), mastodonFigures(1)))

	p, ds := f.claimed(t, "Une publication qui a coincé")
	for _, d := range ds {
		status, reason := storage.DeliveryFailed, "HTTP 403: Forbidden"
		if d.AccountID == ds[0].AccountID {
			status, reason = storage.DeliveryUnknown, "timeout"
		}
		if err := f.store.EndDelivery(ctx, d.ID, d.Attempts, status, reason, f.now); err != nil {
			t.Fatal(err)
		}
		d.Status = status
		if status == storage.DeliveryFailed {
			w.failed = d
		} else {
			w.unknown = d
		}
	}
	_ = p

	var err error
	w.today, err = f.svc.Draft(ctx, workflows.DraftRequest{AuthorID: "UAUTHOR", Text: "Le webinaire commence à 14 h", OriginChannel: "C1",
		PublishAt: day(0, 12).Add(30 * time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Approve(ctx, w.today.ID, w.today.Version, "U2"); err != nil {
		t.Fatal(err)
	}
	w.pending, err = f.svc.Draft(ctx, workflows.DraftRequest{AuthorID: "UAUTHOR", Text: "Brouillon qui attend son approbation", OriginChannel: "C1"})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// digestMessage is the digest's chat.postMessage taken apart.
type digestMessage struct {
	call    apiCall
	blocks  []slack.Block
	header  string
	texts   []string // every section's and context's text, in order
	buttons []digestButton
}

type digestButton struct {
	blockID, actionID, value, text string
}

func readDigest(t *testing.T, c apiCall) digestMessage {
	t.Helper()
	m := digestMessage{call: c}
	var blocks slack.Blocks
	if err := json.Unmarshal([]byte(c.field("blocks")), &blocks); err != nil {
		t.Fatalf("blocks %q: %v", c.field("blocks"), err)
	}
	m.blocks = blocks.BlockSet
	for _, b := range blocks.BlockSet {
		switch b := b.(type) {
		case *slack.HeaderBlock:
			m.header = b.Text.Text
		case *slack.SectionBlock:
			m.texts = append(m.texts, b.Text.Text)
			if b.Accessory != nil && b.Accessory.ButtonElement != nil {
				e := b.Accessory.ButtonElement
				m.buttons = append(m.buttons, digestButton{b.BlockID, e.ActionID, e.Value, e.Text.Text})
			}
		case *slack.ContextBlock:
			for _, e := range b.ContextElements.Elements {
				if tb, ok := e.(*slack.TextBlockObject); ok {
					m.texts = append(m.texts, tb.Text)
				}
			}
		case *slack.ActionBlock:
			for _, e := range b.Elements.ElementSet {
				btn := e.(*slack.ButtonBlockElement)
				m.buttons = append(m.buttons, digestButton{b.BlockID, btn.ActionID, btn.Value, btn.Text.Text})
			}
		case *slack.DividerBlock:
		default:
			t.Errorf("unexpected block %T", b)
		}
	}
	return m
}

func (m digestMessage) text() string { return strings.Join(m.texts, "\n") }

// digestCalls returns the digest's message in channel and the calls that
// followed it.
func digestCalls(t *testing.T, calls []apiCall, channel string) (digestMessage, []apiCall) {
	t.Helper()
	for i, c := range calls {
		if c.Method == "chat.postMessage" && c.field("channel") == channel {
			return readDigest(t, c), calls[i+1:]
		}
	}
	t.Fatalf("no digest in %s: %s", channel, methods(calls))
	return digestMessage{}, nil
}

func wantIn(t *testing.T, text string, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(text, p) {
			t.Errorf("digest lacks %q; it says:\n%s", p, text)
		}
	}
}

func TestDigestFromTheCron(t *testing.T) {
	t.Parallel()
	f := setupDigest(t, digestOptions{})
	w := f.week(t)
	before := len(f.slack.snapshot())

	// The cron of main.go: the spec read in the team's zone, the job the
	// bot gives.
	sweeps := cron.New(cron.WithLocation(f.loc))
	id, err := sweeps.AddFunc(testDigestCron, f.bot.DigestJob(t.Context(), testDigestChannel))
	if err != nil {
		t.Fatal(err)
	}
	entry := sweeps.Entry(id)
	if next := entry.Schedule.Next(f.now.Add(-12 * time.Hour)); !next.Equal(f.now) {
		t.Fatalf("the digest fires at %v, want %v", next, f.now)
	}
	entry.Job.Run()

	calls := f.slack.snapshot()[before:]
	m, after := digestCalls(t, calls, testDigestChannel)
	if want := "Le digest de catweete — mar. 24 nov."; m.header != want {
		t.Errorf("header %q, want %q", m.header, want)
	}
	if len(m.blocks) > maxBlocks {
		t.Errorf("%d blocks, more than Slack takes", len(m.blocks))
	}
	if got := m.call.field("text"); !strings.HasPrefix(got, "Le digest de catweete — mar. 24 nov.\n*Hier* (lun. 23 nov.) : 2 post(s)") {
		t.Errorf("fallback text %q", got)
	}
	text := m.text()
	// Yesterday: 2 posts; X's impressions stand in for reach (3000, the
	// day before 2000: ▲ 50 %); engagements 28+90+14 = 132 against
	// 14+60 = 74 (▲ 78 %).
	wantIn(t, text,
		"*Hier* (lun. 23 nov.) : 2 post(s) · 3\u202f000 impressions (en guise de portée) (▲ 50\u202f%) · 132 engagements (▲ 78\u202f%)",
		"• *Mastodon* : 2 post(s) · portée non fournie par Mastodon · 42 engagements",
		"• *X* : 2 post(s) · 3\u202f000 impressions (en guise de portée) · 90 engagements · taux d'engagement 3\u202f%",
		fmt.Sprintf("🏆 Le plus vu : n°%d « Notre nouveau site est en ligne ! » — 3\u202f000 de portée", w.yesterday[0].ID),
		"_Certains réseaux ne donnent pas la portée : leurs impressions en tiennent lieu._",
	)
	// Each of yesterday's posts, its numbers per network and its links.
	p1, p2 := w.yesterday[0].ID, w.yesterday[1].ID
	wantIn(t, text,
		fmt.Sprintf("n°%d « Notre nouveau site est en ligne ! »\n• *Mastodon* : 28 engagements — <https://social.example/%d/1|voir>\n• *X* : 3\u202f000 impressions (en guise de portée) · 90 engagements · taux d'engagement 3\u202f%% — <https://social.example/%d/2|voir>", p1, p1, p1),
		fmt.Sprintf("n°%d « Le programme de la semaine &lt;à lire&gt; »\n• *Mastodon* : 14 engagements — <https://social.example/%d/1|voir>\n• *X* : pas encore de chiffres — <https://social.example/%d/2|voir>", p2, p2, p2),
	)
	// What waits, today's schedule and free slots, what needs a look.
	wantIn(t, text,
		"*En attente d'approbation* (1) :",
		fmt.Sprintf("n°%d « Brouillon qui attend son approbation » par <@UAUTHOR> — 0/1 approbation(s), depuis 1 min (<#%s>)", w.pending.ID, testApproval),
		fmt.Sprintf("*Aujourd'hui* (1, heure de Europe/Paris) :\n• 12:30 — n°%d « Le webinaire commence à 14 h » sur Mastodon et X", w.today.ID),
		"🕳️ Créneaux libres aujourd'hui : 09:30, 17:45",
		"⚠️ 2 publication(s) à reprendre :",
		"*X* — échec (HTTP 403: Forbidden)",
		"*Mastodon* — incertain : à vérifier (timeout)",
	)
	wantButtons := []digestButton{
		{fmt.Sprintf("digest_pending_%d", w.pending.ID), ActionApprove, fmt.Sprintf("%d:1", w.pending.ID), "Approuver"},
		{fmt.Sprintf("digest_delivery_%d", w.failed.ID), ActionRetryDelivery, fmt.Sprintf("d%d", w.failed.ID), "Réessayer"},
		{fmt.Sprintf("digest_delivery_%d", w.unknown.ID), ActionConfirmDelivery, fmt.Sprintf("d%d", w.unknown.ID), "Marquer comme publié"},
		{fmt.Sprintf("digest_delivery_%d", w.unknown.ID), ActionRetryDelivery, fmt.Sprintf("d%d", w.unknown.ID), "Réessayer"},
	}
	slices.SortFunc(m.buttons, func(a, b digestButton) int { return strings.Compare(a.blockID+a.actionID, b.blockID+b.actionID) })
	slices.SortFunc(wantButtons, func(a, b digestButton) int { return strings.Compare(a.blockID+a.actionID, b.blockID+b.actionID) })
	if !slices.Equal(m.buttons, wantButtons) {
		t.Errorf("buttons\n%v\nwant\n%v", m.buttons, wantButtons)
	}

	// Then the chart, in the digest's thread, in slack-go's three steps.
	var got []string
	for _, c := range after {
		got = append(got, c.Method)
	}
	want := []string{"files.getUploadURLExternal", "upload/v1/" + testFileID, "files.completeUploadExternal"}
	if !slices.Equal(got, want) {
		t.Fatalf("after the digest: %v, want %v", got, want)
	}
	ups := f.uploaded()
	if len(ups) != 1 {
		t.Fatalf("%d uploads", len(ups))
	}
	up := ups[0]
	cfg, format, err := image.DecodeConfig(bytes.NewReader(up.data))
	if err != nil || format != "png" || cfg.Width != 1000 || cfg.Height != 500 {
		t.Errorf("uploaded %d bytes: %s %dx%d (%v), want a 1000×500 PNG", len(up.data), format, cfg.Width, cfg.Height, err)
	}
	if !strings.HasPrefix(up.contentType, "multipart/form-data") || up.auth != "Bearer "+testBotToken {
		t.Errorf("upload sent as %q with %q", up.contentType, up.auth)
	}
	getURL, complete := after[0], after[2]
	if getURL.field("filename") != "catweete-digest-2026-11-24.png" || getURL.field("length") != strconv.Itoa(len(up.data)) ||
		up.filename != "catweete-digest-2026-11-24.png" {
		t.Errorf("files.getUploadURLExternal got %v; file named %q", getURL.Form, up.filename)
	}
	if alt := getURL.field("alt_txt"); !strings.HasPrefix(alt, "Graphique en barres : portée et engagements par jour et par réseau, du mar. 17 nov. au lun. 23 nov.") {
		t.Errorf("alt text %q", alt)
	}
	if complete.field("channel_id") != testDigestChannel || complete.field("thread_ts") != testDigestTS {
		t.Errorf("files.completeUploadExternal got channel %q thread_ts %q, want the digest's %s %s",
			complete.field("channel_id"), complete.field("thread_ts"), testDigestChannel, testDigestTS)
	}
	var files []map[string]string
	if err := json.Unmarshal([]byte(complete.field("files")), &files); err != nil || len(files) != 1 ||
		files[0]["id"] != testFileID || files[0]["title"] != "Portée et engagements, du mar. 17 nov. au lun. 23 nov." {
		t.Errorf("files.completeUploadExternal files %q (%v)", complete.field("files"), err)
	}
}

func TestDigestInEnglish(t *testing.T) {
	t.Parallel()
	f := setupDigest(t, digestOptions{lang: commands.English})
	f.published(t, "Our new website is live!", time.Date(2026, 11, 23, 9, 0, 0, 0, f.loc), mastodonFigures(1), xFigures(12))
	if err := f.bot.PostDigest(t.Context(), testDigestChannel); err != nil {
		t.Fatal(err)
	}
	m, after := digestCalls(t, f.slack.snapshot(), testDigestChannel)
	if want := "catweete digest — Tue 24 Nov"; m.header != want {
		t.Errorf("header %q, want %q", m.header, want)
	}
	wantIn(t, m.text(),
		"*Yesterday* (Mon 23 Nov): 1 post(s) · 12k impressions (standing in for reach) · 374 engagements",
		"• *X*: 12k impressions (standing in for reach) · 360 engagements · engagement rate 3% — <https://social.example/1/2|see>",
		"✅ Nothing waits for approval.",
		"*Today*: nothing scheduled.",
		"🕳️ Free slots today: 09:30, 12:30, 17:45",
	)
	if strings.Contains(m.text(), "need a look") {
		t.Errorf("nothing failed, yet the digest says so:\n%s", m.text())
	}
	if len(after) != 3 || after[2].field("thread_ts") != testDigestTS {
		t.Fatalf("after the digest: %s", methods(after))
	}
	var files []map[string]string
	json.Unmarshal([]byte(after[2].field("files")), &files) //nolint:errcheck // checked below
	if len(files) != 1 || files[0]["title"] != "Reach and engagements, Tue 17 Nov to Mon 23 Nov" {
		t.Errorf("files %q", after[2].field("files"))
	}
}

func TestDigestWithNothingPublished(t *testing.T) {
	t.Parallel()
	t.Run("NothingThisWeekSaysSoAndSendsNoChart", func(t *testing.T) {
		t.Parallel()
		f := setupDigest(t, digestOptions{})
		pending, err := f.svc.Draft(t.Context(), workflows.DraftRequest{AuthorID: "UAUTHOR", Text: "En attente", OriginChannel: "C1"})
		if err != nil {
			t.Fatal(err)
		}
		if err := f.bot.PostDigest(t.Context(), testDigestChannel); err != nil {
			t.Fatal(err)
		}
		m, after := digestCalls(t, f.slack.snapshot(), testDigestChannel)
		wantIn(t, m.text(), "*Hier* (lun. 23 nov.) : rien n'a été publié.", "*En attente d'approbation* (1) :", "*Aujourd'hui* : rien de programmé.")
		if len(m.buttons) != 1 || m.buttons[0].value != fmt.Sprintf("%d:1", pending.ID) {
			t.Errorf("buttons %v", m.buttons)
		}
		if len(after) != 0 || len(f.uploaded()) != 0 {
			t.Errorf("a chart of an empty week: %s", methods(after))
		}
	})
	t.Run("NothingYesterdayStillChartsTheWeek", func(t *testing.T) {
		t.Parallel()
		f := setupDigest(t, digestOptions{})
		f.published(t, "Avant-hier", time.Date(2026, 11, 22, 10, 0, 0, 0, f.loc), mastodonFigures(1), xFigures(1))
		if err := f.bot.PostDigest(t.Context(), testDigestChannel); err != nil {
			t.Fatal(err)
		}
		m, after := digestCalls(t, f.slack.snapshot(), testDigestChannel)
		wantIn(t, m.text(), "*Hier* (lun. 23 nov.) : rien n'a été publié. (1 post(s) la veille.)")
		if len(after) != 3 || len(f.uploaded()) != 1 {
			t.Errorf("after the digest: %s", methods(after))
		}
	})
}

func TestDigestGoesOutWhenTheChartDoesNot(t *testing.T) {
	t.Parallel()
	f := setupDigest(t, digestOptions{failUpload: true})
	f.published(t, "Hier", time.Date(2026, 11, 23, 10, 0, 0, 0, f.loc), mastodonFigures(1), xFigures(1))
	if err := f.bot.PostDigest(t.Context(), testDigestChannel); err != nil {
		t.Fatalf("PostDigest: %v, want the digest out without its chart", err)
	}
	m, after := digestCalls(t, f.slack.snapshot(), testDigestChannel)
	wantIn(t, m.text(), "*Hier* (lun. 23 nov.) : 1 post(s)")
	if got := methods(after); got != "[files.getUploadURLExternal]" {
		t.Errorf("after the digest: %s", got)
	}
}

func TestDigestCommand(t *testing.T) {
	t.Parallel()
	t.Run("PostsInTheAskingChannel", func(t *testing.T) {
		t.Parallel()
		for _, word := range []string{"digest", "résumé"} {
			f := setupDigest(t, digestOptions{})
			f.published(t, "Hier", time.Date(2026, 11, 23, 10, 0, 0, 0, f.loc), mastodonFigures(1), xFigures(1))
			resp, body := f.command(t, "U1", word, f.slack.responseURL(1))
			if resp.StatusCode != http.StatusOK || len(body) != 0 {
				t.Fatalf("%s: ack %d %q, want an empty 200", word, resp.StatusCode, body)
			}
			calls := f.slack.wait(t, "the chart", func(calls []apiCall) bool {
				return len(only(calls, "files.completeUploadExternal")) == 1
			})
			f.shutdown(t)
			m, after := digestCalls(t, calls, "C1")
			if m.header != "Le digest de catweete — mar. 24 nov." {
				t.Errorf("%s: header %q", word, m.header)
			}
			if c := after[len(after)-1]; c.field("channel_id") != "C1" || c.field("thread_ts") == "" {
				t.Errorf("%s: chart shared in %q thread %q", word, c.field("channel_id"), c.field("thread_ts"))
			}
			if n := len(only(f.slack.snapshot(), "response_url")); n != 0 {
				t.Errorf("%s: %d private answers for a digest that went out", word, n)
			}
		}
	})
	t.Run("FailureIsToldPrivately", func(t *testing.T) {
		t.Parallel()
		f := setupDigest(t, digestOptions{})
		f.slack.on("chat.postMessage", func(w http.ResponseWriter, _ *http.Request, c apiCall) bool {
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`{"ok":false,"error":"not_in_channel"}`))
			return true
		})
		f.command(t, "U1", "digest", f.slack.responseURL(1))
		answers := f.slack.waitMethod(t, "response_url", 1)
		f.shutdown(t)
		var msg map[string]any
		if err := json.Unmarshal(answers[0].Body, &msg); err != nil {
			t.Fatal(err)
		}
		want := commands.NewCatalog().T(commands.French, commands.MsgDigestFailed)
		if msg["text"] != want || msg["response_type"] != "ephemeral" {
			t.Errorf("answer %s, want %q privately", answers[0].Body, want)
		}
	})
}

func TestDigestRetryButtonKeepsTheDigest(t *testing.T) {
	t.Parallel()
	f := setupDigest(t, digestOptions{})
	w := f.week(t)
	click := blockAction("U2", ActionRetryDelivery, fmt.Sprintf("d%d", w.failed.ID))
	click["response_url"] = f.slack.responseURL(7)
	click["actions"].([]any)[0].(map[string]any)["block_id"] = fmt.Sprintf("digest_delivery_%d", w.failed.ID)
	f.interaction(t, click)
	told := f.slack.waitMethod(t, "chat.postEphemeral", 1)
	f.shutdown(t)
	if got := told[0].field("text"); told[0].field("user") != "U2" || got != "✔️ <@U2> : nouvel essai lancé." {
		t.Errorf("ephemeral to %s: %q", told[0].field("user"), got)
	}
	if n := len(only(f.slack.snapshot(), "response_url")); n != 0 {
		t.Errorf("the digest was replaced (%d response_url calls)", n)
	}
	if d, _ := f.store.Delivery(t.Context(), w.failed.ID); d.Status != storage.DeliveryScheduled {
		t.Errorf("delivery %s, want scheduled again", d.Status)
	}
}

// A busy week keeps within Slack's 50 blocks, and says what it left out.
func TestDigestBlocksStayWithinSlacksLimit(t *testing.T) {
	t.Parallel()
	f := setupDigest(t, digestOptions{})
	d := workflows.Digest{Now: f.now, Location: f.loc}
	yesterday := time.Date(2026, 11, 23, 0, 0, 0, 0, f.loc)
	d.Yesterday = workflows.Summary{From: yesterday, To: yesterday.AddDate(0, 0, 1),
		Total: workflows.Figures{Posts: 30, Deliveries: 30, Engagements: known(300)}}
	for i := range 30 {
		id := int64(i + 1)
		d.Posts = append(d.Posts, workflows.Measured{DeliveryID: id, PostID: id, Network: social.NetworkMastodon,
			PostText: fmt.Sprintf("Post %d", id), RemoteURL: fmt.Sprintf("https://social.example/%d", id),
			PublishedAt: yesterday.Add(time.Duration(i) * time.Minute), MeasuredAt: f.now, Figures: mastodonFigures(1)})
		d.Pending = append(d.Pending, workflows.PendingPost{Post: workflows.Post{ID: 100 + id, Version: 2, Text: "Attend", AuthorID: "UA"},
			Since: f.now.Add(-time.Hour), Required: 1})
		d.Today = append(d.Today, workflows.UpcomingPost{PostID: 200 + id, Text: "Aujourd'hui", At: f.now.Add(time.Duration(i) * time.Minute), Networks: []string{"X"}})
		d.Attention = append(d.Attention, storage.DeliveryView{Delivery: storage.Delivery{ID: 300 + id, PostID: 300 + id, Status: storage.DeliveryFailed},
			PostText: "Échec", Network: social.NetworkX})
	}
	page := f.router.DigestPage(commands.French, d)
	blocks := f.bot.digestBlocks(commands.French, page)
	raw, err := json.Marshal(blocks)
	if err != nil {
		t.Fatal(err)
	}
	m := readDigest(t, apiCall{Form: map[string][]string{"blocks": {string(raw)}}})
	if len(m.blocks) > maxBlocks {
		t.Fatalf("%d blocks", len(m.blocks))
	}
	wantIn(t, m.text(), "…et 25 autre(s)", "…et 15 autre(s)")
	if n := strings.Count(m.text(), "…et 25 autre(s)"); n != 3 {
		t.Errorf("%d lists cut at 5, want 3 (posts, pending, attention):\n%s", n, m.text())
	}
	approvals := 0
	for _, b := range m.buttons {
		if b.actionID == ActionApprove {
			approvals++
			if !strings.HasSuffix(b.value, ":2") {
				t.Errorf("approve value %q, want <id>:2", b.value)
			}
		}
	}
	if approvals != 5 {
		t.Errorf("%d approve buttons, want 5", approvals)
	}
	seen := make(map[string]bool)
	for _, b := range m.blocks {
		id := b.ID()
		if id != "" && seen[id] {
			t.Errorf("block id %q twice", id)
		}
		seen[id] = true
	}
}

func TestDigestApproveButton(t *testing.T) {
	t.Parallel()
	f := setupDigest(t, digestOptions{})
	p := f.draft(t, "À approuver depuis le digest")
	click := blockAction("U2", ActionApprove, fmt.Sprintf("%d:%d", p.ID, p.Version))
	click["channel"] = map[string]any{"id": testDigestChannel, "name": "social"}
	click["actions"].([]any)[0].(map[string]any)["block_id"] = fmt.Sprintf("digest_pending_%d", p.ID)
	f.interaction(t, click)
	told := f.slack.waitMethod(t, "chat.postEphemeral", 1)
	f.shutdown(t)
	if told[0].field("channel") != testDigestChannel || told[0].field("text") != fmt.Sprintf("Post n°%d approuvé.", p.ID) {
		t.Errorf("told %v", told[0].Form)
	}
	if got, err := f.store.Post(t.Context(), p.ID); err != nil || got.Status != workflows.StatusApproved {
		t.Errorf("post %s (%v), want approved", got.Status, err)
	}
}
