package workflows

import (
	"context"
	"fmt"
	"time"

	"catweete/storage"
)

// Card is everything the approval card shows about a post.
type Card struct {
	Post     Post
	Targets  []Target
	Approved []string // user ids who approved this version, in order
	Required int
	// Decision is the last decision by someone other than the author
	// (approval, changes requested, rejection, cancellation); nil if none.
	Decision *Decision
	Location *time.Location
}

// Target is one account a post goes to, with its length on that network
// and its delivery.
type Target struct {
	Network     string
	DisplayName string
	Count       int
	Limit       int
	Delivery    storage.Delivery
}

// Decision is who decided what about a post, and why.
type Decision struct {
	ActorID string
	Action  string
	Reason  string
	At      time.Time
}

// EventKind is what happened to a post, for the line in the card's thread.
type EventKind int

// Kinds of events announced in a card's thread.
const (
	EventApprovalCounted EventKind = iota + 1 // one approval, more needed
	EventApproved
	EventChangesRequested
	EventRejected
	EventEdited
	EventCanceled
	EventPublished // one delivery went out: Event.Target says where
	EventFailed    // one delivery failed for good
	EventUnknown   // one delivery may or may not have gone out
	EventRetrying  // one delivery failed and will be tried again
)

func (k EventKind) String() string {
	switch k {
	case EventApprovalCounted:
		return "approval_counted"
	case EventApproved:
		return "approved"
	case EventChangesRequested:
		return "changes_requested"
	case EventRejected:
		return "rejected"
	case EventEdited:
		return "edited"
	case EventCanceled:
		return "canceled"
	case EventPublished:
		return "published"
	case EventFailed:
		return "failed"
	case EventUnknown:
		return "unknown"
	case EventRetrying:
		return "retrying"
	}
	return fmt.Sprintf("event(%d)", int(k))
}

// Event is one thing that happened to a post.
type Event struct {
	Kind    EventKind
	ActorID string
	Reason  string
	// Count and Required, for approvals.
	Count    int
	Required int
	// Diff, for edits.
	Diff []DiffOp
	// Target, for deliveries: the account and its delivery as it ended.
	Target *Target
}

// Card gathers what the approval card of post id shows.
func (s *Service) Card(ctx context.Context, id int64) (Card, error) {
	p, err := s.store.Post(ctx, id)
	if err != nil {
		return Card{}, fmt.Errorf("workflows: card: %w", err)
	}
	ds, err := s.store.Deliveries(ctx, id)
	if err != nil {
		return Card{}, fmt.Errorf("workflows: card: %w", err)
	}
	approvals, err := s.store.Approvals(ctx, id, p.Version)
	if err != nil {
		return Card{}, fmt.Errorf("workflows: card: %w", err)
	}
	log, err := s.store.AuditLog(ctx, id)
	if err != nil {
		return Card{}, fmt.Errorf("workflows: card: %w", err)
	}
	card := Card{Post: p, Required: s.required, Location: s.loc}
	for _, d := range ds {
		card.Targets = append(card.Targets, s.target(p.Text, d))
	}
	for _, a := range approvals {
		card.Approved = append(card.Approved, a.UserID)
	}
	for i := len(log) - 1; i >= 0; i-- {
		e := log[i]
		switch e.Action {
		case ActionApprove, ActionRequestChanges, ActionReject, ActionCancel:
			if e.Version == p.Version || e.Action == ActionCancel {
				card.Decision = &Decision{ActorID: e.ActorID, Action: e.Action, Reason: e.Reason, At: e.At}
			}
		}
		if card.Decision != nil || e.Action == ActionEdit {
			break
		}
	}
	return card, nil
}

func (s *Service) target(text string, d storage.Delivery) Target {
	t := Target{Delivery: d}
	if a, ok := s.byID[d.AccountID]; ok {
		t.Network = a.Network
		t.DisplayName = a.DisplayName
		t.Count, t.Limit = a.Publisher.Length(text)
	} else {
		// An account removed from the configuration since the draft.
		t.Network, t.DisplayName = "?", fmt.Sprintf("#%d", d.AccountID)
	}
	return t
}
