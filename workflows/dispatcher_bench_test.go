package workflows

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"catweete/social"
	"catweete/storage"
)

// The queue the dispatcher benchmarks run against: a month of scheduled
// posts, and a backlog due now (after a restart, or a burst of "now"s).
const (
	benchFuture = 100_000 // scheduled, spread over the next 30 days
	benchDue    = 1_000   // due now, spread over the last hour
	benchHandle = "https://brand.example"
)

// benchNow is the dispatch benchmark's clock, on a whole second.
var benchNow = time.Date(2026, time.November, 25, 10, 0, 0, 0, time.UTC)

// benchPublisher publishes nothing, at once, and notes when it was called.
type benchPublisher struct {
	calls  atomic.Int64
	target int64             // the call that sets doneAt
	doneAt atomic.Int64      // unix nanoseconds of call number target
	onCall func(social.Post) // if not nil, told of every call
}

func (p *benchPublisher) Network() string               { return social.NetworkSandbox }
func (p *benchPublisher) Idempotent() bool              { return true }
func (p *benchPublisher) Length(text string) (int, int) { return len(text), 1 << 20 }

func (p *benchPublisher) Publish(_ context.Context, post social.Post) (social.Published, error) {
	if p.onCall != nil {
		p.onCall(post)
	}
	n := p.calls.Add(1)
	if n == p.target {
		p.doneAt.Store(time.Now().UnixNano())
	}
	id := strconv.FormatInt(n, 10)
	return social.Published{ID: id, URL: "https://sandbox.example/" + id}, nil
}

// benchNotifier shows nothing, at once.
type benchNotifier struct{}

func (benchNotifier) ShowCard(context.Context, Card) (CardRef, error) { return CardRef{}, nil }
func (benchNotifier) Announce(context.Context, Card, Event) error     { return nil }
func (benchNotifier) Alert(context.Context, Card, Event) error        { return nil }

// BenchmarkDispatch1000Of100k runs dispatcher rounds over a queue of 100,000
// future posts and 1,000 due ones until the 1,000 are published. It reports
// how long until the publisher had its 1,000th call (ms/handoff) and until
// every publish goroutine had recorded its outcome and settled its post
// (ms/all-recorded, which is also ns/op). Each iteration starts from a copy
// of the same seeded file; only the rounds are timed.
func BenchmarkDispatch1000Of100k(b *testing.B) {
	template := seedBenchTemplate(b)
	ctx := context.Background()
	var handoff, recorded time.Duration
	rounds, i := 0, 0
	for b.Loop() {
		b.StopTimer()
		path := filepath.Join(b.TempDir(), fmt.Sprintf("iter%d.db", i))
		i++
		if err := benchCopyFile(template, path); err != nil {
			b.Fatal(err)
		}
		store, err := storage.Open(ctx, path)
		if err != nil {
			b.Fatal(err)
		}
		pub := &benchPublisher{target: benchDue}
		svc, err := New(ctx, Config{
			Store: store, Accounts: []AccountConfig{{Handle: benchHandle, Publisher: pub}},
			Notifier: benchNotifier{}, Now: func() time.Time { return benchNow },
		})
		if err != nil {
			b.Fatal(err)
		}
		slots := map[int64]chan struct{}{}
		for _, a := range svc.accounts {
			slots[a.ID] = make(chan struct{}, perAccount)
		}
		b.StartTimer()

		start := time.Now()
		for round := 1; pub.calls.Load() < benchDue; round++ {
			if round > 100 {
				b.Fatalf("%d publish calls after %d rounds, want %d", pub.calls.Load(), round-1, benchDue)
			}
			rounds++
			if _, err := svc.dispatchOnce(ctx, ctx, slots); err != nil {
				b.Fatal(err)
			}
			svc.inflight.Wait()
		}
		recorded += time.Since(start)
		handoff += time.Unix(0, pub.doneAt.Load()).Sub(start)

		b.StopTimer()
		benchCheckPublished(b, store, benchDue)
		store.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(handoff.Microseconds())/1e3/float64(b.N), "ms/handoff")
	b.ReportMetric(float64(recorded.Microseconds())/1e3/float64(b.N), "ms/all-recorded")
	b.ReportMetric(float64(rounds)/float64(b.N), "rounds/op")
}

// benchCheckPublished fails unless exactly n deliveries and n posts are published.
func benchCheckPublished(b *testing.B, store *storage.Store, n int) {
	b.Helper()
	ctx := context.Background()
	ds, err := store.DeliveriesInState(ctx, 2*n, storage.DeliveryPublished)
	if err != nil {
		b.Fatal(err)
	}
	ps, err := store.PostsByStatus(ctx, 2*n, StatusPublished)
	if err != nil {
		b.Fatal(err)
	}
	if len(ds) != n || len(ps) != n {
		b.Fatalf("%d deliveries and %d posts published, want %d of each", len(ds), len(ps), n)
	}
}

// seedBenchTemplate writes the queue (benchFuture posts due over the next
// 30 days, benchDue due over the last hour, created over the last 30 days,
// each approved with one scheduled delivery on the one account) in one
// transaction through prepared statements, and returns the closed file's
// path, to be copied per iteration.
func seedBenchTemplate(b *testing.B) string {
	b.Helper()
	ctx := context.Background()
	path := filepath.Join(b.TempDir(), "template.db")
	store, err := storage.Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	account, err := store.UpsertAccount(ctx, storage.Account{
		Network: social.NetworkSandbox, Handle: benchHandle, DisplayName: "Sandbox", CreatedAt: benchNow,
	})
	if err != nil {
		b.Fatal(err)
	}
	if err := store.Close(); err != nil {
		b.Fatal(err)
	}
	// Bulk rows go straight to the file: storage has no bulk insert, and
	// one statement per row through Store would take the seed from about a
	// second to several.
	db, err := sql.Open("sqlite3", "file:"+path+"?_journal_mode=WAL&_foreign_keys=on")
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	if err := benchSeedRows(ctx, db, account.ID); err != nil {
		b.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		b.Fatal(err)
	}
	return path
}

func benchSeedRows(ctx context.Context, db *sql.DB, accountID int64) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	insertPost, err := tx.PrepareContext(ctx, `INSERT INTO posts
		(text, author_id, status, version, publish_at, created_at, updated_at)
		VALUES (?, 'UAUTHOR', 'approved', 1, ?, ?, ?)`)
	if err != nil {
		return err
	}
	insertDelivery, err := tx.PrepareContext(ctx, `INSERT INTO deliveries
		(post_id, account_id, status, idempotency_key, due_at, next_attempt_at, created_at, updated_at)
		VALUES (?, ?, 'scheduled', ?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	now := benchNow.Unix()
	month := int64(30 * 24 * time.Hour / time.Second)
	rng := rand.New(rand.NewPCG(1, 2))
	for _, k := range rng.Perm(benchFuture + benchDue) {
		var at int64
		if k < benchDue {
			at = now - int64(k)*3600/benchDue // the last hour, now included
		} else {
			at = now + 1 + int64(k-benchDue)*month/benchFuture
		}
		created := now - rng.Int64N(month)
		text := fmt.Sprintf("Post n°%d : le programme de la semaine, les nouveautés et le lien https://example.com/p/%d", k, k)
		res, err := insertPost.ExecContext(ctx, text, at, created, created)
		if err != nil {
			return err
		}
		postID, err := res.LastInsertId()
		if err != nil {
			return err
		}
		if _, err := insertDelivery.ExecContext(ctx, postID, accountID, fmt.Sprintf("seed%09d", k), at, at, created, created); err != nil {
			return err
		}
	}
	return tx.Commit()
}

func benchCopyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(to)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	// On disk before the clock starts: the first checkpoint's fsync would
	// otherwise write the whole copy inside the measurement.
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// Lateness benchmark: a post due every latenessEvery, the first one
// latenessLead from now, published by the real dispatcher on the real
// clock.
const (
	latenessPosts = 100
	latenessEvery = 100 * time.Millisecond
	latenessLead  = time.Second
)

// BenchmarkLateness drafts and approves latenessPosts posts (the way people
// do, through Draft and Approve, which kicks the dispatcher), each asking
// for a time latenessEvery after the previous one, and lets RunDispatcher
// publish them against a publisher that notes when it is called. It reports
// the lateness of the calls, from the asked time to the call, over every
// iteration: p50, p99, max and min (negative: published early), in ms; the
// p99 against the due time as stored (whole seconds); and the share of posts
// that went out before their time.
func BenchmarkLateness(b *testing.B) {
	var late, lateStored []time.Duration
	i := 0
	for b.Loop() {
		l, ls := benchLatenessRun(b, filepath.Join(b.TempDir(), fmt.Sprintf("lateness%d.db", i)))
		i++
		late, lateStored = append(late, l...), append(lateStored, ls...)
	}
	slices.Sort(late)
	slices.Sort(lateStored)
	early := 0
	for _, l := range late {
		if l < 0 {
			early++
		}
	}
	b.ReportMetric(0, "ns/op") // the wall time of an iteration is the schedule's, not the dispatcher's
	b.ReportMetric(benchMillis(benchPercentile(late, 0.50)), "p50-ms")
	b.ReportMetric(benchMillis(benchPercentile(late, 0.99)), "p99-ms")
	b.ReportMetric(benchMillis(late[len(late)-1]), "max-ms")
	b.ReportMetric(benchMillis(late[0]), "min-ms")
	b.ReportMetric(benchMillis(benchPercentile(lateStored, 0.99)), "p99-vs-stored-ms")
	b.ReportMetric(float64(early)/float64(len(late)), "early-frac")
}

// benchLatenessRun runs one schedule on a fresh database and returns each
// post's lateness against the asked time, and against the stored due time.
func benchLatenessRun(b *testing.B, path string) (late, lateStored []time.Duration) {
	b.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	store, err := storage.Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()

	var (
		mu     sync.Mutex
		calls  = make(map[string]time.Time, latenessPosts)
		allIn  = make(chan struct{})
		closed bool
	)
	pub := &benchPublisher{onCall: func(p social.Post) {
		at := time.Now()
		mu.Lock()
		defer mu.Unlock()
		calls[p.Text] = at
		if len(calls) == latenessPosts && !closed {
			closed = true
			close(allIn)
		}
	}}
	svc, err := New(ctx, Config{
		Store: store, Accounts: []AccountConfig{{Handle: benchHandle, Publisher: pub}}, Notifier: benchNotifier{},
	})
	if err != nil {
		b.Fatal(err)
	}
	stopped := make(chan error, 1)
	go func() { stopped <- svc.RunDispatcher(ctx) }()

	first := time.Now().Add(latenessLead)
	due := make(map[string]time.Time, latenessPosts)
	for n := range latenessPosts {
		text := fmt.Sprintf("Lateness post %d", n)
		at := first.Add(time.Duration(n) * latenessEvery)
		due[text] = at
		p, err := svc.Draft(ctx, DraftRequest{AuthorID: "UAUTHOR", Text: text, PublishAt: at})
		if err != nil {
			b.Fatalf("draft %d (due in %v): %v", n, time.Until(at), err)
		}
		res, err := svc.Approve(ctx, p.ID, p.Version, "UAPPROVER")
		if err != nil || !res.Approved || res.Late {
			b.Fatalf("approve %d (due in %v): %+v, %v", n, time.Until(at), res, err)
		}
	}
	if time.Now().After(first) {
		b.Logf("scheduling the %d posts ended %v after the first one's time", latenessPosts, time.Since(first))
	}

	last := first.Add((latenessPosts - 1) * latenessEvery)
	select {
	case <-allIn:
	case <-time.After(time.Until(last) + 30*time.Second):
		mu.Lock()
		got := len(calls)
		mu.Unlock()
		b.Fatalf("%d of %d posts published 30 s after the last one's time", got, latenessPosts)
	}
	cancel()
	if err := <-stopped; err != nil {
		b.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	for text, at := range due {
		call, ok := calls[text]
		if !ok {
			b.Fatalf("%q was not published", text)
		}
		late = append(late, call.Sub(at))
		lateStored = append(lateStored, call.Sub(at.Truncate(time.Second)))
	}
	return late, lateStored
}

// benchPercentile is the nearest-rank benchPercentile of sorted ds.
func benchPercentile(ds []time.Duration, p float64) time.Duration {
	k := int(math.Ceil(p*float64(len(ds)))) - 1
	return ds[min(max(k, 0), len(ds)-1)]
}

func benchMillis(d time.Duration) float64 { return float64(d.Microseconds()) / 1e3 }
