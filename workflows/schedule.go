package workflows

import (
	"context"
	"errors"
	"fmt"
	"time"

	"catweete/storage"
)

// lateGrace is how far past its time an approval may come and still be
// published without asking: a minute late is on time.
const lateGrace = time.Minute

// nudgeAhead is how long before a pending post's time its approvers are
// reminded.
const nudgeAhead = time.Hour

// slotHorizon bounds the search for booked slots.
const slotHorizon = 60 * 24 * time.Hour

// dueTime decides when an approved post goes out: at its time; or, with no
// time, at the next free posting slot, or at once when there are no slots.
// late is true when its time has passed: then a person decides.
func (s *Service) dueTime(ctx context.Context, q *storage.Tx, p Post, now time.Time) (due time.Time, late bool, err error) {
	switch {
	case !p.PublishAt.IsZero() && p.PublishAt.Before(now.Add(-lateGrace)):
		return time.Time{}, true, nil
	case !p.PublishAt.IsZero():
		return maxTime(p.PublishAt, now), false, nil
	case s.slots.Empty():
		return now, false, nil
	}
	slot, err := s.nextFreeSlot(ctx, q, now, p.ID)
	return slot, false, err
}

// nextFreeSlot is the first posting slot after now that no post other than
// postID has booked; now itself when the schedule has no slot in the next
// 60 days.
func (s *Service) nextFreeSlot(ctx context.Context, q interface {
	BookedTimes(context.Context, time.Time, time.Time, int64) ([]time.Time, error)
}, now time.Time, postID int64) (time.Time, error) {
	booked, err := q.BookedTimes(ctx, now, now.Add(slotHorizon), postID)
	if err != nil {
		return time.Time{}, err
	}
	taken := make(map[int64]bool, len(booked))
	for _, b := range booked {
		taken[b.Unix()] = true
	}
	slot, ok := s.slots.Next(now, s.loc, func(t time.Time) bool { return taken[t.Unix()] })
	if !ok {
		return now, nil
	}
	return slot, nil
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// FreeSlots returns the next n posting slots nobody has booked.
func (s *Service) FreeSlots(ctx context.Context, n int) ([]time.Time, error) {
	if s.slots.Empty() {
		return nil, nil
	}
	now := s.now()
	booked, err := s.store.BookedTimes(ctx, now, now.Add(slotHorizon), 0)
	if err != nil {
		return nil, fmt.Errorf("workflows: free slots: %w", err)
	}
	taken := make(map[int64]bool, len(booked))
	for _, b := range booked {
		taken[b.Unix()] = true
	}
	var free []time.Time
	after := now
	for len(free) < n {
		slot, ok := s.slots.Next(after, s.loc, func(t time.Time) bool { return taken[t.Unix()] })
		if !ok {
			break
		}
		free = append(free, slot)
		after = slot
	}
	return free, nil
}

// Slots returns the posting schedule.
func (s *Service) Slots() Slots { return s.slots }

// Schedule sets when a post goes out. Its author and the approvers may,
// until it starts publishing; an approved post is moved at once. The zero
// time means "as soon as approved" (or the next free slot).
func (s *Service) Schedule(ctx context.Context, id int64, userID string, at time.Time) (Post, error) {
	now := s.now()
	if !at.IsZero() && at.Before(now.Add(-lateGrace)) {
		return Post{}, ErrPastTime
	}
	ok, err := s.policy.isApprover(ctx, userID)
	if err != nil {
		return Post{}, fmt.Errorf("workflows: approvers: %w", err)
	}
	var rescheduled bool
	err = s.store.WithTx(ctx, func(tx *storage.Tx) error {
		p, err := tx.Post(ctx, id)
		if err != nil {
			return err
		}
		if p.AuthorID != userID && !ok {
			return ErrNotApprover
		}
		switch p.Status {
		case StatusDraft, StatusPending, StatusChangesRequested, StatusApproved:
		default:
			return movedOn(ctx, tx, p)
		}
		// A delivery already on its way cannot be moved: too late.
		if err := noneStarted(ctx, tx, p); err != nil {
			return err
		}
		if err := tx.SetPublishAt(ctx, id, at, now, p.Status); err != nil {
			return err
		}
		if err := tx.InsertAudit(ctx, storage.AuditEntry{PostID: id, ActorID: userID, Action: ActionSchedule,
			From: p.Status, To: p.Status, Version: p.Version, Reason: scheduleReason(at), At: now}); err != nil {
			return err
		}
		if p.Status != StatusApproved {
			return nil
		}
		p.PublishAt = at
		due, late, err := s.dueTime(ctx, tx, p, now)
		if err != nil || late {
			return err
		}
		// Approved and waiting for its time (or for a person, when its
		// approval came late): both go to the new time.
		if _, err := tx.RescheduleDeliveries(ctx, id, due, now); err != nil {
			return err
		}
		_, err = tx.ScheduleDeliveries(ctx, id, due, now)
		rescheduled = true
		return err
	})
	if err != nil {
		return Post{}, fmt.Errorf("workflows: schedule post %d: %w", id, err)
	}
	s.log.InfoContext(ctx, "post scheduled", "post_id", id, "user", userID, "at", at)
	if rescheduled {
		s.Kick()
	}
	return s.afterChange(ctx, id, Event{Kind: EventScheduled, ActorID: userID}), nil
}

func scheduleReason(at time.Time) string {
	if at.IsZero() {
		return "as soon as approved"
	}
	return at.UTC().Format(time.RFC3339)
}

// Release answers a late approval: the post goes out now, or at the next
// free slot (nextSlot). Its author and the approvers may decide.
func (s *Service) Release(ctx context.Context, id int64, userID string, nextSlot bool) (Post, error) {
	ok, err := s.policy.isApprover(ctx, userID)
	if err != nil {
		return Post{}, fmt.Errorf("workflows: approvers: %w", err)
	}
	err = s.store.WithTx(ctx, func(tx *storage.Tx) error {
		p, err := tx.Post(ctx, id)
		if err != nil {
			return err
		}
		if p.AuthorID != userID && !ok {
			return ErrNotApprover
		}
		if p.Status != StatusApproved {
			return movedOn(ctx, tx, p)
		}
		now := s.now()
		due := now
		if nextSlot && !s.slots.Empty() {
			if due, err = s.nextFreeSlot(ctx, tx, now, p.ID); err != nil {
				return err
			}
		}
		n, err := tx.ScheduleDeliveries(ctx, id, due, now)
		if err != nil {
			return err
		}
		if n == 0 {
			return movedOn(ctx, tx, p)
		}
		return tx.InsertAudit(ctx, storage.AuditEntry{PostID: id, ActorID: userID, Action: ActionSchedule,
			From: p.Status, To: p.Status, Version: p.Version, Reason: scheduleReason(due), At: now})
	})
	if err != nil {
		return Post{}, fmt.Errorf("workflows: release post %d: %w", id, err)
	}
	s.Kick()
	return s.afterChange(ctx, id, Event{Kind: EventScheduled, ActorID: userID}), nil
}

// Nudge reminds the approvers of pending posts whose time is less than an
// hour away, once per post, in the card's thread.
func (s *Service) Nudge(ctx context.Context) error {
	now := s.now()
	posts, err := s.store.PostsToNudge(ctx, now.Add(nudgeAhead))
	if err != nil {
		return fmt.Errorf("workflows: nudge: %w", err)
	}
	var errs []error
	for _, p := range posts {
		first, err := s.store.MarkNudged(ctx, p.ID, now)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if !first {
			continue
		}
		users, groups := s.Approvers()
		s.log.InfoContext(ctx, "approvers nudged", "post_id", p.ID)
		if _, err := s.refreshCard(ctx, p.ID, &Event{Kind: EventNudge, Approvers: append(users, groups...)}); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Sweep is the minute's housekeeping: approvers reminded before their
// posts' time, and the cards that Slack refused earlier posted again, so
// that no post is left without its buttons.
func (s *Service) Sweep(ctx context.Context) error {
	errNudge := s.Nudge(ctx)
	posts, err := s.store.PostsWithoutCard(ctx, 20)
	if err != nil {
		return errors.Join(errNudge, fmt.Errorf("workflows: sweep: %w", err))
	}
	var errs []error
	for _, p := range posts {
		if _, err := s.refreshCard(ctx, p.ID, nil); err != nil {
			errs = append(errs, fmt.Errorf("workflows: card of post %d: %w", p.ID, err))
			continue
		}
		s.log.InfoContext(ctx, "card posted late", "post_id", p.ID)
	}
	return errors.Join(append(errs, errNudge)...)
}
