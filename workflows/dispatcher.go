package workflows

import (
	"context"
	"errors"
	"log/slog"
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
		s.stopping.Store(true)
		grace := time.AfterFunc(shutdownGrace, cancelCalls)
		s.inflight.Wait()
		grace.Stop()
		cancelCalls()
	}()
	// What the last run recorded but did not tell (it was killed in
	// between) is told first, before this run records anything it could
	// tell twice: a few deliveries at most, those that were in flight.
	if err := s.tellUntold(ctx); err != nil && ctx.Err() == nil {
		s.log.ErrorContext(ctx, "untold outcomes not told", "err", err)
	}
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
		// Publish latency runs from here, on the real clock: s.now may be
		// the playground's, which runs faster.
		claimedAt := time.Now()
		claimed, err := s.store.ClaimDeliveries(ctx, now, now.Add(leaseDuration), claimBatch)
		if err != nil {
			return 0, err
		}
		s.startPosts(ctx, claimed)
		for _, d := range claimed {
			slot := slots[d.AccountID]
			if slot == nil {
				// Its account left the configuration: nobody can publish it.
				if notify := s.end(ctx, d, storage.DeliveryFailed, "account no longer configured", EventFailed); notify != nil {
					notify()
				}
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
			s.flying.Store(d.ID, true)
			go func(d storage.Delivery) {
				defer s.inflight.Done()
				notify := s.publish(context.WithoutCancel(ctx), callCtx, d, claimedAt)
				s.flying.Delete(d.ID)
				<-slot
				if notify != nil {
					notify()
				}
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

// startPosts moves the approved posts of a claimed batch to publishing, in
// one transaction rather than one per delivery: the publishing path stays
// short when a thousand posts fall due at once. A post that cannot move
// (canceled meanwhile) is left to publish, which cancels its delivery.
func (s *Service) startPosts(ctx context.Context, claimed []storage.Delivery) {
	if len(claimed) == 0 {
		return
	}
	err := s.store.WithTx(ctx, func(tx *storage.Tx) error {
		seen := make(map[int64]bool, len(claimed))
		for _, d := range claimed {
			if seen[d.PostID] {
				continue
			}
			seen[d.PostID] = true
			p, err := tx.Post(ctx, d.PostID)
			if err != nil {
				return err
			}
			if p.Status != StatusApproved {
				continue
			}
			if err := s.move(ctx, tx, p, StatusPublishing, SystemActor, ActionPublish, ""); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		// Each delivery's publish moves its post itself, as a fallback.
		s.log.WarnContext(ctx, "posts not marked publishing in one go", "err", err)
	}
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
		if _, mine := s.flying.Load(d.ID); mine {
			// Still being published by this process: its lease is renewed
			// before its call, so it only looks expired while it waits.
			continue
		}
		a, ok := s.byID[d.AccountID]
		to := storage.DeliveryUnknown
		if ok && a.Publisher.Idempotent() || d.CalledAttempt != d.Attempts {
			// Sent again: under its key, which the network recognizes; or
			// its call never started (it was claimed, and waited for its
			// account's turn), so nothing of it reached the network.
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
			s.settlePost(ctx, d, EventUnknown, SystemActor)
		}
	}
	return nil
}

// publish makes one attempt at one claimed delivery and records its
// outcome. The network call runs under callCtx; the records are written
// under ctx, which a shutdown does not cancel, so that an outcome is never
// lost. It returns what to tell Slack, to be done once the account's
// publishing slot is free again: a slow Slack must not hold a network slot
// (and with it the leases of the deliveries waiting behind).
//
// The publish latency it reports runs from claimedAt, the claim, rather
// than from the due time: a due time can lie hours back (an approval after
// the post's time, a night catweete was stopped), which would drown the
// network's and the dispatcher's own delays in people's. It includes the
// wait for one of the account's slots. How late after its due time a post
// goes out is what the lateness benchmark measures.
func (s *Service) publish(ctx, callCtx context.Context, d storage.Delivery, claimedAt time.Time) (notify func()) {
	a := s.byID[d.AccountID]
	log := s.log.With("post_id", d.PostID, "delivery_id", d.ID, "network", a.Network, "attempt", d.Attempts)
	p, err := s.store.Post(ctx, d.PostID)
	if err != nil {
		log.ErrorContext(ctx, "delivery without its post", "err", err)
		return s.end(ctx, d, storage.DeliveryFailed, "post not found", EventFailed)
	}
	// The post must be on its way out: a post canceled between the claim
	// and now is not published.
	if p.Status == StatusApproved {
		err := s.store.WithTx(ctx, func(tx *storage.Tx) error {
			return s.move(ctx, tx, p, StatusPublishing, SystemActor, ActionPublish, "")
		})
		switch {
		case err == nil:
			p.Status = StatusPublishing
		case errors.As(err, new(*MovedOnError)) || errors.Is(err, storage.ErrConflict):
			if p, err = s.store.Post(ctx, d.PostID); err != nil {
				log.ErrorContext(ctx, "post unreadable", "err", err)
				return s.release(ctx, d)
			}
		default:
			log.ErrorContext(ctx, "post not marked publishing", "err", err)
			return s.release(ctx, d)
		}
	}
	if p.Status != StatusPublishing {
		log.InfoContext(ctx, "post no longer going out; delivery canceled", "post_status", p.Status)
		return s.end(ctx, d, storage.DeliveryCanceled, "post "+p.Status, EventDeliveryCanceled)
	}
	// The claim's lease started when it was claimed; it may have waited
	// for a slot since. Renewing it now, guarded on this attempt, makes
	// sure no recovery hands the delivery to another attempt mid-call.
	// The key minted with the draft may be days old, and Bluesky takes
	// record keys (TIDs) close to the present only: at the first call,
	// before anything reached the network, a fresh one is stored in the
	// same statement.
	freshKey := ""
	if d.CalledAttempt == 0 && d.LastError == "" {
		if key, err := s.newIdempotencyKey(s.now()); err == nil {
			freshKey = key
		}
	}
	if err := s.store.RenewLease(ctx, d.ID, d.Attempts, s.now().Add(leaseDuration), freshKey); err != nil {
		log.WarnContext(ctx, "claim lost before publishing; left to its new owner", "err", err)
		return nil
	}
	if freshKey != "" {
		d.IdempotencyKey = freshKey
	}

	// Closed once the dispatcher stopped and its grace ran out.
	stopped := callCtx.Done()
	callCtx, cancel := context.WithTimeout(callCtx, publishTimeout)
	start := s.now()
	text := s.tagger.Text(p.Text, a.Network, p.ID)
	published, err := a.Publisher.Publish(callCtx, social.Post{Text: text, IdempotencyKey: d.IdempotencyKey})
	cancel()
	s.accountHealth(ctx, a, err)
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
		if !s.recordPublished(ctx, stopped, log, d, published, now) {
			return nil
		}
		log.InfoContext(ctx, "delivery published", "remote_id", published.ID, "latency", now.Sub(start))
		s.observer.Published(a.Network, time.Since(claimedAt))
		// The audience it went out to: the base of its reach rate.
		if n, ok, err := s.store.Followers(ctx, a.ID, now); err == nil && ok {
			if err := s.store.SetFollowersAtPublish(ctx, d.ID, n); err != nil {
				log.WarnContext(ctx, "followers at publication not recorded", "err", err)
			}
		}
		d.Status, d.RemoteID, d.RemoteURL, d.PublishedAt = storage.DeliveryPublished, published.ID, published.URL, now
		return func() { s.settlePost(ctx, d, EventPublished, SystemActor) }
	}
	message := err.Error()
	if netErr != nil {
		message = netErr.Message
	}
	// The request may have reached the network before the answer was lost;
	// without an idempotency key, sending it again could post twice.
	outcomeLost := social.ClassOf(err) == social.Transient && !a.Publisher.Idempotent() && (netErr == nil || netErr.Status == 0)
	class := errorClass(err)
	if outcomeLost {
		class = ErrorUnknownOutcome
	}
	s.observer.NetworkError(a.Network, class)
	log = log.With("error_class", class)
	if outcomeLost {
		// A person decides.
		log.WarnContext(ctx, "delivery outcome unknown", "err", err)
		return s.end(ctx, d, storage.DeliveryUnknown, message, EventUnknown)
	}
	// No answer, or a 2xx cut short: the network may hold the post.
	unclear := netErr == nil || netErr.Status == 0 || social.Success(netErr.Status)
	if social.ClassOf(err) == social.Transient && d.Attempts < maxAttempts {
		next := s.now().Add(backoff(d.Attempts, err))
		retry := s.store.RetryDelivery
		if unclear {
			retry = s.store.RetryUnansweredDelivery
		}
		if rerr := retry(ctx, d.ID, d.Attempts, next, message, s.now()); rerr != nil {
			log.ErrorContext(ctx, "retry not recorded", "err", rerr)
			return nil
		}
		log.WarnContext(ctx, "delivery will be retried", "err", err, "next_attempt", next)
		s.Kick()
		return nil
	}
	if social.ClassOf(err) == social.Transient && (unclear || d.Unsure) {
		// Out of attempts, but this call or an earlier one may have
		// reached the network: "failed" could be a lie. A person checks;
		// Retry sends it under its same key.
		log.WarnContext(ctx, "delivery out of attempts, outcome unknown", "err", err)
		return s.end(ctx, d, storage.DeliveryUnknown, message, EventUnknown)
	}
	log.ErrorContext(ctx, "delivery failed", "err", err)
	return s.end(ctx, d, storage.DeliveryFailed, message, EventFailed)
}

// Asking a database that could not record a publication again: from
// recordRetryFirst, doubling up to recordRetryMax.
const (
	recordRetryFirst = 250 * time.Millisecond
	recordRetryMax   = 30 * time.Second
)

// recordPublished records a delivery the network took, and reports whether
// it did. The network holds the post: sending it again could post it twice,
// so a database that cannot take the record now (busy, full) is asked
// again, with backoff, for as long as the dispatcher runs. Meanwhile the
// delivery stays in flight here, out of lease recovery's reach, and its
// account's slot stays taken: nothing more goes out on an account whose
// outcomes cannot be written. Only once stopped closes does it give up: the
// lease then expires, and the next start makes the delivery unknown (a
// person checks) or, on a network that honours keys, tries it again under
// the same key, which the network recognizes.
func (s *Service) recordPublished(ctx context.Context, stopped <-chan struct{}, log *slog.Logger, d storage.Delivery, published social.Published, at time.Time) bool {
	wait := recordRetryFirst
	for failures := 0; ; failures++ {
		err := s.store.CompleteDelivery(ctx, d.ID, d.Attempts, published.ID, published.URL, at)
		switch {
		case err == nil:
			if failures > 0 {
				log.InfoContext(ctx, "publication recorded at last", "remote_id", published.ID, "tries", failures+1)
			}
			return true
		case errors.Is(err, storage.ErrConflict):
			// Someone else wrote its outcome: nothing left to record here.
			log.ErrorContext(ctx, "published, but the delivery moved on meanwhile", "remote_id", published.ID, "err", err)
			return false
		case failures == 0:
			log.ErrorContext(ctx, "published but not recorded; asking the database again", "remote_id", published.ID, "err", err)
		}
		timer := time.NewTimer(wait)
		select {
		case <-stopped:
			timer.Stop()
			log.ErrorContext(ctx, "published but not recorded at stop: its lease will expire, and the next start will not send it again without its key",
				"remote_id", published.ID, "remote_url", published.URL, "err", err)
			return false
		case <-timer.C:
		}
		wait = min(wait*2, recordRetryMax)
	}
}

// release gives a claim back to the schedule without an attempt: the
// delivery could not even be started (the database hiccuped).
func (s *Service) release(ctx context.Context, d storage.Delivery) func() {
	if err := s.store.RetryDelivery(ctx, d.ID, d.Attempts, s.now().Add(backoff(d.Attempts, nil)), "", s.now()); err != nil {
		s.log.ErrorContext(ctx, "claim not released", "post_id", d.PostID, "delivery_id", d.ID, "err", err)
	}
	return nil
}

// end moves a claimed delivery to a final state and returns the
// announcement of kind.
func (s *Service) end(ctx context.Context, d storage.Delivery, status, reason string, kind EventKind) func() {
	if err := s.store.EndDelivery(ctx, d.ID, d.Attempts, status, reason, s.now()); err != nil {
		s.log.ErrorContext(ctx, "delivery end not recorded", "post_id", d.PostID, "delivery_id", d.ID, "err", err)
		return nil
	}
	d.Status, d.LastError = status, reason
	return func() { s.settlePost(ctx, d, kind, SystemActor) }
}

// maxRetryWait bounds every wait between two attempts. It stays under the
// hour Mastodon keeps an idempotency key: a retry after a lost answer must
// still carry a key the network remembers, or it could post twice. A
// network that asks for a longer wait gets asked again then.
const maxRetryWait = 50 * time.Minute

// backoff is how long to wait before attempt n+1: what the network asked
// for, or 30 s doubling each time, never more than maxRetryWait.
func backoff(attempts int, err error) time.Duration {
	var netErr *social.Error
	if errors.As(err, &netErr) && netErr.RetryAfter > 0 {
		return min(netErr.RetryAfter, maxRetryWait)
	}
	d := 30 * time.Second << min(max(attempts-1, 0), 16)
	return min(d, maxRetryWait)
}

// settlePost announces a delivery's outcome in the card's thread and, once
// every delivery of the post has ended, ends the post: published, partial
// (some failed) or failed. A failure or an uncertain outcome also gets an
// alert in the approval channel, with the buttons to act on it.
func (s *Service) settlePost(ctx context.Context, d storage.Delivery, kind EventKind, actor string) {
	err := s.store.WithTx(ctx, func(tx *storage.Tx) error {
		p, err := tx.Post(ctx, d.PostID)
		if err != nil {
			return err
		}
		if p.Status == StatusApproved && d.Status != storage.DeliveryCanceled {
			// A crash left its first delivery claimed before the post
			// moved on: it is on its way out all the same.
			if err := s.move(ctx, tx, p, StatusPublishing, SystemActor, ActionPublish, ""); err != nil {
				return err
			}
			p.Status = StatusPublishing
		}
		if p.Status != StatusPublishing {
			return nil
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
	t := s.deliveryTarget(d)
	ev := Event{Kind: kind, ActorID: actor, Target: &t, Reason: d.LastError}
	s.afterChange(ctx, d.PostID, ev)
	if kind == EventFailed || kind == EventUnknown {
		ctx, cancel := s.notifyContext(ctx)
		defer cancel()
		card, err := s.Card(ctx, d.PostID)
		if err == nil {
			err = s.notifier.Alert(ctx, card, ev)
		}
		if err != nil {
			s.log.ErrorContext(ctx, "alert not posted", "post_id", d.PostID, "delivery_id", d.ID, "err", err)
		}
	}
	// Told, or tried: a Slack that refused is not asked again at the next
	// start, as it is not now.
	if err := s.store.SetTold(ctx, d.ID, d.Status); err != nil {
		s.log.ErrorContext(ctx, "delivery outcome not marked told", "post_id", d.PostID, "delivery_id", d.ID, "err", err)
	}
}

// tellUntold settles the deliveries whose outcome was recorded but not told
// when catweete last stopped (killed between the two): their posts end as
// their deliveries say, their cards are redrawn, the links go in the
// threads and the alerts to the approval channel, as settlePost would have
// done then.
func (s *Service) tellUntold(ctx context.Context) error {
	ds, err := s.store.UntoldDeliveries(ctx)
	if err != nil {
		return err
	}
	for _, d := range ds {
		kind := EventPublished
		switch {
		case d.Status == storage.DeliveryFailed:
			kind = EventFailed
		case d.Status == storage.DeliveryUnknown:
			kind = EventUnknown
		case d.RemoteID == "" && d.RemoteURL == "":
			// A person said it went out: there is no link to give.
			kind = EventConfirmed
		}
		s.log.InfoContext(ctx, "delivery outcome told after a restart", "post_id", d.PostID, "delivery_id", d.ID, "status", d.Status)
		s.settlePost(ctx, d, kind, SystemActor)
	}
	return nil
}

// accountHealth records whether the network accepted the account's token,
// and announces a refusal once, not on every post.
func (s *Service) accountHealth(ctx context.Context, a Account, err error) {
	state, detail := storage.AccountOK, ""
	if err != nil {
		if !social.Rejected(err) {
			return
		}
		state, detail = storage.AccountRejected, err.Error()
		var netErr *social.Error
		if errors.As(err, &netErr) {
			detail = netErr.Message
		}
	}
	changed, serr := s.store.SetAccountState(ctx, a.ID, state, detail, s.now())
	if serr != nil {
		s.log.ErrorContext(ctx, "account state not recorded", "account", a.ID, "err", serr)
		return
	}
	if !changed {
		return
	}
	s.log.WarnContext(ctx, "account state changed", "network", a.Network, "account", a.ID, "state", state)
	if state == storage.AccountRejected {
		acct := a.Account
		acct.State, acct.StateDetail = state, detail
		if err := s.notifier.Alert(ctx, Card{Location: s.loc}, Event{Kind: EventAccountRejected, Account: &acct, Reason: detail}); err != nil {
			s.log.ErrorContext(ctx, "account alert not posted", "account", a.ID, "err", err)
		}
	}
}
