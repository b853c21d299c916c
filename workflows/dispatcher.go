package workflows

import (
	"context"
	"errors"
	"fmt"
	"time"

	"catweete/social"
	"catweete/storage"
)

// Dispatcher tuning. The lease outlives the publish call's own timeout, so
// a delivery is released only when its publisher is surely gone.
const (
	publishTimeout = 45 * time.Second
	leaseDuration  = 2 * time.Minute
	claimBatch     = 64
	maxAttempts    = 6
	perAccount     = 2 // publish calls in flight per account
	// idleWake bounds the sleep with nothing due: it is the safety net that
	// notices expired leases even when nothing kicks the dispatcher.
	idleWake = time.Minute
	// shutdownGrace is how long publish calls in flight may finish after
	// the dispatcher is told to stop, before they are canceled: stopping
	// must stay well within the 10 s a container is given.
	shutdownGrace = 5 * time.Second
)

// Kick wakes the dispatcher: the queue changed.
func (s *Service) Kick() {
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

// RunDispatcher publishes due deliveries until ctx ends. It sleeps until the
// next due time (or a Kick), claims what is due atomically, publishes each
// claimed delivery once, in parallel across accounts and bounded per
// account, and records every outcome. On return, every publish call it
// started has ended and been recorded.
func (s *Service) RunDispatcher(ctx context.Context) error {
	slots := make(map[int64]chan struct{}, len(s.accounts))
	for _, a := range s.accounts {
		slots[a.ID] = make(chan struct{}, perAccount)
	}
	// Publish calls outlive ctx by shutdownGrace, so that a stop does not
	// cut a call that is about to succeed.
	callCtx, cancelCalls := context.WithCancel(context.WithoutCancel(ctx))
	defer func() {
		grace := time.AfterFunc(shutdownGrace, cancelCalls)
		s.inflight.Wait()
		grace.Stop()
		cancelCalls()
	}()
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-timer.C:
		case <-s.kick:
		}
		wait, err := s.dispatchOnce(ctx, callCtx, slots)
		if err != nil && ctx.Err() == nil {
			s.log.ErrorContext(ctx, "dispatcher round failed", "err", err)
			wait = 5 * time.Second
		}
		if !timer.Stop() {
			select {
			case <-timer.C:
			default:
			}
		}
		timer.Reset(wait)
	}
}

// dispatchOnce recovers expired leases, claims and starts what is due, and
// returns how long to sleep before the next round.
func (s *Service) dispatchOnce(ctx, callCtx context.Context, slots map[int64]chan struct{}) (time.Duration, error) {
	if err := s.recoverLeases(ctx); err != nil {
		return 0, err
	}
	for {
		now := s.now()
		claimed, err := s.store.ClaimDeliveries(ctx, now, now.Add(leaseDuration), claimBatch)
		if err != nil {
			return 0, err
		}
		for _, d := range claimed {
			slot := slots[d.AccountID]
			if slot == nil {
				// Its account left the configuration: nobody can publish it.
				s.finish(ctx, d, "account no longer configured")
				continue
			}
			select {
			case slot <- struct{}{}:
			case <-ctx.Done():
				// Shutting down: the claim's lease will expire and the
				// delivery will be recovered at the next start.
				return 0, nil
			}
			s.inflight.Add(1)
			go func(d storage.Delivery) {
				defer s.inflight.Done()
				defer func() { <-slot }()
				s.publish(context.WithoutCancel(ctx), callCtx, d)
			}(d)
		}
		if len(claimed) < claimBatch {
			break
		}
	}
	next, ok, err := s.store.NextAttempt(ctx)
	if err != nil {
		return 0, err
	}
	wait := idleWake
	if ok {
		wait = min(max(next.Sub(s.now()), 0), idleWake)
	}
	return wait, nil
}

// recoverLeases handles deliveries left in publishing past their lease: a
// crash or a hung call. On a network that honours idempotency keys the
// delivery is scheduled again with the same key; elsewhere it becomes
// unknown and a person decides, because sending again could post twice.
func (s *Service) recoverLeases(ctx context.Context) error {
	now := s.now()
	expired, err := s.store.ExpiredLeases(ctx, now)
	if err != nil {
		return err
	}
	for _, d := range expired {
		a, ok := s.byID[d.AccountID]
		to := storage.DeliveryUnknown
		if ok && a.Publisher.Idempotent() {
			to = storage.DeliveryScheduled
		}
		if err := s.store.ReleaseDelivery(ctx, d.ID, to, now); err != nil {
			if errors.Is(err, storage.ErrConflict) {
				continue // its publisher finished after all
			}
			return err
		}
		s.log.WarnContext(ctx, "delivery lease expired", "post_id", d.PostID, "delivery_id", d.ID, "now", to)
		if to == storage.DeliveryUnknown {
			d.Status = to
			s.settlePost(ctx, d, EventUnknown)
		}
	}
	return nil
}

// publish makes one attempt at one claimed delivery and records its
// outcome. The network call runs under callCtx; the records are written
// under ctx, which a shutdown does not cancel, so that an outcome is never
// lost.
func (s *Service) publish(ctx, callCtx context.Context, d storage.Delivery) {
	a := s.byID[d.AccountID]
	p, err := s.store.Post(ctx, d.PostID)
	if err != nil {
		s.log.ErrorContext(ctx, "delivery without its post", "post_id", d.PostID, "delivery_id", d.ID, "err", err)
		s.finish(ctx, d, "post not found")
		return
	}
	if p.Status == StatusApproved {
		if err := s.store.WithTx(ctx, func(tx *storage.Tx) error {
			return s.move(ctx, tx, p, StatusPublishing, SystemActor, ActionPublish, "")
		}); err != nil && !errors.As(err, new(*MovedOnError)) && !errors.Is(err, storage.ErrConflict) {
			s.log.ErrorContext(ctx, "post not marked publishing", "post_id", p.ID, "err", err)
		}
	}
	callCtx, cancel := context.WithTimeout(callCtx, publishTimeout)
	start := s.now()
	published, err := a.Publisher.Publish(callCtx, social.Post{Text: p.Text, IdempotencyKey: d.IdempotencyKey})
	cancel()
	log := s.log.With("post_id", d.PostID, "delivery_id", d.ID, "network", a.Network, "attempt", d.Attempts)
	var netErr *social.Error
	switch {
	case err == nil:
	case errors.As(err, &netErr) && netErr.Class == social.Duplicate && netErr.Existing.ID != "":
		// The network already holds it: that is a success, recorded as such.
		log.InfoContext(ctx, "delivery was already published", "remote_id", netErr.Existing.ID)
		published, err = netErr.Existing, nil
	}
	if err == nil {
		now := s.now()
		if err := s.store.CompleteDelivery(ctx, d.ID, d.Attempts, published.ID, published.URL, now); err != nil {
			log.ErrorContext(ctx, "published but not recorded", "remote_id", published.ID, "err", err)
			return
		}
		log.InfoContext(ctx, "delivery published", "remote_id", published.ID, "latency", now.Sub(start))
		d.Status, d.RemoteID, d.RemoteURL, d.PublishedAt = storage.DeliveryPublished, published.ID, published.URL, now
		s.settlePost(ctx, d, EventPublished)
		return
	}
	message := err.Error()
	if netErr != nil {
		message = netErr.Message
	}
	if social.ClassOf(err) == social.Transient && !a.Publisher.Idempotent() && (netErr == nil || netErr.Status == 0) {
		// The request may have reached the network before the answer was
		// lost; without an idempotency key, sending it again could post
		// twice. A person decides.
		log.WarnContext(ctx, "delivery outcome unknown", "err", err)
		s.finishAs(ctx, d, storage.DeliveryUnknown, message, EventUnknown)
		return
	}
	if social.ClassOf(err) == social.Transient && d.Attempts < maxAttempts {
		next := s.now().Add(backoff(d.Attempts, err))
		if rerr := s.store.RetryDelivery(ctx, d.ID, d.Attempts, next, message, s.now()); rerr != nil {
			log.ErrorContext(ctx, "retry not recorded", "err", rerr)
			return
		}
		log.WarnContext(ctx, "delivery will be retried", "err", err, "next_attempt", next)
		s.Kick()
		return
	}
	log.ErrorContext(ctx, "delivery failed", "err", err)
	s.finish(ctx, d, message)
}

// finish ends a claimed delivery as failed, and tells the card.
func (s *Service) finish(ctx context.Context, d storage.Delivery, reason string) {
	s.finishAs(ctx, d, storage.DeliveryFailed, reason, EventFailed)
}

// finishAs ends a claimed delivery in status, and announces kind.
func (s *Service) finishAs(ctx context.Context, d storage.Delivery, status, reason string, kind EventKind) {
	if err := s.store.EndDelivery(ctx, d.ID, d.Attempts, status, reason, s.now()); err != nil {
		s.log.ErrorContext(ctx, "delivery end not recorded", "delivery_id", d.ID, "err", err)
		return
	}
	d.Status, d.LastError = status, reason
	s.settlePost(ctx, d, kind)
}

// backoff is how long to wait before attempt n+1: what the network asked
// for, or 30 s doubling each time, at most an hour.
func backoff(attempts int, err error) time.Duration {
	var netErr *social.Error
	if errors.As(err, &netErr) && netErr.RetryAfter > 0 {
		return min(netErr.RetryAfter, 6*time.Hour)
	}
	d := 30 * time.Second << max(attempts-1, 0)
	return min(d, time.Hour)
}

// settlePost announces a delivery's outcome in the card's thread and, once
// every delivery of the post has ended, ends the post: published, partial
// (some failed) or failed.
func (s *Service) settlePost(ctx context.Context, d storage.Delivery, kind EventKind) {
	err := s.store.WithTx(ctx, func(tx *storage.Tx) error {
		p, err := tx.Post(ctx, d.PostID)
		if err != nil || p.Status != StatusPublishing {
			return err
		}
		ds, err := tx.Deliveries(ctx, d.PostID)
		if err != nil {
			return err
		}
		published, ended := 0, 0
		for _, x := range ds {
			switch x.Status {
			case storage.DeliveryPublished:
				published++
				ended++
			case storage.DeliveryFailed, storage.DeliveryCanceled:
				ended++
			}
		}
		if ended < len(ds) {
			return nil // still going, or waiting for a person (unknown)
		}
		to := StatusPartial
		switch published {
		case len(ds):
			to = StatusPublished
		case 0:
			to = StatusFailed
		}
		return s.move(ctx, tx, p, to, SystemActor, ActionFinish, "")
	})
	if err != nil {
		s.log.ErrorContext(ctx, "post outcome not recorded", "post_id", d.PostID, "err", err)
	}
	a := s.byID[d.AccountID]
	t := s.target("", d)
	t.Count, t.Limit = 0, 0
	t.Network, t.DisplayName = a.Network, a.DisplayName
	s.afterChange(ctx, d.PostID, Event{Kind: kind, Target: &t, Reason: d.LastError})
}

// Drain waits until every publish call started by the dispatcher has ended,
// or ctx ends.
func (s *Service) Drain(ctx context.Context) error {
	done := make(chan struct{})
	go func() { s.inflight.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("workflows: drain: %w", ctx.Err())
	}
}
