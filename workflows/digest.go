package workflows

import (
	"context"
	"fmt"
	"time"

	"catweete/storage"
)

// chartDays is how many days the digest's chart covers.
const chartDays = 7

// Digest is the daily digest: yesterday's posts with their numbers, the
// last days' figures for the chart, what waits for approval, what goes out
// today, what needs a look, and today's empty slots.
type Digest struct {
	Now      time.Time
	Location *time.Location
	// Yesterday sums up yesterday (team time) against the day before;
	// Posts are its deliveries with their latest figures.
	Yesterday Summary
	Posts     []storage.Measured
	// Days are the last seven days, oldest first, for the chart.
	Days      []DailyFigures
	Pending   []PendingPost
	Today     []UpcomingPost
	Attention []storage.DeliveryView
	// FreeSlots are today's posting slots nobody has booked yet.
	FreeSlots []time.Time
}

// Digest gathers the daily digest.
func (s *Service) Digest(ctx context.Context) (Digest, error) {
	now := s.now()
	local := now.In(s.loc)
	today := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, s.loc)
	tomorrow := today.AddDate(0, 0, 1)
	yesterday := today.AddDate(0, 0, -1)
	d := Digest{Now: now, Location: s.loc}
	var err error
	if d.Yesterday, err = s.Summarize(ctx, yesterday, today); err != nil {
		return d, err
	}
	if d.Posts, err = s.store.PublishedBetween(ctx, yesterday, today); err != nil {
		return d, fmt.Errorf("workflows: digest: %w", err)
	}
	if d.Days, err = s.Days(ctx, chartDays); err != nil {
		return d, err
	}
	if d.Pending, err = s.Pending(ctx); err != nil {
		return d, err
	}
	queue, err := s.Queue(ctx)
	if err != nil {
		return d, err
	}
	for _, q := range queue {
		if q.At.Before(tomorrow) {
			d.Today = append(d.Today, q)
		}
	}
	if d.Attention, err = s.store.DeliveriesInState(ctx, statusLimit, storage.DeliveryFailed, storage.DeliveryUnknown); err != nil {
		return d, fmt.Errorf("workflows: digest: %w", err)
	}
	free, err := s.FreeSlots(ctx, 24)
	if err != nil {
		return d, err
	}
	for _, t := range free {
		if t.Before(tomorrow) {
			d.FreeSlots = append(d.FreeSlots, t)
		}
	}
	return d, nil
}
