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
	// At is when the post goes out: its time, its deliveries' due time, or
	// the next free slot it would take; zero when "as soon as approved".
	At time.Time
	// Late is set when the post was approved after its time: it waits for
	// a person to say "now" or "next slot".
	Late      bool
	Preflight Preflight
	// Campaign is the utm_campaign its links carry; empty when no link was
	// tagged.
	Campaign string
}

// Target is one account a post goes to, with its length on that network
// and its delivery.
type Target struct {
	Network     string
	DisplayName string
	// Text is what this network receives: campaign tags on the links.
	Text     string
	Count    int
	Limit    int
	Delivery storage.Delivery
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
	EventPublished        // one delivery went out: Event.Target says where
	EventFailed           // one delivery failed for good
	EventUnknown          // one delivery may or may not have gone out
	EventRetrying         // one delivery failed and will be tried again
	EventScheduled        // the post's time changed, or a late post was released
	EventLate             // approved after its time: a person decides
	EventNudge            // the post's time is near and it waits for approval
	EventRetried          // a person sent a failed delivery again
	EventConfirmed        // a person said an uncertain delivery did go out
	EventAccountRejected  // the network refused an account's token
	EventDeliveryCanceled // a person gave up a failed or uncertain delivery
	EventTakeOff          // a post passes twice its account's usual first hour
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
	case EventScheduled:
		return "scheduled"
	case EventLate:
		return "late"
	case EventNudge:
		return "nudge"
	case EventRetried:
		return "retried"
	case EventConfirmed:
		return "confirmed"
	case EventAccountRejected:
		return "account_rejected"
	case EventDeliveryCanceled:
		return "delivery_canceled"
	case EventTakeOff:
		return "take_off"
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
	// Approvers, for nudges: user and user-group ids to mention.
	Approvers []string
	// Account, for account events.
	Account *storage.Account
	// Figures and Median, for a take-off: what the post reached, and the
	// account's usual first hour.
	Figures storage.Figures
	Median  float64
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
		card.Targets = append(card.Targets, s.target(p, d))
	}
	for _, a := range approvals {
		card.Approved = append(card.Approved, a.UserID)
	}
	// When it goes out: its deliveries' time once they have one (a late
	// post released to a slot, a post placed in a slot), else the time
	// asked for, else the slot it would take.
	for _, d := range ds {
		if d.Status == storage.DeliveryWaiting && p.Status == StatusApproved {
			card.Late = true
		}
		if !d.DueAt.IsZero() && (card.At.IsZero() || d.DueAt.Before(card.At)) {
			card.At = d.DueAt
		}
	}
	if card.At.IsZero() {
		card.At = p.PublishAt
	}
	if card.At.IsZero() && !s.slots.Empty() && (p.Status == StatusPending || p.Status == StatusChangesRequested) {
		if slot, err := s.nextFreeSlot(ctx, s.store, s.now(), p.ID); err == nil {
			card.At = slot
		}
	}
	// The pre-flight check is for approvers, before they decide: once a
	// post is approved it is moot, and it would cost every redraw of a
	// publishing card a scan of the month's posts.
	switch p.Status {
	case StatusDraft, StatusPending, StatusChangesRequested:
		card.Preflight = s.preflight(ctx, p, card.At)
	}
	if s.tagger.Tags(p.Text) {
		card.Campaign = s.tagger.Campaign(p.Text, p.ID)
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

func (s *Service) target(p Post, d storage.Delivery) Target {
	t := Target{Delivery: d}
	if a, ok := s.byID[d.AccountID]; ok {
		t.Network = a.Network
		t.DisplayName = a.DisplayName
		t.Text = s.tagger.Text(p.Text, a.Network, p.ID)
		t.Count, t.Limit = a.Publisher.Length(t.Text)
	} else {
		// An account removed from the configuration since the draft.
		t.Network, t.DisplayName = "?", fmt.Sprintf("#%d", d.AccountID)
	}
	return t
}
