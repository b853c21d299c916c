package commands

import (
	"context"
	"errors"
	"strings"

	"catweete/workflows"
)

// The answers to clicks and modals. Each returns what to tell the person
// who acted, privately; an empty text means the card and its thread say it
// all.

// Approve counts userID's approval of a version of a post.
func (r *Router) Approve(ctx context.Context, userID string, postID int64, version int) string {
	res, err := r.svc.Approve(ctx, postID, version, userID)
	if err != nil {
		return r.ErrorText(ctx, r.lang, postID, err)
	}
	if !res.Approved {
		return r.cat.T(r.lang, MsgApprovalCounted, postID, res.Count, res.Required)
	}
	return ""
}

// RequestChanges sends a post back to its author with a reason.
func (r *Router) RequestChanges(ctx context.Context, userID string, postID int64, version int, reason string) string {
	if _, err := r.svc.RequestChanges(ctx, postID, version, userID, reason); err != nil {
		return r.ErrorText(ctx, r.lang, postID, err)
	}
	return ""
}

// Reject ends a post with a reason.
func (r *Router) Reject(ctx context.Context, userID string, postID int64, version int, reason string) string {
	if _, err := r.svc.Reject(ctx, postID, version, userID, reason); err != nil {
		return r.ErrorText(ctx, r.lang, postID, err)
	}
	return ""
}

// Edit replaces a post's text, by its author.
func (r *Router) Edit(ctx context.Context, userID string, postID int64, version int, text string) string {
	if _, err := r.svc.Edit(ctx, postID, version, userID, text); err != nil {
		return r.ErrorText(ctx, r.lang, postID, err)
	}
	return ""
}

// CancelPost cancels a post from its card.
func (r *Router) CancelPost(ctx context.Context, userID string, postID int64) string {
	if _, err := r.svc.Cancel(ctx, postID, userID); err != nil {
		return r.ErrorText(ctx, r.lang, postID, err)
	}
	return r.cat.T(r.lang, MsgCanceled, postID)
}

// CheckEdit says, before an edit modal closes, what is wrong with the new
// text ("" when nothing is), so that the person fixes it in place.
func (r *Router) CheckEdit(ctx context.Context, userID string, postID int64, text string) string {
	text = strings.TrimSpace(text)
	if text == "" {
		return r.cat.T(r.lang, MsgEmptyText)
	}
	if err := r.svc.CheckText(ctx, postID, text); err != nil {
		return r.ErrorText(ctx, r.lang, postID, err)
	}
	return ""
}

// CheckDraft says what is wrong with a draft's text for these accounts
// (all when empty), "" when nothing is.
func (r *Router) CheckDraft(text string, accountIDs []int64) string {
	if strings.TrimSpace(text) == "" {
		return r.cat.T(r.lang, MsgEmptyText)
	}
	if err := r.svc.CheckDraft(text, accountIDs); err != nil {
		return r.ErrorText(context.Background(), r.lang, 0, err)
	}
	return ""
}

// Card gathers a post's card.
func (r *Router) Card(ctx context.Context, postID int64) (workflows.Card, error) {
	return r.svc.Card(ctx, postID)
}

// Accounts returns the configured accounts, for the draft modal.
func (r *Router) Accounts() []workflows.Account { return r.svc.Accounts() }

// CheckDecision says why userID cannot reject or send back this version of
// a post ("" when they can), before they are asked for a reason.
func (r *Router) CheckDecision(ctx context.Context, userID string, postID int64, version int, reject bool) string {
	if err := r.svc.CanDecide(ctx, postID, version, userID, reject); err != nil {
		return r.ErrorText(ctx, r.lang, postID, err)
	}
	return ""
}

// CheckEditor returns the post when userID may edit it, or why not.
func (r *Router) CheckEditor(ctx context.Context, userID string, postID int64) (workflows.Post, string) {
	p, err := r.svc.CanEdit(ctx, postID, userID)
	if err != nil {
		return p, r.ErrorText(ctx, r.lang, postID, err)
	}
	return p, ""
}

// Release answers a late approval: publish now, or at the next free slot.
func (r *Router) Release(ctx context.Context, userID string, postID int64, nextSlot bool) string {
	if _, err := r.svc.Release(ctx, postID, userID, nextSlot); err != nil {
		return r.ErrorText(ctx, r.lang, postID, err)
	}
	return ""
}

// RetryDelivery sends a failed or uncertain delivery again.
func (r *Router) RetryDelivery(ctx context.Context, userID string, deliveryID int64) string {
	_, err := r.svc.RetryDelivery(ctx, deliveryID, userID)
	return r.deliveryAnswer(ctx, err)
}

// ConfirmDelivery records that an uncertain delivery did go out.
func (r *Router) ConfirmDelivery(ctx context.Context, userID string, deliveryID int64) string {
	_, err := r.svc.ConfirmDelivery(ctx, deliveryID, userID)
	return r.deliveryAnswer(ctx, err)
}

// CancelDelivery gives up a failed or uncertain delivery.
func (r *Router) CancelDelivery(ctx context.Context, userID string, deliveryID int64) string {
	_, err := r.svc.CancelDelivery(ctx, deliveryID, userID)
	return r.deliveryAnswer(ctx, err)
}

func (r *Router) deliveryAnswer(ctx context.Context, err error) string {
	if err == nil {
		return ""
	}
	if errors.Is(err, workflows.ErrNotFound) {
		r.log.InfoContext(ctx, "request refused", "reason", err.Error())
		return r.cat.T(r.lang, MsgDeliveryNotFound)
	}
	return r.ErrorText(ctx, r.lang, 0, err)
}
