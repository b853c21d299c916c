package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"catweete/commands"
	"catweete/social"
	"catweete/storage"
	"catweete/storage/storagetest"
	"catweete/workflows"
)

// The words a person reads when the database cannot take a write.
const (
	busyFR = "catweete est occupé à l'instant : rien n'a été enregistré, réessayez dans quelques secondes."
	busyEN = "catweete is busy right now: nothing was saved, try again in a few seconds."
	fullFR = "catweete ne peut rien enregistrer : son disque est plein. Rien n'a été modifié ; réessayez plus tard (ses administrateurs en sont avertis)."
	fullEN = "catweete cannot save anything: its disk is full. Nothing was changed; try again later (its administrators have been alerted)."
)

// pagesOf is the size of a new catweete database at path, in pages, once
// migrated and closed.
func pagesOf(t *testing.T, path string) int {
	t.Helper()
	store, err := storage.Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	if err := store.Close(); err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return int(info.Size() / 4096)
}

// setupDatabase is setup with the database opened with opts (a cap counted
// above what the schema takes), and the log of the bot, its router and its
// database kept.
func setupDatabase(t *testing.T, opts storage.Options) (*fixture, *botLog, string) {
	t.Helper()
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "catweete.db")
	if opts.MaxPageCount > 0 {
		opts.MaxPageCount += pagesOf(t, path)
	}
	log := &botLog{changed: make(chan struct{})}
	logger := slog.New(log)
	opts.Logger = logger
	fs := newFakeSlack(t)
	api := slack.New(testBotToken, slack.OptionAPIURL(fs.srv.URL+"/"), slack.OptionAppLevelToken(testAppToken))
	store, err := storage.OpenWith(ctx, path, opts)
	if err != nil {
		t.Fatalf("storage.OpenWith: %v", err)
	}
	t.Cleanup(func() { store.Close() })
	notifier, err := NewNotifier(NotifierConfig{API: api, Catalog: commands.NewCatalog(), Lang: commands.French, ApprovalChannel: testApproval})
	if err != nil {
		t.Fatalf("NewNotifier: %v", err)
	}
	svc, err := workflows.New(ctx, workflows.Config{
		Store: store, Notifier: notifier, Directory: notifier, Location: time.UTC, Logger: logger,
		Accounts: []workflows.AccountConfig{
			{Handle: "https://mastodon.example/@cat", DisplayName: "Mastodon", Publisher: fakePublisher{network: social.NetworkMastodon, limit: 500}},
			{Handle: "cat.bsky.example", DisplayName: "Bluesky", Publisher: fakePublisher{network: social.NetworkBluesky, limit: 300}},
		},
	})
	if err != nil {
		t.Fatalf("workflows.New: %v", err)
	}
	router, err := commands.New(commands.Config{Service: svc, Lang: commands.French, ApprovalChannel: testApproval, Logger: logger})
	if err != nil {
		t.Fatalf("commands.New: %v", err)
	}
	b, err := New(ctx, Config{
		API: api, Router: router, Notifier: notifier, Events: store, SigningSecret: testSecret,
		HTTPClient: fs.srv.Client(), JobTimeout: waitLimit, Logger: logger,
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
	return &fixture{slack: fs, api: api, store: store, svc: svc, router: router, notifier: notifier, bot: b, srv: srv}, log, path
}

// postState is what a decision writes about a post, all together.
type postState struct {
	post      workflows.Post
	audit     int
	approvals []storage.Approval
	posts     int
}

func (f *fixture) postState(t *testing.T, id int64) postState {
	t.Helper()
	ctx := context.Background()
	p, err := f.svc.Post(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	audit, err := f.store.AuditLog(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	approvals, err := f.store.Approvals(ctx, id, p.Version)
	if err != nil {
		t.Fatal(err)
	}
	posts := 0
	for n := id; ; n++ {
		if _, err := f.store.Post(ctx, n); err != nil {
			break
		}
		posts++
	}
	return postState{post: p, audit: len(audit), approvals: approvals, posts: posts}
}

// sameState fails the test unless nothing was written about the post, nor
// any post after it.
func sameState(t *testing.T, before, after postState) {
	t.Helper()
	if after.post.Status != before.post.Status || after.post.Version != before.post.Version || !after.post.UpdatedAt.Equal(before.post.UpdatedAt) {
		t.Errorf("post went from %s v%d (%s) to %s v%d (%s): half-written", before.post.Status, before.post.Version, before.post.UpdatedAt,
			after.post.Status, after.post.Version, after.post.UpdatedAt)
	}
	if after.audit != before.audit {
		t.Errorf("%d audit entries, were %d: half-written", after.audit, before.audit)
	}
	if len(after.approvals) != len(before.approvals) {
		t.Errorf("approvals %v, were %v: half-written", after.approvals, before.approvals)
	}
	if after.posts != before.posts {
		t.Errorf("%d posts from this one on, were %d: a draft went through", after.posts, before.posts)
	}
}

// toldPrivately waits for the bot to tell user text, through a response_url
// or as an ephemeral message.
func (f *fixture) toldPrivately(t *testing.T, user, text string) {
	t.Helper()
	f.slack.wait(t, fmt.Sprintf("%q told to %s", text, user), func(calls []apiCall) bool {
		for _, c := range calls {
			if c.Method == "response_url" && c.field("text") == text ||
				c.Method == "chat.postEphemeral" && c.field("user") == user && c.field("text") == text {
				return true
			}
		}
		return false
	})
}

// event sends an Events API callback; a retry says so in Slack's headers.
func (f *fixture) event(t *testing.T, payload map[string]any, retry int) *http.Response {
	t.Helper()
	body, err := json.Marshal(payload)
	if err != nil {
		t.Fatal(err)
	}
	resp, _ := f.post(t, "/slack/events", "application/json", body, func(h http.Header) {
		if retry > 0 {
			h.Set("X-Slack-Retry-Num", fmt.Sprint(retry))
			h.Set("X-Slack-Retry-Reason", "http_error")
		}
	})
	return resp
}

func TestDatabaseBusy(t *testing.T) {
	t.Parallel()
	f, log, path := setupDatabase(t, storage.Options{BusyTimeout: 50 * time.Millisecond, EventBusyTimeout: 50 * time.Millisecond})
	post := f.draft(t, "Ça tweete !")
	before := f.postState(t, post.ID)
	release := storagetest.LockWriter(t, path)

	// A draft, in each language, and a click on Approve.
	for _, c := range []struct{ text, want string }{{"brouillon Nouveau post", busyFR}, {"draft New post", busyEN}} {
		if resp, _ := f.command(t, "U1", c.text, f.slack.responseURL(1)); resp.StatusCode != http.StatusOK {
			t.Fatalf("%q: HTTP %d, want the ack", c.text, resp.StatusCode)
		}
		f.toldPrivately(t, "U1", c.want)
	}
	if resp, _ := f.interaction(t, blockAction("UAPPROVER", ActionApprove, fmt.Sprintf("%d:1", post.ID))); resp.StatusCode != http.StatusOK {
		t.Fatalf("approve: HTTP %d, want the ack", resp.StatusCode)
	}
	f.toldPrivately(t, "UAPPROVER", busyFR)
	// The draft form: it stays open, and says why.
	view := f.bot.draftModal(modalMeta{UserID: "U1", Channel: "C1"}, "")
	_, ack := f.interaction(t, viewSubmission(t, "U1", view, map[string]map[string]any{blockText: {inputText: plainValue("Nouveau post")}}))
	var modal struct {
		Action string            `json:"response_action"`
		Errors map[string]string `json:"errors"`
	}
	if err := json.Unmarshal(ack, &modal); err != nil || modal.Action != "errors" || modal.Errors[blockText] != busyFR {
		t.Errorf("draft form sent while busy: ack %s, want the form kept open saying %q", ack, busyFR)
	}

	// A mention: its id cannot be recorded, so it is not taken, and
	// Slack is asked to deliver it again.
	const mentionTS = "1700000100.000100"
	mention := mentionEvent("Ev1", "U1", "alors ça tweete ?", mentionTS)
	resp := f.event(t, mention, 0)
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
		t.Errorf("mention while busy: HTTP %d Retry-After %q, want 503 with Retry-After", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	if n := log.count(slog.LevelWarn, "database busy"); n != 4 {
		t.Errorf("%d Warn lines \"database busy\", want one per refused draft, click and form", n)
	}

	release()
	sameState(t, before, f.postState(t, post.ID))
	// Slack's retries, once the lock is gone: answered once.
	for retry := 1; retry <= 2; retry++ {
		if resp := f.event(t, mention, retry); resp.StatusCode != http.StatusOK {
			t.Errorf("retry %d: HTTP %d, want 200", retry, resp.StatusCode)
		}
	}
	f.slack.wait(t, "the mention answered", func(calls []apiCall) bool { return threadAnswers(calls, mentionTS) > 0 })
	// Every job taken has ended: a second answer would be there now.
	f.bot.Shutdown(t.Context()) //nolint:errcheck // the count below says what matters
	if n := threadAnswers(f.slack.snapshot(), mentionTS); n != 1 {
		t.Errorf("the mention was answered %d times, want once", n)
	}
	if n := log.count(slog.LevelError, "panicked"); n != 0 {
		t.Errorf("%d panics", n)
	}
}

// fillDatabase fills a capped database the way a disk fills: with rows like
// those the next requests write, so that no page has room left for them.
// approvals go to post holder, drafts are by author; event ids sort before
// those Slack gives.
func fillDatabase(t *testing.T, s *storage.Store, holder int64, author string) {
	t.Helper()
	ctx := t.Context()
	at := time.Now()
	n := 0
	fill := func(write func(pad string) error) {
		for _, size := range []int{1000, 100, 10, 0} {
			for {
				n++
				err := write(strings.Repeat("x", size))
				if errors.Is(err, storage.ErrFull) {
					break
				}
				if err != nil {
					t.Fatalf("filling the database: %v", err)
				}
			}
		}
	}
	fill(func(pad string) error {
		_, err := s.InsertPost(ctx, storage.Post{Text: "x" + pad, AuthorID: author, Status: workflows.StatusPending, CreatedAt: at})
		return err
	})
	fill(func(pad string) error {
		_, err := s.InsertApproval(ctx, storage.Approval{PostID: holder, Version: 1, UserID: fmt.Sprintf("UAPPROVER%08d%s", n, pad), ApprovedAt: at})
		return err
	})
	fill(func(pad string) error {
		_, err := s.MarkEventSeen(ctx, fmt.Sprintf("Ev0%08d%s", n, pad), at)
		return err
	})
}

func TestDatabaseFull(t *testing.T) {
	t.Parallel()
	f, log, _ := setupDatabase(t, storage.Options{MaxPageCount: 60})
	// The filler approvals' post comes first, so that the approval below
	// sorts after theirs.
	holder, err := f.store.InsertPost(t.Context(), storage.Post{Text: "x", AuthorID: "UFILLER", Status: workflows.StatusCanceled, CreatedAt: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	post := f.draft(t, "Ça tweete !")
	const author, approver = "UTEAM", "UAPPROVERZZZZZZZZ"
	fillDatabase(t, f.store, holder, author)
	before := f.postState(t, post.ID)

	for _, c := range []struct{ text, want string }{{"brouillon Nouveau post", fullFR}, {"draft New post", fullEN}} {
		if resp, _ := f.command(t, author, c.text, f.slack.responseURL(1)); resp.StatusCode != http.StatusOK {
			t.Fatalf("%q: HTTP %d, want the ack", c.text, resp.StatusCode)
		}
		f.toldPrivately(t, author, c.want)
	}
	if resp, _ := f.interaction(t, blockAction(approver, ActionApprove, fmt.Sprintf("%d:1", post.ID))); resp.StatusCode != http.StatusOK {
		t.Fatalf("approve: HTTP %d, want the ack", resp.StatusCode)
	}
	f.toldPrivately(t, approver, fullFR)
	resp := f.event(t, mentionEvent("Ev9ZZZZZZZZZ", author, "alors ça tweete ?", "1700000100.000100"), 0)
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("mention while full: HTTP %d, want 503: Slack delivers it again", resp.StatusCode)
	}

	sameState(t, before, f.postState(t, post.ID))
	if n := log.count(slog.LevelWarn, "database full"); n != 3 {
		t.Errorf("%d Warn lines \"database full\", want one per refused draft and click", n)
	}
	// The operator is told once, not per request.
	if n := log.count(slog.LevelError, "database full"); n != 1 {
		t.Errorf("%d Error lines \"database full\", want 1", n)
	}
}
