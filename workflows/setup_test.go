package workflows

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"catweete/social"
	"catweete/storage"
)

// fakeNotifier records what would be shown in Slack.
type fakeNotifier struct {
	mu        sync.Mutex
	cards     []Card
	events    []Event
	nextTS    int
	failCards bool
	alerts    []Event
}

func (n *fakeNotifier) ShowCard(_ context.Context, c Card) (CardRef, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.failCards {
		return CardRef{}, fmt.Errorf("slack down")
	}
	n.cards = append(n.cards, c)
	if c.Post.CardTS != "" {
		return CardRef{Channel: c.Post.CardChannel, TS: c.Post.CardTS}, nil
	}
	n.nextTS++
	return CardRef{Channel: "CAPPROVALS", TS: fmt.Sprintf("100.%03d", n.nextTS)}, nil
}

func (n *fakeNotifier) Announce(_ context.Context, _ Card, ev Event) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.events = append(n.events, ev)
	return nil
}

func (n *fakeNotifier) kinds() []EventKind {
	n.mu.Lock()
	defer n.mu.Unlock()
	var ks []EventKind
	for _, e := range n.events {
		ks = append(ks, e.Kind)
	}
	return ks
}

func (n *fakeNotifier) lastCard() Card {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.cards[len(n.cards)-1]
}

// fakePublisher answers as a network would, from a script of errors.
type fakePublisher struct {
	network    string
	idempotent bool
	limit      int

	mu      sync.Mutex
	calls   []social.Post
	errs    []error // returned in order; nil once used up
	block   chan struct{}
	started chan struct{}
}

func (p *fakePublisher) Network() string  { return p.network }
func (p *fakePublisher) Idempotent() bool { return p.idempotent }
func (p *fakePublisher) Length(text string) (int, int) {
	return utf8.RuneCountInString(text), p.limit
}

func (p *fakePublisher) Publish(ctx context.Context, post social.Post) (social.Published, error) {
	p.mu.Lock()
	p.calls = append(p.calls, post)
	n := len(p.calls)
	var err error
	if len(p.errs) > 0 {
		err, p.errs = p.errs[0], p.errs[1:]
	}
	block, started := p.block, p.started
	p.mu.Unlock()
	if started != nil {
		started <- struct{}{}
	}
	if block != nil {
		select {
		case <-block:
		case <-ctx.Done():
			return social.Published{}, &social.Error{Network: p.network, Class: social.Transient, Message: ctx.Err().Error()}
		}
	}
	if err != nil {
		return social.Published{}, err
	}
	return social.Published{ID: fmt.Sprint(n), URL: fmt.Sprintf("https://%s.example/@brand/%d", p.network, n)}, nil
}

func (p *fakePublisher) callCount() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.calls)
}

// clock is a settable clock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

type fixture struct {
	svc      *Service
	store    *storage.Store
	notifier *fakeNotifier
	pub      *fakePublisher
	clock    *clock
	dir      fakeDirectory
}

type fakeDirectory map[string][]string

func (d fakeDirectory) GroupMembers(_ context.Context, group string) ([]string, error) {
	members, ok := d[group]
	if !ok {
		return nil, fmt.Errorf("no_such_subteam")
	}
	return members, nil
}

type options struct {
	approvers  []string
	required   int
	idempotent bool
	path       string
	// slots is the posting schedule (CATWEETE_SLOTS); empty for none.
	slots string
	// start is the clock's first reading; if zero, Wednesday 25 November
	// 2026, 10:00 UTC (11:00 in Paris).
	start time.Time
	// disableUTM is CATWEETE_UTM=off.
	disableUTM bool
	// more are accounts configured after the Mastodon one.
	more []AccountConfig
	// store opens the database; the zero value is catweete's own.
	store storage.Options
	// logger is the Service's; if nil, discarded.
	logger *slog.Logger
}

func setup(t *testing.T, opts options) *fixture {
	t.Helper()
	path := opts.path
	if path == "" {
		path = filepath.Join(t.TempDir(), "catweete.db")
	}
	store, err := storage.OpenWith(t.Context(), path, opts.store)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	start := opts.start
	if start.IsZero() {
		start = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	}
	slots, err := ParseSlots(opts.slots)
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{
		store:    store,
		notifier: &fakeNotifier{},
		pub:      &fakePublisher{network: social.NetworkMastodon, idempotent: opts.idempotent, limit: 500},
		clock:    &clock{now: start},
		dir:      fakeDirectory{"SAPPROVERS": {"UGROUPIE"}},
	}
	accounts := append([]AccountConfig{{Handle: "https://masto.example", Publisher: f.pub}}, opts.more...)
	f.svc, err = New(t.Context(), Config{
		Store: store, Accounts: accounts,
		Notifier: f.notifier, Directory: f.dir, Approvers: opts.approvers, ApprovalsRequired: opts.required,
		Now: f.clock.Now, Slots: slots, DisableUTM: opts.disableUTM, Logger: opts.logger,
	})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fixture) draft(t *testing.T, author, text string) Post {
	t.Helper()
	p, err := f.svc.Draft(t.Context(), DraftRequest{AuthorID: author, Text: text, OriginChannel: "CORIGIN"})
	if err != nil {
		t.Fatalf("Draft: %v", err)
	}
	return p
}

func (n *fakeNotifier) Alert(_ context.Context, _ Card, ev Event) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.alerts = append(n.alerts, ev)
	return nil
}

// alertKinds lists the alerts posted so far, in order.
func (n *fakeNotifier) alertKinds() []EventKind {
	n.mu.Lock()
	defer n.mu.Unlock()
	var ks []EventKind
	for _, e := range n.alerts {
		ks = append(ks, e.Kind)
	}
	return ks
}

// eventsOf returns the thread events of kind announced so far.
func (n *fakeNotifier) eventsOf(kind EventKind) []Event {
	n.mu.Lock()
	defer n.mu.Unlock()
	var out []Event
	for _, e := range n.events {
		if e.Kind == kind {
			out = append(out, e)
		}
	}
	return out
}

// setFailCards makes ShowCard fail (Slack down) or work again.
func (n *fakeNotifier) setFailCards(fail bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.failCards = fail
}

// cardCount is how many cards were shown.
func (n *fakeNotifier) cardCount() int {
	n.mu.Lock()
	defer n.mu.Unlock()
	return len(n.cards)
}

// set moves the clock to t.
func (c *clock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// profiler is a network that can also show its account.
type profiler struct {
	*fakePublisher
	profile social.Profile
	err     error
}

func (p *profiler) Profile(context.Context) (social.Profile, error) { return p.profile, p.err }

// texts are what the publisher was asked to publish, in order.
func (p *fakePublisher) texts() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []string
	for _, c := range p.calls {
		out = append(out, c.Text)
	}
	return out
}

// fail makes the next calls fail with errs, in order.
func (p *fakePublisher) fail(errs ...error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.errs = append(p.errs, errs...)
}
