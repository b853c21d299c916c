package workflows

import (
	"context"
	"fmt"
	"slices"
	"time"

	"catweete/storage"
)

// The Home tab's reach into the past: a person's posts changed within
// HomeWindow, HomeLimit of them at most.
const (
	HomeWindow = 30 * 24 * time.Hour
	HomeLimit  = 100
)

// AuthoredPost is one of a person's posts as their Home tab lists it:
// where it stands, when, and where it went out.
type AuthoredPost struct {
	Post Post
	// At is when it went out (its first publication), or when it is to go
	// out (its deliveries' time, else the time asked for); zero when
	// neither is known (as soon as approved, rejected, canceled).
	At time.Time
	// Links are its published deliveries, in the order of its accounts.
	Links []Link
	// Failed names the accounts where it failed or may not have gone out.
	Failed []string
	// Approvals are who approved this version, while it waits for them.
	Approvals []string
	Required  int
	// Decision is the last decision on this version by someone (changes
	// requested, rejection, cancellation); nil if none.
	Decision *Decision
}

// PostsBy returns the posts userID wrote that moved within HomeWindow, or
// that are still on their way (whatever their age), the most recently
// changed first.
func (s *Service) PostsBy(ctx context.Context, userID string) ([]AuthoredPost, error) {
	posts, err := s.store.PostsByAuthor(ctx, userID, HomeLimit)
	if err != nil {
		return nil, fmt.Errorf("workflows: posts by %s: %w", userID, err)
	}
	since := s.now().Add(-HomeWindow)
	out := make([]AuthoredPost, 0, len(posts))
	for _, p := range posts {
		if p.UpdatedAt.Before(since) && !onItsWay(p.Status) {
			continue
		}
		ap, err := s.authored(ctx, p)
		if err != nil {
			return nil, fmt.Errorf("workflows: posts by %s: %w", userID, err)
		}
		out = append(out, ap)
	}
	return out, nil
}

// onItsWay reports whether a post in this state still waits for someone
// or something: an old one is listed all the same.
func onItsWay(status string) bool {
	switch status {
	case StatusDraft, StatusPending, StatusChangesRequested, StatusApproved, StatusPublishing:
		return true
	}
	return false
}

func (s *Service) authored(ctx context.Context, p Post) (AuthoredPost, error) {
	ap := AuthoredPost{Post: p, Required: s.required}
	ds, err := s.store.Deliveries(ctx, p.ID)
	if err != nil {
		return ap, err
	}
	var due time.Time
	for _, d := range ds {
		name := s.accountName(d.AccountID)
		switch d.Status {
		case storage.DeliveryPublished:
			ap.Links = append(ap.Links, Link{Network: name, URL: d.RemoteURL})
			if ap.At.IsZero() || (!d.PublishedAt.IsZero() && d.PublishedAt.Before(ap.At)) {
				ap.At = d.PublishedAt
			}
		case storage.DeliveryFailed, storage.DeliveryUnknown:
			ap.Failed = append(ap.Failed, name)
		case storage.DeliveryScheduled, storage.DeliveryPublishing:
			if at := d.DueAt; !at.IsZero() && (due.IsZero() || at.Before(due)) {
				due = at
			}
		}
	}
	if ap.At.IsZero() && p.Status != StatusRejected && p.Status != StatusCanceled {
		ap.At = due
		if ap.At.IsZero() {
			ap.At = p.PublishAt
		}
	}
	if p.Status == StatusPending {
		approvals, err := s.store.Approvals(ctx, p.ID, p.Version)
		if err != nil {
			return ap, err
		}
		for _, a := range approvals {
			ap.Approvals = append(ap.Approvals, a.UserID)
		}
	}
	if p.Status == StatusChangesRequested || p.Status == StatusRejected || p.Status == StatusCanceled {
		log, err := s.store.AuditLog(ctx, p.ID)
		if err != nil {
			return ap, err
		}
		for _, e := range slices.Backward(log) {
			if e.Action == ActionRequestChanges || e.Action == ActionReject || e.Action == ActionCancel {
				ap.Decision = &Decision{ActorID: e.ActorID, Action: e.Action, Reason: e.Reason, At: e.At}
				break
			}
		}
	}
	return ap, nil
}

// accountName is an account's display name, or its number once removed
// from the configuration.
func (s *Service) accountName(id int64) string {
	if a, ok := s.byID[id]; ok {
		return a.DisplayName
	}
	return fmt.Sprintf("#%d", id)
}

// AwaitingDecisionBy returns the pending posts userID may decide on, oldest
// first: not their own, not already approved by them at this version.
// approver is false, with no posts, when userID may not approve at all.
func (s *Service) AwaitingDecisionBy(ctx context.Context, userID string) (posts []PendingPost, approver bool, err error) {
	approver, err = s.IsApprover(ctx, userID)
	if err != nil || !approver {
		return nil, approver, err
	}
	pending, err := s.Pending(ctx)
	if err != nil {
		return nil, true, err
	}
	for _, p := range pending {
		if p.Post.AuthorID != userID && !slices.Contains(p.Approvals, userID) {
			posts = append(posts, p)
		}
	}
	return posts, true, nil
}
