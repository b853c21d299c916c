package workflows

import (
	"errors"
	"fmt"
	"time"

	"catweete/storage"
)

// Errors a person can cause; commands turn each into a sentence in their
// language.
var (
	// ErrNotFound: no post has this id.
	ErrNotFound = storage.ErrNotFound
	// ErrEmptyText: a draft or an edit with nothing to say.
	ErrEmptyText = errors.New("empty text")
	// ErrSelfApproval: the author tried to approve their own post.
	ErrSelfApproval = errors.New("authors cannot approve their own post")
	// ErrNotApprover: the user is not among the approvers.
	ErrNotApprover = errors.New("not an approver")
	// ErrAlreadyApproved: this approver already approved this version.
	ErrAlreadyApproved = errors.New("already approved by this user")
	// ErrReasonRequired: reject and request changes need a reason.
	ErrReasonRequired = errors.New("a reason is required")
	// ErrNotAuthor: only the author may edit the text.
	ErrNotAuthor = errors.New("only the author can do this")
	// ErrUnchanged: an edit that changes nothing.
	ErrUnchanged = errors.New("text unchanged")
	// ErrNoAccount: no account to publish to.
	ErrNoAccount = errors.New("no account to publish to")
	// ErrPastTime: a publication time already gone.
	ErrPastTime = errors.New("time in the past")
)

// TooLongError says a text does not fit one of its networks.
type TooLongError struct {
	Network string
	Count   int
	Limit   int
}

func (e *TooLongError) Error() string {
	return fmt.Sprintf("too long for %s: %d/%d", e.Network, e.Count, e.Limit)
}

// MovedOnError says the post is no longer where the person thought it was:
// someone else acted first, or the text was edited since the card was
// drawn. It names who moved it and when, so the person knows why.
type MovedOnError struct {
	PostID  int64
	Status  string
	Version int
	// ActorID and At describe the last change: who was first.
	ActorID string
	Action  string
	At      time.Time
}

func (e *MovedOnError) Error() string {
	return fmt.Sprintf("post %d moved on: %s (version %d) by %s", e.PostID, e.Status, e.Version, e.ActorID)
}

// DeliveryMovedOnError says a delivery is no longer failed or uncertain:
// someone retried, confirmed or canceled it first.
type DeliveryMovedOnError struct {
	DeliveryID int64
	PostID     int64
	Status     string
}

func (e *DeliveryMovedOnError) Error() string {
	return fmt.Sprintf("delivery %d of post %d is %s", e.DeliveryID, e.PostID, e.Status)
}
