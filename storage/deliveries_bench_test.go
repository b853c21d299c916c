package storage

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// The queue the dispatcher benchmarks run against: a month of scheduled
// posts, and a backlog due now (after a restart, or a burst of "now"s).
const (
	benchFuture = 100_000 // scheduled, spread over the next 30 days
	benchDue    = 1_000   // due now, spread over the last hour
	// benchClaimBatch is the dispatcher's batch (workflows.claimBatch).
	benchClaimBatch = 64
)

// benchNow is the benchmarks' "now", on a whole second.
var benchNow = time.Date(2026, time.November, 25, 10, 0, 0, 0, time.UTC)

// BenchmarkClaimDue1000Of100k claims every due delivery out of a big queue,
// in batches, as the dispatcher does. Each iteration starts from a copy of
// the same seeded file; only the claims are timed.
func BenchmarkClaimDue1000Of100k(b *testing.B) {
	template := seedBenchTemplate(b, benchFuture, benchDue, 3)
	ctx := context.Background()
	var total time.Duration
	i := 0
	for b.Loop() {
		b.StopTimer()
		s := openBenchCopy(b, template, filepath.Join(b.TempDir(), fmt.Sprintf("iter%d.db", i)))
		i++
		b.StartTimer()

		start := time.Now()
		claimed := 0
		for {
			ds, err := s.ClaimDeliveries(ctx, benchNow, benchNow.Add(2*time.Minute), benchClaimBatch)
			if err != nil {
				b.Fatal(err)
			}
			claimed += len(ds)
			if len(ds) < benchClaimBatch {
				break
			}
		}
		total += time.Since(start)

		b.StopTimer()
		if claimed != benchDue {
			b.Fatalf("claimed %d deliveries, want %d", claimed, benchDue)
		}
		s.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(total.Microseconds())/1e3/float64(b.N), "ms/claim-all")
}

// BenchmarkNextAttempt100k is the dispatcher's other query of every round:
// the earliest scheduled attempt, out of the same queue.
func BenchmarkNextAttempt100k(b *testing.B) {
	template := seedBenchTemplate(b, benchFuture, benchDue, 3)
	s := openBenchCopy(b, template, filepath.Join(b.TempDir(), "next.db"))
	defer s.Close()
	ctx := context.Background()
	for b.Loop() {
		if _, ok, err := s.NextAttempt(ctx); err != nil || !ok {
			b.Fatalf("NextAttempt: %v, %v", ok, err)
		}
	}
}

// seedBenchTemplate writes a database holding future scheduled deliveries spread
// over the next 30 days and due ones spread over the last hour, one approved
// post each, on accounts accounts, in a shuffled order (so that due rows are
// not neighbours by id). It returns the path of the closed, checkpointed
// file, to be copied per iteration.
func seedBenchTemplate(b *testing.B, future, due, accounts int) string {
	b.Helper()
	path := filepath.Join(b.TempDir(), "template.db")
	ctx := context.Background()
	s, err := Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	var accountIDs []int64
	for i := range accounts {
		a, err := s.UpsertAccount(ctx, Account{Network: "sandbox", Handle: fmt.Sprintf("brand%d", i), CreatedAt: benchNow})
		if err != nil {
			b.Fatal(err)
		}
		accountIDs = append(accountIDs, a.ID)
	}
	if err := seedBenchQueue(ctx, s, future, due, accountIDs); err != nil {
		b.Fatal(err)
	}
	if _, err := s.sqlDB.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		b.Fatal(err)
	}
	return path
}

// seedBenchQueue inserts the posts and deliveries in one transaction through
// prepared statements: about a second for 100,000 of each.
func seedBenchQueue(ctx context.Context, s *Store, future, due int, accountIDs []int64) error {
	tx, err := s.sqlDB.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	insertPost, err := tx.PrepareContext(ctx, `INSERT INTO posts
		(text, author_id, status, version, publish_at, created_at, updated_at)
		VALUES (?, 'U0AUTHOR', 'approved', 1, ?, ?, ?)`)
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
	for n, k := range rng.Perm(future + due) {
		var at int64
		if k < due {
			at = now - int64(k)*3600/int64(due) // the last hour, now included
		} else {
			at = now + 1 + int64(k-due)*month/int64(future)
		}
		created := now - rng.Int64N(month)
		res, err := insertPost.ExecContext(ctx, fmt.Sprintf("Post n°%d : le programme de la semaine, les nouveautés et le lien https://example.com/p/%d", k, k), at, created, created)
		if err != nil {
			return err
		}
		postID, err := res.LastInsertId()
		if err != nil {
			return err
		}
		if _, err := insertDelivery.ExecContext(ctx, postID, accountIDs[n%len(accountIDs)],
			fmt.Sprintf("seed%09d", k), at, at, created, created); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// openBenchCopy copies the template file to path and opens it as the program
// does.
func openBenchCopy(b *testing.B, template, path string) *Store {
	b.Helper()
	if err := benchCopyFile(template, path); err != nil {
		b.Fatal(err)
	}
	s, err := Open(context.Background(), path)
	if err != nil {
		b.Fatal(err)
	}
	return s
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
