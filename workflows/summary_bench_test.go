package workflows

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"runtime"
	"testing"
	"time"
	"unicode/utf8"

	"catweete/social"
	"catweete/storage"
)

// The history the summary benchmark reads: a month of posts on four
// networks, each measured a hundred times.
const (
	sumBenchPosts     = 2_500 // × 4 networks: 10,000 deliveries
	sumBenchSnapshots = 100   // per delivery: 1,000,000 snapshots
	sumBenchDays      = 30
)

// sumBenchNow is the summary benchmark's clock: Wednesday 25 November
// 2026, 11:00 in Paris. "This month" is then 1 November → now.
var sumBenchNow = time.Date(2026, time.November, 25, 10, 0, 0, 0, time.UTC)

var sumBenchNetworks = []string{social.NetworkMastodon, social.NetworkX, social.NetworkLinkedIn, social.NetworkFacebook}

// sumBenchNet is an account that is never asked to publish.
type sumBenchNet struct{ network string }

func (n sumBenchNet) Network() string { return n.network }
func (n sumBenchNet) Publish(context.Context, social.Post) (social.Published, error) {
	return social.Published{}, fmt.Errorf("not in this benchmark")
}
func (n sumBenchNet) Length(text string) (int, int) { return utf8.RuneCountInString(text), 3000 }
func (n sumBenchNet) Idempotent() bool              { return true }

func sumBenchAccounts() []AccountConfig {
	out := make([]AccountConfig, len(sumBenchNetworks))
	for i, network := range sumBenchNetworks {
		out[i] = AccountConfig{Handle: "brand-" + network, Publisher: sumBenchNet{network}}
	}
	return out
}

// BenchmarkSummarize1M times `/catweete reach mois` over 10,000 deliveries
// with 1,000,000 snapshots behind them:
//
//	go test -run '^$' -bench Summarize1M -benchtime 5x -count 3 ./workflows
//
// The file is seeded once per run and only read. Reported: ms/op (the
// target is under 100 ms), MB/op allocated, first-ms (the first summary on
// a freshly opened database), and heap-growth-MB (the live heap after the
// loop minus before it: it must stay flat).
func BenchmarkSummarize1M(b *testing.B) {
	ctx := context.Background()
	path := seedSummarizeTemplate(b)
	store, err := storage.Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	svc, err := New(ctx, Config{Store: store, Accounts: sumBenchAccounts(), Notifier: benchNotifier{},
		Now: func() time.Time { return sumBenchNow }})
	if err != nil {
		b.Fatal(err)
	}
	from, to := svc.Bounds(PeriodMonth)

	start := time.Now()
	sum, err := svc.Summarize(ctx, from, to)
	if err != nil {
		b.Fatal(err)
	}
	first := time.Since(start)
	// What the month holds: 1 Nov → 25 Nov 11:00 of the 30 days seeded,
	// and the rest in the period before.
	if sum.Total.Deliveries+sum.Previous.Deliveries != sumBenchPosts*len(sumBenchNetworks) ||
		sum.Total.Deliveries < 8_000 || len(sum.Networks) != 4 || sum.Top == nil ||
		sum.Total.Source != ReachFromImpressions || !sum.Total.ReachRate.Known {
		b.Fatalf("unexpected summary: %d + %d deliveries, %d networks, total %+v",
			sum.Total.Deliveries, sum.Previous.Deliveries, len(sum.Networks), sum.Total)
	}

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	b.ReportAllocs()
	var elapsed time.Duration
	for b.Loop() {
		t := time.Now()
		if _, err := svc.Summarize(ctx, from, to); err != nil {
			b.Fatal(err)
		}
		elapsed += time.Since(t)
	}
	b.StopTimer()
	runtime.ReadMemStats(&after)
	allocated := after.TotalAlloc - before.TotalAlloc
	runtime.GC()
	runtime.ReadMemStats(&after)

	b.ReportMetric(float64(elapsed.Microseconds())/1e3/float64(b.N), "ms/op")
	b.ReportMetric(float64(allocated)/1e6/float64(b.N), "MB/op")
	b.ReportMetric(float64(first.Microseconds())/1e3, "first-ms")
	b.ReportMetric((float64(after.HeapAlloc)-float64(before.HeapAlloc))/1e6, "heap-growth-MB")
	b.ReportMetric(float64(sum.Total.Deliveries+sum.Previous.Deliveries), "deliveries")
}

// seedSummarizeTemplate writes the benchmark's database: 2,500 posts over
// the last 30 days on four networks, each delivery with 100 snapshots
// spread from its publication to now, the latest copied onto it as
// RecordMetrics does; the accounts' audience at publication is known. It returns the
// path of the closed, checkpointed file.
func seedSummarizeTemplate(b *testing.B) string {
	b.Helper()
	ctx := context.Background()
	path := filepath.Join(b.TempDir(), "summarize.db")
	store, err := storage.Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	accountIDs := make([]int64, len(sumBenchNetworks))
	for i, network := range sumBenchNetworks {
		a, err := store.UpsertAccount(ctx, storage.Account{Network: network, Handle: "brand-" + network,
			DisplayName: NetworkName(network), CreatedAt: sumBenchNow.AddDate(0, -2, 0)})
		if err != nil {
			b.Fatal(err)
		}
		accountIDs[i] = a.ID
	}
	if err := store.Close(); err != nil {
		b.Fatal(err)
	}
	// Bulk rows go straight to the file, in one transaction through
	// prepared statements: storage has no bulk insert.
	db, err := sql.Open("sqlite3", "file:"+path+"?_journal_mode=WAL&_foreign_keys=on&_synchronous=OFF")
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	start := time.Now()
	if err := sumBenchSeedRows(ctx, db, accountIDs); err != nil {
		b.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		b.Fatal(err)
	}
	b.Logf("seeded %d deliveries and %d snapshots in %v", sumBenchPosts*len(sumBenchNetworks),
		sumBenchPosts*len(sumBenchNetworks)*sumBenchSnapshots, time.Since(start).Round(time.Millisecond))
	return path
}

func sumBenchSeedRows(ctx context.Context, db *sql.DB, accountIDs []int64) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	insertPost, err := tx.PrepareContext(ctx, `INSERT INTO posts
		(text, author_id, status, version, created_at, updated_at) VALUES (?, 'UAUTHOR', 'published', 1, ?, ?)`)
	if err != nil {
		return err
	}
	insertDelivery, err := tx.PrepareContext(ctx, `INSERT INTO deliveries
		(post_id, account_id, status, idempotency_key, due_at, next_attempt_at, attempts, remote_id, remote_url,
		 published_at, created_at, updated_at, followers_at_publish)
		VALUES (?, ?, 'published', ?, ?, ?, 1, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	insertSnapshot, err := tx.PrepareContext(ctx, `INSERT INTO metric_snapshots
		(delivery_id, at, impressions, reach, likes, reposts, replies, quotes, clicks, saves)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	latest, err := tx.PrepareContext(ctx, `UPDATE deliveries SET metrics_at = ?,
		m_impressions = ?, m_reach = ?, m_likes = ?, m_reposts = ?, m_replies = ?, m_quotes = ?, m_clicks = ?, m_saves = ?
		WHERE id = ?`)
	if err != nil {
		return err
	}
	now := sumBenchNow.Unix()
	span := int64(sumBenchDays * 24 * time.Hour / time.Second)
	for p := range sumBenchPosts {
		at := now - span + int64(p)*span/sumBenchPosts
		res, err := insertPost.ExecContext(ctx, fmt.Sprintf("Post n°%d : le programme de la semaine, les nouveautés et le lien https://example.com/p/%d", p, p), at, at)
		if err != nil {
			return err
		}
		postID, err := res.LastInsertId()
		if err != nil {
			return err
		}
		for n, network := range sumBenchNetworks {
			remote := fmt.Sprintf("%s-%d", network, p)
			res, err := insertDelivery.ExecContext(ctx, postID, accountIDs[n], "bench-"+remote, at, at, remote,
				"https://"+network+".example/"+remote, at, at, at, 1000*int64(n+1))
			if err != nil {
				return err
			}
			deliveryID, err := res.LastInsertId()
			if err != nil {
				return err
			}
			var last []any
			for i := range sumBenchSnapshots {
				taken := at + (now-at)*int64(i+1)/sumBenchSnapshots
				v := int64(i+1) * int64(1+p%17)
				figures := sumBenchFigures(network, v)
				if _, err := insertSnapshot.ExecContext(ctx, append([]any{deliveryID, taken}, figures...)...); err != nil {
					return err
				}
				last = append([]any{taken}, figures...)
			}
			if _, err := latest.ExecContext(ctx, append(last, deliveryID)...); err != nil {
				return err
			}
		}
	}
	return tx.Commit()
}

// sumBenchFigures is a snapshot as each network gives it: impressions,
// reach, likes, reposts, replies, quotes, clicks, saves; nil where not given.
func sumBenchFigures(network string, v int64) []any {
	switch network {
	case social.NetworkMastodon:
		return []any{nil, nil, v, v / 4, v / 10, nil, nil, nil}
	case social.NetworkX:
		return []any{40 * v, nil, v, v / 5, v / 10, v / 20, v / 2, v / 8}
	case social.NetworkLinkedIn:
		return []any{30 * v, 20 * v, v, v / 6, v / 10, nil, v, nil}
	default:
		return []any{25 * v, 15 * v, v, v / 8, v / 12, nil, nil, nil}
	}
}
