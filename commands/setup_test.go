package commands

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
	_ "time/tzdata" // Europe/Paris even where the system has no zoneinfo
	"unicode/utf8"

	"catweete/social"
	"catweete/storage"
	"catweete/workflows"
)

// fakeNotifier stands in for the bot: it records the cards and thread
// lines it is asked to show, and puts every card in one channel.
type fakeNotifier struct {
	mu        sync.Mutex
	cards     []workflows.Card
	announced []workflows.Event
	alerts    []workflows.Event
	// showErr, when set, is what ShowCard fails with: Slack is down.
	showErr error
}

const approvalChannel = "CAPPROVAL"

func (n *fakeNotifier) ShowCard(_ context.Context, card workflows.Card) (workflows.CardRef, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.showErr != nil {
		return workflows.CardRef{}, n.showErr
	}
	n.cards = append(n.cards, card)
	if card.Post.CardTS != "" {
		return workflows.CardRef{Channel: card.Post.CardChannel, TS: card.Post.CardTS}, nil
	}
	return workflows.CardRef{Channel: approvalChannel, TS: fmt.Sprintf("1700000000.%06d", card.Post.ID)}, nil
}

func (n *fakeNotifier) Announce(_ context.Context, _ workflows.Card, ev workflows.Event) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.announced = append(n.announced, ev)
	return nil
}

func (n *fakeNotifier) Alert(_ context.Context, _ workflows.Card, ev workflows.Event) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.alerts = append(n.alerts, ev)
	return nil
}

func (n *fakeNotifier) shown() []workflows.Card {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]workflows.Card(nil), n.cards...)
}

// fakeMastodon is a Mastodon account that publishes at once: lengths in
// runes against 500, idempotent like the real one.
type fakeMastodon struct {
	mu        sync.Mutex
	published []social.Post
}

func (m *fakeMastodon) Network() string { return social.NetworkMastodon }

func (m *fakeMastodon) Publish(_ context.Context, p social.Post) (social.Published, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.published = append(m.published, p)
	id := fmt.Sprint(len(m.published))
	return social.Published{ID: id, URL: "https://mastodon.example/@brand/" + id}, nil
}

func (m *fakeMastodon) Length(text string) (count, limit int) {
	return utf8.RuneCountInString(text), 500
}

func (m *fakeMastodon) Idempotent() bool { return true }

// fixture is a Router on a real Service on a real SQLite file.
type fixture struct {
	router   *Router
	svc      *workflows.Service
	store    *storage.Store
	notifier *fakeNotifier
	mastodon *fakeMastodon
	logs     *syncBuffer
}

type options struct {
	lang     Lang
	required int
	now      func() time.Time
	// slots is the posting schedule (CATWEETE_SLOTS); empty for none.
	slots string
	// zones gives people's own zones; nil for the team's.
	zones Zones
	// more are accounts configured after the Mastodon one.
	more []workflows.AccountConfig
	// approvers are CATWEETE_APPROVERS; empty for anyone.
	approvers []string
}

func setup(t *testing.T, opts options) *fixture {
	t.Helper()
	ctx := context.Background()
	store, err := storage.Open(ctx, filepath.Join(t.TempDir(), "catweete.db"))
	if err != nil {
		t.Fatalf("storage.Open: %v", err)
	}
	t.Cleanup(func() { store.Close() })
	f := &fixture{store: store, notifier: &fakeNotifier{}, mastodon: &fakeMastodon{}, logs: &syncBuffer{}}
	slots, err := workflows.ParseSlots(opts.slots)
	if err != nil {
		t.Fatal(err)
	}
	f.svc, err = workflows.New(ctx, workflows.Config{
		Store:             store,
		Accounts:          append([]workflows.AccountConfig{{Handle: "https://mastodon.example/@brand", Publisher: f.mastodon}}, opts.more...),
		Notifier:          f.notifier,
		Approvers:         opts.approvers,
		ApprovalsRequired: opts.required,
		Location:          paris(t),
		Now:               opts.now,
		Slots:             slots,
	})
	if err != nil {
		t.Fatalf("workflows.New: %v", err)
	}
	f.router = newRouter(t, Config{
		Service: f.svc,
		Lang:    opts.lang,
		Zones:   opts.zones,
		Logger:  slog.New(slog.NewTextHandler(f.logs, nil)),
	})
	return f
}

// handle runs text as userID's slash command in channel CDRAFTS.
func (f *fixture) handle(t *testing.T, userID, text string) Reply {
	t.Helper()
	return f.router.Handle(context.Background(), Request{
		Text: text, UserID: userID, ChannelID: "CDRAFTS", Source: SourceSlashCommand,
	})
}

// newRouter returns New's router.
func newRouter(t *testing.T, cfg Config) *Router {
	t.Helper()
	r, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return r
}

// parseRouter is a Router for tests that only parse: Parse never calls
// the Service.
func parseRouter(t *testing.T) *Router {
	t.Helper()
	return newRouter(t, Config{Service: &workflows.Service{}})
}

func paris(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// syncBuffer is a log sink safe for the dispatcher's goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// wantContains fails for each part missing from got.
func wantContains(t *testing.T, got string, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(got, p) {
			t.Errorf("reply lacks %q; got:\n%s", p, got)
		}
	}
}

func slogTo(w *syncBuffer) *slog.Logger { return slog.New(slog.NewTextHandler(w, nil)) }
