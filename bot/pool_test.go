package bot

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"
)

func TestPool(t *testing.T) {
	t.Parallel()

	t.Run("SubmitAfterStopIsRefused", func(t *testing.T) {
		t.Parallel()
		p := newPool(2, 4)
		if err := p.stop(context.Background()); err != nil {
			t.Fatalf("stop = %v", err)
		}
		if p.submit(func(context.Context) { t.Error("a job ran after stop") }) {
			t.Fatal("submit after stop = true, want false")
		}
		if err := p.stop(context.Background()); err != nil {
			t.Fatalf("second stop = %v, want nil", err)
		}
	})

	t.Run("SubmitToAFullQueueIsRefused", func(t *testing.T) {
		t.Parallel()
		p := newPool(1, 1)
		gate, started := make(chan struct{}), make(chan struct{})
		if !p.submit(func(context.Context) { close(started); <-gate }) {
			t.Fatal("first job refused")
		}
		<-started
		if !p.submit(func(context.Context) {}) {
			t.Fatal("second job refused, the queue has room for one")
		}
		if p.submit(func(context.Context) {}) {
			t.Fatal("third job taken, want refused: the worker is busy and the queue full")
		}
		close(gate)
		if err := p.stop(context.Background()); err != nil {
			t.Fatalf("stop = %v", err)
		}
	})

	t.Run("StopWaitsForQueuedJobs", func(t *testing.T) {
		t.Parallel()
		p := newPool(1, 10)
		gate, started := make(chan struct{}), make(chan struct{})
		var ran, canceled atomic.Int32
		job := func(ctx context.Context) {
			if ctx.Err() != nil {
				canceled.Add(1)
			}
			ran.Add(1)
		}
		p.submit(func(ctx context.Context) { close(started); <-gate; job(ctx) })
		<-started
		for range 5 {
			if !p.submit(job) {
				t.Fatal("job refused")
			}
		}
		stopped := make(chan error, 1)
		go func() { stopped <- p.stop(context.Background()) }()
		select {
		case err := <-stopped:
			t.Fatalf("stop returned (%v) while a job was running", err)
		default:
		}
		close(gate)
		select {
		case err := <-stopped:
			if err != nil {
				t.Fatalf("stop = %v", err)
			}
		case <-time.After(waitLimit):
			t.Fatal("stop did not return")
		}
		if ran.Load() != 6 || canceled.Load() != 0 {
			t.Fatalf("%d jobs ran (%d with a canceled context), want 6, none canceled", ran.Load(), canceled.Load())
		}
	})

	t.Run("StopWithAnExpiredContextCancelsTheJobs", func(t *testing.T) {
		t.Parallel()
		for _, expired := range []func() (context.Context, context.CancelFunc){
			func() (context.Context, context.CancelFunc) {
				ctx, cancel := context.WithCancel(context.Background())
				cancel()
				return ctx, cancel
			},
			func() (context.Context, context.CancelFunc) {
				return context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
			},
		} {
			p := newPool(1, 4)
			started := make(chan struct{})
			seen := make(chan error, 2)
			p.submit(func(ctx context.Context) { close(started); <-ctx.Done(); seen <- ctx.Err() })
			p.submit(func(ctx context.Context) { seen <- ctx.Err() })
			<-started
			ctx, cancel := expired()
			err := p.stop(ctx)
			cancel()
			if err == nil || !errors.Is(err, ctx.Err()) {
				t.Fatalf("stop = %v, want an error wrapping %v", err, ctx.Err())
			}
			for range 2 {
				if got := <-seen; !errors.Is(got, context.Canceled) {
					t.Fatalf("a job saw %v, want context.Canceled", got)
				}
			}
		}
	})
}

func TestBotLater(t *testing.T) {
	t.Parallel()

	t.Run("PanickingJobDoesNotKillTheWorker", func(t *testing.T) {
		t.Parallel()
		f := setup(t, func(o *setupOptions) { o.workers, o.queue = 1, 4 })
		if !f.bot.later("boom", func(context.Context) { panic("boom") }) {
			t.Fatal("panicking job refused")
		}
		ran := make(chan struct{})
		if !f.bot.later("after", func(context.Context) { close(ran) }) {
			t.Fatal("second job refused")
		}
		select {
		case <-ran:
		case <-time.After(waitLimit):
			t.Fatal("the job after a panic never ran: the only worker died")
		}
	})

	t.Run("JobHasItsOwnDeadline", func(t *testing.T) {
		t.Parallel()
		f := setup(t)
		got := make(chan time.Time, 1)
		start := time.Now()
		f.bot.later("deadline", func(ctx context.Context) {
			d, _ := ctx.Deadline()
			got <- d
		})
		select {
		case d := <-got:
			if d.IsZero() || d.Before(start.Add(waitLimit)) || d.After(time.Now().Add(waitLimit)) {
				t.Fatalf("job deadline %v, want about JobTimeout (%v) after submission", d, waitLimit)
			}
		case <-time.After(waitLimit):
			t.Fatal("job never ran")
		}
	})

	t.Run("LaterAfterShutdownIsRefused", func(t *testing.T) {
		t.Parallel()
		f := setup(t)
		f.shutdown(t)
		if f.bot.later("late", func(context.Context) { t.Error("ran after Shutdown") }) {
			t.Fatal("later after Shutdown = true, want false")
		}
	})
}
