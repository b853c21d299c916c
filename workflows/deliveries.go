package workflows

import (
	"context"
	"fmt"

	"catweete/storage"
)

// The answers to a failed or uncertain delivery, from the buttons of its
// alert. The post's author and the approvers may act.

// RetryDelivery sends a failed or uncertain delivery again, with its same
// idempotency key.
func (s *Service) RetryDelivery(ctx context.Context, deliveryID int64, userID string) (Post, error) {
	d, err := s.deliveryAction(ctx, deliveryID, userID, func(tx *storage.Tx, p Post, d storage.Delivery) error {
		now := s.now()
		if err := tx.ReviveDelivery(ctx, d.ID, now); err != nil {
			return err
		}
		if p.Status == StatusPartial || p.Status == StatusFailed {
			return s.move(ctx, tx, p, StatusPublishing, userID, ActionRetry, "")
		}
		return tx.InsertAudit(ctx, storage.AuditEntry{PostID: p.ID, ActorID: userID, Action: ActionRetry,
			From: p.Status, To: p.Status, Version: p.Version, At: now})
	})
	if err != nil {
		return Post{}, err
	}
	s.Kick()
	t := s.deliveryTarget(d)
	return s.afterChange(ctx, d.PostID, Event{Kind: EventRetried, ActorID: userID, Target: &t}), nil
}

// ConfirmDelivery records that an uncertain delivery did go out, as the
// person who checked the network says.
func (s *Service) ConfirmDelivery(ctx context.Context, deliveryID int64, userID string) (Post, error) {
	d, err := s.deliveryAction(ctx, deliveryID, userID, func(tx *storage.Tx, p Post, d storage.Delivery) error {
		now := s.now()
		if err := tx.ConfirmDelivery(ctx, d.ID, "", now); err != nil {
			return err
		}
		return tx.InsertAudit(ctx, storage.AuditEntry{PostID: p.ID, ActorID: userID, Action: ActionConfirm,
			From: p.Status, To: p.Status, Version: p.Version, At: now})
	})
	if err != nil {
		return Post{}, err
	}
	d.Status = storage.DeliveryPublished
	s.settlePost(ctx, d, EventConfirmed, userID)
	return s.Post(ctx, d.PostID)
}

// CancelDelivery gives up a failed or uncertain delivery.
func (s *Service) CancelDelivery(ctx context.Context, deliveryID int64, userID string) (Post, error) {
	d, err := s.deliveryAction(ctx, deliveryID, userID, func(tx *storage.Tx, p Post, d storage.Delivery) error {
		now := s.now()
		if err := tx.CancelDelivery(ctx, d.ID, now); err != nil {
			return err
		}
		return tx.InsertAudit(ctx, storage.AuditEntry{PostID: p.ID, ActorID: userID, Action: ActionCancel,
			From: p.Status, To: p.Status, Version: p.Version, Reason: fmt.Sprintf("delivery %d", d.ID), At: now})
	})
	if err != nil {
		return Post{}, err
	}
	d.Status = storage.DeliveryCanceled
	s.settlePost(ctx, d, EventDeliveryCanceled, userID)
	return s.Post(ctx, d.PostID)
}

// deliveryAction checks that userID may act on a failed or uncertain
// delivery and runs act in one transaction.
func (s *Service) deliveryAction(ctx context.Context, deliveryID int64, userID string, act func(*storage.Tx, Post, storage.Delivery) error) (storage.Delivery, error) {
	ok, err := s.policy.isApprover(ctx, userID)
	if err != nil {
		return storage.Delivery{}, fmt.Errorf("workflows: approvers: %w", err)
	}
	var d storage.Delivery
	err = s.store.WithTx(ctx, func(tx *storage.Tx) error {
		if d, err = tx.Delivery(ctx, deliveryID); err != nil {
			return err
		}
		p, err := tx.Post(ctx, d.PostID)
		if err != nil {
			return err
		}
		if p.AuthorID != userID && !ok {
			return ErrNotApprover
		}
		if d.Status != storage.DeliveryFailed && d.Status != storage.DeliveryUnknown {
			return &DeliveryMovedOnError{DeliveryID: d.ID, PostID: d.PostID, Status: d.Status}
		}
		return act(tx, p, d)
	})
	if err != nil {
		return storage.Delivery{}, fmt.Errorf("workflows: delivery %d: %w", deliveryID, err)
	}
	s.log.InfoContext(ctx, "delivery decision", "post_id", d.PostID, "delivery_id", d.ID, "user", userID)
	return d, nil
}

func (s *Service) deliveryTarget(d storage.Delivery) Target {
	t := Target{Delivery: d, Network: "?", DisplayName: fmt.Sprintf("#%d", d.AccountID)}
	if a, ok := s.byID[d.AccountID]; ok {
		t.Network, t.DisplayName = a.Network, a.DisplayName
	}
	return t
}
