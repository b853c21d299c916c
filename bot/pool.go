package bot

import (
	"context"
	"fmt"
	"sync"
)

// pool runs jobs after their ack on a fixed number of workers, so that a
// burst of requests cannot start unbounded goroutines.
type pool struct {
	jobs    chan func(context.Context)
	ctx     context.Context
	cancel  context.CancelFunc
	wg      sync.WaitGroup
	mu      sync.RWMutex
	stopped bool
}

func newPool(workers, queue int) *pool {
	ctx, cancel := context.WithCancel(context.Background())
	p := &pool{jobs: make(chan func(context.Context), queue), ctx: ctx, cancel: cancel}
	p.wg.Add(workers)
	for range workers {
		go func() {
			defer p.wg.Done()
			for job := range p.jobs {
				job(p.ctx)
			}
		}()
	}
	return p
}

// submit queues job; it reports false when the queue is full or the pool
// stopped.
func (p *pool) submit(job func(context.Context)) bool {
	p.mu.RLock()
	defer p.mu.RUnlock()
	if p.stopped {
		return false
	}
	select {
	case p.jobs <- job:
		return true
	default:
		return false
	}
}

// waiting is how many jobs wait for a worker.
func (p *pool) waiting() int { return len(p.jobs) }

// JobsWaiting is how many jobs wait for a worker of the main lane, the
// work done after an ack.
func (b *Bot) JobsWaiting() int { return b.pool.waiting() }

// ModalsWaiting is how many jobs wait for a worker of the modal lane, the
// work that must open a modal within its trigger's 3 s.
func (b *Bot) ModalsWaiting() int { return b.modals.waiting() }

// stop takes no more jobs, lets the workers finish the queued ones, and
// waits for them; when ctx ends first, the jobs' context is canceled.
func (p *pool) stop(ctx context.Context) error {
	p.mu.Lock()
	if !p.stopped {
		p.stopped = true
		close(p.jobs)
	}
	p.mu.Unlock()
	done := make(chan struct{})
	go func() { p.wg.Wait(); close(done) }()
	select {
	case <-done:
		p.cancel()
		return nil
	case <-ctx.Done():
		p.cancel()
		<-done
		return fmt.Errorf("bot: jobs cut short: %w", ctx.Err())
	}
}
