package workflows

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"catweete/social"
	"catweete/storage"
	"catweete/storage/storagetest"
)

// serviceLog keeps a Service's log records.
type serviceLog struct {
	mu      sync.Mutex
	records []slog.Record
	changed chan struct{}
}

func newServiceLog() *serviceLog { return &serviceLog{changed: make(chan struct{})} }

func (l *serviceLog) Enabled(context.Context, slog.Level) bool { return true }
func (l *serviceLog) WithAttrs([]slog.Attr) slog.Handler       { return l }
func (l *serviceLog) WithGroup(string) slog.Handler            { return l }
func (l *serviceLog) Handle(_ context.Context, r slog.Record) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.records = append(l.records, r.Clone())
	close(l.changed)
	l.changed = make(chan struct{})
	return nil
}

// waitFor returns once a record says what.
func (l *serviceLog) waitFor(t *testing.T, what string) {
	t.Helper()
	deadline := time.NewTimer(10 * time.Second)
	defer deadline.Stop()
	for {
		l.mu.Lock()
		changed := l.changed
		for _, r := range l.records {
			if strings.Contains(r.Message, what) {
				l.mu.Unlock()
				return
			}
		}
		l.mu.Unlock()
		select {
		case <-changed:
		case <-deadline.C:
			t.Fatalf("timed out waiting for the log to say %q", what)
		}
	}
}

// heldPublisher is a network whose answer waits for the test: the test
// changes the database while the call is in flight.
type heldPublisher struct {
	network    string
	idempotent bool
	url        string
	started    chan social.Post
	answer     chan struct{} // closed: every call answers at once
	calls      atomic.Int32
}

func newHeldPublisher(network string, idempotent bool, url string) *heldPublisher {
	return &heldPublisher{network: network, idempotent: idempotent, url: url,
		started: make(chan social.Post, 4), answer: make(chan struct{})}
}

func (p *heldPublisher) Network() string               { return p.network }
func (p *heldPublisher) Idempotent() bool              { return p.idempotent }
func (p *heldPublisher) Length(text string) (int, int) { return utf8.RuneCountInString(text), 500 }

func (p *heldPublisher) Publish(ctx context.Context, post social.Post) (social.Published, error) {
	n := p.calls.Add(1)
	p.started <- post
	select {
	case <-p.answer:
	case <-ctx.Done():
		return social.Published{}, &social.Error{Network: p.network, Class: social.Transient, Message: ctx.Err().Error()}
	}
	return social.Published{ID: fmt.Sprint(n), URL: p.url}, nil
}

// pagesOf is the size of the database at path, in pages, once closed.
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

// fullSetup is a Service on a database capped a few dozen pages above its
// schema, publishing to pub alone, with its log kept.
func fullSetup(t *testing.T, pub *heldPublisher, opts storage.Options) (*fixture, *serviceLog, string, int64) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "catweete.db")
	if opts.MaxPageCount > 0 {
		opts.MaxPageCount += pagesOf(t, path)
	}
	log := newServiceLog()
	f := setup(t, options{path: path, store: opts, logger: slog.New(log),
		more: []AccountConfig{{Handle: "held", Publisher: pub}}})
	var account int64
	for _, a := range f.svc.Accounts() {
		if a.Publisher == Publisher(pub) {
			account = a.ID
		}
	}
	return f, log, path, account
}

// approvedOn drafts a post for one account and approves it.
func (f *fixture) approvedOn(t *testing.T, account int64, text string) Post {
	t.Helper()
	p, err := f.svc.Draft(t.Context(), DraftRequest{AuthorID: "UAUTHOR", Text: text, AccountIDs: []int64{account}, OriginChannel: "C"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Approve(t.Context(), p.ID, 1, "UA"); err != nil {
		t.Fatal(err)
	}
	return p
}

// fillerDeliveries adds n canceled deliveries to account, each with its
// post, as the history of a busy account. Appended one after another, they
// leave their pages packed: a delivery among them cannot grow in place.
func fillerDeliveries(t *testing.T, s *storage.Store, account int64, n int) {
	t.Helper()
	ctx := t.Context()
	at := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	for range n {
		id, err := s.InsertPost(ctx, storage.Post{Text: "filler", AuthorID: "UFILLER", Status: StatusCanceled, CreatedAt: at})
		if err == nil {
			_, err = s.InsertDelivery(ctx, storage.Delivery{PostID: id, AccountID: account, Status: storage.DeliveryCanceled,
				IdempotencyKey: fmt.Sprintf("filler-%06d-%s", id, strings.Repeat("k", 90)), CreatedAt: at})
		}
		if err != nil {
			t.Fatalf("filler delivery: %v (the cap is too low for the test)", err)
		}
	}
}

// fillUp fills the database to its cap the way a disk fills: more
// deliveries after the one in flight, packing its neighbours, then event
// ids until not even a short one fits. ForgetEvents frees that room again.
func fillUp(t *testing.T, s *storage.Store, account int64) {
	t.Helper()
	fillerDeliveries(t, s, account, 60)
	at := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	for _, size := range []int{200, 20} {
		for i := 0; ; i++ {
			_, err := s.MarkEventSeen(t.Context(), fmt.Sprintf("filler-%d-%06d-%s", size, i, strings.Repeat("e", size)), at)
			if errors.Is(err, storage.ErrFull) {
				break
			}
			if err != nil {
				t.Fatalf("filler event: %v", err)
			}
		}
	}
}

// runDispatcher runs the dispatcher until stop is called, which waits for
// it to return.
func (f *fixture) runDispatcher(t *testing.T) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		f.svc.RunDispatcher(ctx) //nolint:errcheck // nil when ctx ends
	}()
	stop = func() {
		cancel()
		select {
		case <-done:
		case <-time.After(2 * shutdownGrace):
			t.Error("the dispatcher did not stop")
		}
	}
	t.Cleanup(stop)
	return stop
}

// waitDelivery waits for the delivery of post to reach status.
func (f *fixture) waitDelivery(t *testing.T, postID int64, status string) storage.Delivery {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		d := f.delivery(t, postID)
		if d.Status == status {
			return d
		}
		if time.Now().After(deadline) {
			t.Fatalf("delivery %s, want %s", d.Status, status)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// A publication the database could not record at first (another writer
// holding it, or no room left) is recorded once the database takes it
// again: the network is not asked a second time.
func TestDispatcherRecordsAPublicationOnceTheDatabaseTakesIt(t *testing.T) {
	t.Parallel()
	// Longer than the room left around it in the packed pages of
	// deliveries: recording it needs a new page.
	longURL := "https://x.example/brand/status/1?" + strings.Repeat("ref=catweete&", 230)
	for _, tt := range []struct {
		name  string
		store storage.Options
		// block stops the database from taking writes; it returns what
		// makes it take them again.
		block func(t *testing.T, f *fixture, path string, account int64) (unblock func())
	}{
		{"Busy", storage.Options{BusyTimeout: 20 * time.Millisecond},
			func(t *testing.T, _ *fixture, path string, _ int64) func() { return storagetest.LockWriter(t, path) }},
		{"Full", storage.Options{MaxPageCount: 40},
			func(t *testing.T, f *fixture, _ string, account int64) func() {
				fillUp(t, f.store, account)
				return func() {
					if _, err := f.store.ForgetEvents(t.Context(), time.Now().Add(time.Hour)); err != nil {
						t.Fatalf("freeing space: %v", err)
					}
				}
			}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			pub := newHeldPublisher(social.NetworkX, false, longURL)
			f, log, path, account := fullSetup(t, pub, tt.store)
			fillerDeliveries(t, f.store, account, 60)
			p := f.approvedOn(t, account, "Ça tweete !")
			f.runDispatcher(t)

			<-pub.started
			unblock := tt.block(t, f, path, account)
			close(pub.answer)
			log.waitFor(t, "published but not recorded")
			if d := f.delivery(t, p.ID); d.Status != storage.DeliveryPublishing {
				t.Fatalf("delivery %s while the database refuses writes, want still publishing", d.Status)
			}
			unblock()
			d := f.waitDelivery(t, p.ID, storage.DeliveryPublished)
			if d.RemoteURL != longURL || d.RemoteID != "1" {
				t.Errorf("recorded %q %q, want the network's answer", d.RemoteID, d.RemoteURL)
			}
			if n := pub.calls.Load(); n != 1 {
				t.Errorf("%d publish calls, want 1", n)
			}
		})
	}
}

// Stopped while the database is still full, the dispatcher leaves the
// delivery to lease recovery: at the next start, a network that honours
// keys is asked again under the same key (it recognizes the post), and on
// one that does not, a person is asked. Never a second call without the
// key.
func TestDispatcherStoppedWithAPublicationNotRecorded(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name       string
		network    string
		idempotent bool
		calls      int32
		status     string
	}{
		{"KeyedNetworkIsAskedAgainUnderTheSameKey", social.NetworkMastodon, true, 2, storage.DeliveryPublished},
		{"UnkeyedNetworkMeansAPersonChecks", social.NetworkX, false, 1, storage.DeliveryUnknown},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			pub := newHeldPublisher(tt.network, tt.idempotent, "https://social.example/brand/1?"+strings.Repeat("x", 3000))
			f, log, _, account := fullSetup(t, pub, storage.Options{MaxPageCount: 40})
			fillerDeliveries(t, f.store, account, 60)
			p := f.approvedOn(t, account, "Ça tweete !")
			stop := f.runDispatcher(t)

			first := <-pub.started
			fillUp(t, f.store, account)
			close(pub.answer)
			log.waitFor(t, "published but not recorded; asking")
			stop() // within the dispatcher's grace, the database still full
			log.waitFor(t, "published but not recorded at stop")
			if d := f.delivery(t, p.ID); d.Status != storage.DeliveryPublishing {
				t.Fatalf("delivery %s after the stop, want left publishing under its lease", d.Status)
			}

			// Space is back; the next start comes after the lease.
			if _, err := f.store.ForgetEvents(t.Context(), time.Now().Add(time.Hour)); err != nil {
				t.Fatal(err)
			}
			f.clock.Advance(leaseDuration + time.Second)
			f.round(t)
			d := f.delivery(t, p.ID)
			if d.Status != tt.status {
				t.Errorf("delivery %s after the restart, want %s", d.Status, tt.status)
			}
			if n := pub.calls.Load(); n != tt.calls {
				t.Fatalf("%d publish calls, want %d", n, tt.calls)
			}
			if tt.calls == 2 {
				if again := <-pub.started; again.IdempotencyKey != first.IdempotencyKey || again.IdempotencyKey == "" {
					t.Errorf("asked again under key %q, want the first call's %q", again.IdempotencyKey, first.IdempotencyKey)
				}
			}
		})
	}
}
