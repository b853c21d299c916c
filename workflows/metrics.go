package workflows

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"catweete/social"
	"catweete/storage"
)

// Measurer is a Publisher that can say how a published post did.
type Measurer interface {
	Metrics(ctx context.Context, remoteID string) (social.Metrics, error)
}

// Collection tuning.
const (
	measureBatch   = 500
	measureTimeout = 20 * time.Second
	// collectRoundLimit bounds a round, under the 5 minutes between two.
	collectRoundLimit = 4 * time.Minute
	// followersEvery is how often each account's audience is measured.
	followersEvery = 23 * time.Hour
	// A post takes off when, in its first hour, it passes takeOffFactor
	// times the median of the account's recent posts at the same age —
	// judged against at least takeOffHistory of them.
	takeOffFactor  = 2
	takeOffHistory = 3
	takeOffWindow  = time.Hour
)

// CollectMetrics asks each network for the figures of the published posts
// that are due (often in their first day, then hourly, then daily, for a
// month) and stores them as snapshots. Networks are asked in parallel; one
// that fails or hangs does not hold the others, and its posts are asked
// again next round.
func (s *Service) CollectMetrics(ctx context.Context) error {
	// One round at a time: a hung network must not make rounds pile up
	// and ask for the same posts twice.
	if !s.collecting.CompareAndSwap(false, true) {
		s.log.InfoContext(ctx, "metrics round skipped: the previous one is still running")
		return nil
	}
	defer s.collecting.Store(false)
	ctx, cancel := context.WithTimeout(ctx, collectRoundLimit)
	defer cancel()
	now := s.now()
	due, err := s.store.DeliveriesToMeasure(ctx, now, measureBatch)
	if err != nil {
		return fmt.Errorf("workflows: metrics: %w", err)
	}
	byAccount := make(map[int64][]storage.DeliveryView)
	for _, d := range due {
		byAccount[d.AccountID] = append(byAccount[d.AccountID], d)
	}
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
	)
	for accountID, ds := range byAccount {
		a, ok := s.byID[accountID]
		if !ok {
			continue
		}
		measurer, ok := a.Publisher.(Measurer)
		if !ok {
			continue
		}
		wg.Go(func() {
			for _, d := range ds {
				if err := s.measure(ctx, a, measurer, d); err != nil {
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
					if ctx.Err() != nil {
						return
					}
				}
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

func (s *Service) measure(ctx context.Context, a Account, measurer Measurer, d storage.DeliveryView) error {
	callCtx, cancel := context.WithTimeout(ctx, measureTimeout)
	m, err := measurer.Metrics(callCtx, d.RemoteID)
	cancel()
	if err != nil {
		s.log.WarnContext(ctx, "metrics not collected", "post_id", d.PostID, "delivery_id", d.ID, "network", a.Network, "err", err)
		if terr := s.store.MetricsTried(ctx, d.ID, s.now()); terr != nil {
			err = errors.Join(err, terr)
		}
		return fmt.Errorf("workflows: metrics of delivery %d: %w", d.ID, err)
	}
	now := s.now()
	f := figuresOf(m)
	err = s.store.WithTx(ctx, func(tx *storage.Tx) error {
		if err := tx.RecordMetrics(ctx, d.ID, now, f); err != nil {
			return err
		}
		// The audience it went out to, as soon as it is known.
		if n, ok, err := tx.FollowersAround(ctx, a.ID, d.PublishedAt); err != nil || !ok {
			return err
		} else {
			return tx.SetFollowersAtPublish(ctx, d.ID, n)
		}
	})
	if err != nil {
		return fmt.Errorf("workflows: metrics of delivery %d: %w", d.ID, err)
	}
	if now.Sub(d.PublishedAt) <= takeOffWindow {
		s.checkTakeOff(ctx, a, d, f)
	}
	return nil
}

func figuresOf(m social.Metrics) storage.Figures {
	c := func(x social.Count) storage.Count { return storage.Count{Value: x.Value, Known: x.Known} }
	return storage.Figures{Impressions: c(m.Impressions), Reach: c(m.Reach), Likes: c(m.Likes), Reposts: c(m.Reposts),
		Replies: c(m.Replies), Quotes: c(m.Quotes), Clicks: c(m.Clicks), Saves: c(m.Saves)}
}

// score is what a take-off is judged on: reach where the network gives it,
// else engagements.
func score(f storage.Figures) (int64, bool) {
	if f.Reach.Known {
		return f.Reach.Value, true
	}
	e := Engagements(f)
	return e.Value, e.Known
}

// checkTakeOff announces, once, a post that passes twice its account's
// median in its first hour.
func (s *Service) checkTakeOff(ctx context.Context, a Account, d storage.DeliveryView, f storage.Figures) {
	mine, ok := score(f)
	if !ok || mine == 0 {
		return
	}
	history, err := s.store.FirstHourScores(ctx, a.ID, d.ID, 30)
	if err != nil {
		s.log.WarnContext(ctx, "take-off not judged", "delivery_id", d.ID, "err", err)
		return
	}
	if len(history) < takeOffHistory {
		return
	}
	median := Median(history)
	if float64(mine) <= takeOffFactor*median {
		return
	}
	first, err := s.store.MarkShouted(ctx, d.ID, s.now())
	if err != nil || !first {
		return
	}
	s.log.InfoContext(ctx, "post takes off", "post_id", d.PostID, "network", a.Network, "score", mine, "median", median)
	t := s.deliveryTarget(d.Delivery)
	s.afterChange(ctx, d.PostID, Event{Kind: EventTakeOff, Target: &t, Figures: f, Median: median})
}

// Median is the middle of values (the mean of the two middle ones for an
// even count); 0 for none.
func Median(values []int64) float64 {
	if len(values) == 0 {
		return 0
	}
	v := slices.Clone(values)
	slices.Sort(v)
	mid := len(v) / 2
	if len(v)%2 == 1 {
		return float64(v[mid])
	}
	return float64(v[mid-1]+v[mid]) / 2
}

// CollectFollowers measures, about once a day, each account's audience:
// the base of reach rates.
func (s *Service) CollectFollowers(ctx context.Context) error {
	now := s.now()
	var errs []error
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, a := range s.accounts {
		profiler, ok := a.Publisher.(Profiler)
		if !ok {
			continue
		}
		last, err := s.store.LastFollowersAt(ctx, a.ID)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if !last.IsZero() && now.Sub(last) < followersEvery {
			continue
		}
		wg.Go(func() {
			callCtx, cancel := context.WithTimeout(ctx, profileTimeout)
			p, err := profiler.Profile(callCtx)
			cancel()
			s.accountHealth(ctx, a, err)
			if err == nil && p.Followers.Known {
				err = s.store.RecordFollowers(ctx, a.ID, now, p.Followers.Value)
			}
			if err != nil {
				s.log.WarnContext(ctx, "followers not collected", "network", a.Network, "err", err)
				mu.Lock()
				errs = append(errs, fmt.Errorf("workflows: followers of %s: %w", a.Network, err))
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}
