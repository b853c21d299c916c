// Package workflows is catweete's domain: the life of a post from draft to
// published, the approval policy, the publishing dispatcher and the answers
// to "alors ça tweete ?". It knows nothing of Slack: it declares the small
// interfaces it needs (Publisher, Notifier, Directory) and others fill them.
package workflows

import (
	"catweete/storage"
)

// Post is a post as stored.
type Post = storage.Post

// Post states (DESIGN §3).
const (
	StatusDraft            = "draft"
	StatusPending          = "pending"
	StatusChangesRequested = "changes_requested"
	StatusApproved         = "approved"
	StatusRejected         = "rejected"
	StatusCanceled         = "canceled"
	StatusPublishing       = "publishing"
	StatusPublished        = "published"
	StatusPartial          = "partial"
	StatusFailed           = "failed"
)

// Actions, as written in the audit log.
const (
	ActionCreate         = "create"
	ActionSubmit         = "submit"
	ActionApprove        = "approve"
	ActionRequestChanges = "request_changes"
	ActionReject         = "reject"
	ActionEdit           = "edit"
	ActionCancel         = "cancel"
	ActionPublish        = "publish"
	ActionFinish         = "finish"
	ActionSchedule       = "schedule"
	ActionRetry          = "retry"
	ActionConfirm        = "confirm"
)

// next is the state machine: for each state, the states a post may move to.
// Anything not listed is refused. A function rather than a map, so that the
// machine cannot be changed at run time.
func next(from string) (tos []string, known bool) {
	switch from {
	case StatusDraft:
		return []string{StatusPending, StatusCanceled}, true
	case StatusPending:
		return []string{StatusApproved, StatusChangesRequested, StatusRejected, StatusPending, StatusCanceled}, true
	case StatusChangesRequested:
		return []string{StatusPending, StatusRejected, StatusCanceled}, true
	case StatusApproved:
		return []string{StatusPublishing, StatusCanceled}, true
	case StatusPublishing:
		return []string{StatusPublished, StatusPartial, StatusFailed}, true
	case StatusPartial, StatusFailed:
		// A person retried a failed delivery.
		return []string{StatusPublishing}, true
	case StatusRejected, StatusCanceled, StatusPublished:
		return nil, true
	}
	return nil, false
}

// CanMove reports whether the state machine lets a post go from one state
// to another. pending → pending is an edit: the text changes, the version is
// bumped and approval starts again.
func CanMove(from, to string) bool {
	tos, _ := next(from)
	for _, t := range tos {
		if t == to {
			return true
		}
	}
	return false
}

// Final reports whether a post in this state will not change any more.
func Final(status string) bool {
	tos, known := next(status)
	return known && len(tos) == 0
}

// Editable reports whether the text of a post in this state may change.
func Editable(status string) bool {
	return status == StatusDraft || status == StatusPending || status == StatusChangesRequested
}
