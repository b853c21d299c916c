package workflows

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"catweete/social"
	"catweete/storage"
)

// Failures as networks return them.
var (
	errValidation = &social.Error{Network: "mastodon", Class: social.Permanent, Status: 422, Message: "Validation failed"}
	errLostAnswer = &social.Error{Network: "x", Class: social.Transient, Message: "timeout"}
	errToken      = &social.Error{Network: "mastodon", Class: social.Permanent, Status: 401, Message: "The access token is invalid"}
)

// claim claims every due delivery as a dispatcher would, without
// publishing them.
func (f *fixture) claim(t *testing.T) []storage.Delivery {
	t.Helper()
	now := f.clock.Now()
	claimed, err := f.store.ClaimDeliveries(t.Context(), now, now.Add(leaseDuration), 10)
	if err != nil || len(claimed) == 0 {
		t.Fatalf("claim: %v, %v", claimed, err)
	}
	return claimed
}

// publishClaimed runs the publishing of one claimed delivery and what it
// tells Slack, as a dispatcher round does.
func (f *fixture) publishClaimed(t *testing.T, d storage.Delivery) {
	t.Helper()
	if notify := f.svc.publish(t.Context(), t.Context(), d, time.Now()); notify != nil {
		notify()
	}
}

// xAccount is a second account, on a network without idempotency keys.
func xAccount() (AccountConfig, *fakePublisher) {
	pub := &fakePublisher{network: social.NetworkX, limit: 280}
	return AccountConfig{Handle: "@brand", Publisher: pub}, pub
}

func wantDeliveryMovedOn(t *testing.T, err error, status string) {
	t.Helper()
	var moved *DeliveryMovedOnError
	if !errors.As(err, &moved) || moved.Status != status {
		t.Fatalf("err = %v, want a *DeliveryMovedOnError (%s)", err, status)
	}
}

func TestDeliveryActions(t *testing.T) {
	t.Parallel()
	t.Run("PermanentFailureIsAnnouncedAndAlertedOnce", func(t *testing.T) {
		t.Parallel()
		f := setup(t, options{idempotent: true})
		f.pub.fail(errValidation)
		p := f.approved(t, "Refusé")
		f.round(t)
		f.round(t)
		d := f.delivery(t, p.ID)
		if d.Status != storage.DeliveryFailed {
			t.Fatalf("delivery %s, want failed", d.Status)
		}
		if got := f.post(t, p.ID); got.Status != StatusFailed {
			t.Fatalf("post %s, want failed", got.Status)
		}
		if n := len(f.notifier.eventsOf(EventFailed)); n != 1 {
			t.Fatalf("%d failures announced, want 1", n)
		}
		if got := f.notifier.alertKinds(); !slices.Equal(got, []EventKind{EventFailed}) {
			t.Fatalf("alerts %v, want one failure", got)
		}
		alert := f.notifier.alerts[0]
		if alert.Target == nil || alert.Target.Delivery.ID != d.ID || alert.Reason != "Validation failed" || alert.Target.DisplayName != "Mastodon" {
			t.Fatalf("alert %+v, want delivery %d, its reason and its account", alert, d.ID)
		}
	})
	t.Run("RetrySendsAFailedDeliveryAgainWithItsKey", func(t *testing.T) {
		t.Parallel()
		f := setup(t, options{idempotent: true})
		f.pub.fail(errValidation)
		p := f.approved(t, "Encore")
		f.round(t)
		failed := f.delivery(t, p.ID)
		got, err := f.svc.RetryDelivery(t.Context(), failed.ID, "UA")
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != StatusPublishing {
			t.Fatalf("post %s, want back to publishing", got.Status)
		}
		if d := f.delivery(t, p.ID); d.Status != storage.DeliveryScheduled || d.Attempts != 0 {
			t.Fatalf("delivery %s after %d attempts, want scheduled afresh", d.Status, d.Attempts)
		}
		if !containsKind(f.notifier.kinds(), EventRetried) {
			t.Fatal("retry not announced")
		}
		f.round(t)
		d := f.delivery(t, p.ID)
		if d.Status != storage.DeliveryPublished {
			t.Fatalf("delivery %s after the retry, want published", d.Status)
		}
		if got := f.post(t, p.ID); got.Status != StatusPublished {
			t.Fatalf("post %s, want published", got.Status)
		}
		if f.pub.callCount() != 2 || f.pub.calls[1].IdempotencyKey != f.pub.calls[0].IdempotencyKey {
			t.Fatalf("calls %+v: a retry keeps the key", f.pub.calls)
		}
	})
	t.Run("ConfirmRecordsAnUnknownDeliveryAsPublished", func(t *testing.T) {
		t.Parallel()
		f := setup(t, options{})
		f.pub.fail(errLostAnswer)
		p := f.approved(t, "Parti ?")
		f.round(t)
		d := f.delivery(t, p.ID)
		if d.Status != storage.DeliveryUnknown {
			t.Fatalf("delivery %s, want unknown", d.Status)
		}
		if got := f.notifier.alertKinds(); !slices.Equal(got, []EventKind{EventUnknown}) {
			t.Fatalf("alerts %v, want one unknown", got)
		}
		if got := f.post(t, p.ID); got.Status != StatusPublishing {
			t.Fatalf("post %s while a person checks, want publishing", got.Status)
		}
		got, err := f.svc.ConfirmDelivery(t.Context(), d.ID, "UA")
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != StatusPublished {
			t.Fatalf("post %s, want published", got.Status)
		}
		if d := f.delivery(t, p.ID); d.Status != storage.DeliveryPublished || d.PublishedAt.IsZero() {
			t.Fatalf("delivery %+v, want published", d)
		}
		if !containsKind(f.notifier.kinds(), EventConfirmed) {
			t.Fatal("confirmation not announced")
		}
		if f.pub.callCount() != 1 {
			t.Fatal("confirming sent the post again")
		}
	})
	t.Run("ConfirmAfterACrashBeforeThePostMovedSettlesIt", func(t *testing.T) {
		t.Parallel()
		// The process died during the call, before the post moved on: it
		// was still approved when the lease expired.
		f := setup(t, options{})
		p := f.approved(t, "Interrompu")
		c := f.claim(t)[0]
		if err := f.store.RenewLease(t.Context(), c.ID, c.Attempts, f.clock.Now().Add(leaseDuration), ""); err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(leaseDuration)
		f.round(t)
		d := f.delivery(t, p.ID)
		if d.Status != storage.DeliveryUnknown {
			t.Fatalf("delivery %s, want unknown", d.Status)
		}
		got, err := f.svc.ConfirmDelivery(t.Context(), d.ID, "UA")
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != StatusPublished {
			t.Errorf("post %s with its only delivery published, want published", got.Status)
		}
	})
	for _, tt := range []struct {
		name     string
		withX    bool
		wantPost string
	}{
		{"CancelOfTheOnlyDeliveryFailsThePost", false, StatusFailed},
		{"CancelBesideAPublishedDeliveryIsPartial", true, StatusPartial},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			// The uncertain one loses the answer; Mastodon, beside it,
			// publishes.
			var f *fixture
			var uncertain *fakePublisher
			if tt.withX {
				x, xpub := xAccount()
				f, uncertain = setup(t, options{idempotent: true, more: []AccountConfig{x}}), xpub
			} else {
				f = setup(t, options{})
				uncertain = f.pub
			}
			uncertain.fail(errLostAnswer)
			p := f.approved(t, "Abandon")
			f.round(t)
			var unknown storage.Delivery
			for _, d := range f.deliveries(t, p.ID) {
				if d.Status == storage.DeliveryUnknown {
					unknown = d
				}
			}
			if unknown.ID == 0 {
				t.Fatalf("no unknown delivery: %+v", f.deliveries(t, p.ID))
			}
			got, err := f.svc.CancelDelivery(t.Context(), unknown.ID, "UAUTHOR")
			if err != nil {
				t.Fatal(err)
			}
			if got.Status != tt.wantPost {
				t.Fatalf("post %s, want %s", got.Status, tt.wantPost)
			}
			if d, _ := f.store.Delivery(t.Context(), unknown.ID); d.Status != storage.DeliveryCanceled {
				t.Fatalf("delivery %s, want canceled", d.Status)
			}
			if !containsKind(f.notifier.kinds(), EventDeliveryCanceled) {
				t.Fatal("not announced")
			}
		})
	}
	t.Run("ActingTwiceIsMovedOn", func(t *testing.T) {
		t.Parallel()
		f := setup(t, options{})
		f.pub.fail(errLostAnswer)
		p := f.approved(t, "Deux clics")
		f.round(t)
		d := f.delivery(t, p.ID)
		if _, err := f.svc.RetryDelivery(t.Context(), d.ID, "UA"); err != nil {
			t.Fatal(err)
		}
		_, err := f.svc.RetryDelivery(t.Context(), d.ID, "UB")
		wantDeliveryMovedOn(t, err, storage.DeliveryScheduled)
		_, err = f.svc.ConfirmDelivery(t.Context(), d.ID, "UB")
		wantDeliveryMovedOn(t, err, storage.DeliveryScheduled)
		_, err = f.svc.CancelDelivery(t.Context(), d.ID, "UB")
		wantDeliveryMovedOn(t, err, storage.DeliveryScheduled)
	})
	t.Run("ConfirmOfAFailedDeliveryIsMovedOn", func(t *testing.T) {
		t.Parallel()
		// A failure is known not to have gone out: there is nothing to
		// confirm. (The button is only on uncertain deliveries.)
		f := setup(t, options{idempotent: true})
		f.pub.fail(errValidation)
		p := f.approved(t, "Refusé")
		f.round(t)
		_, err := f.svc.ConfirmDelivery(t.Context(), f.delivery(t, p.ID).ID, "UA")
		if err == nil {
			t.Fatal("a failed delivery was confirmed as published")
		}
		if d := f.delivery(t, p.ID); d.Status != storage.DeliveryFailed {
			t.Fatalf("delivery %s, want still failed", d.Status)
		}
	})
	t.Run("StrangerIsRefused", func(t *testing.T) {
		t.Parallel()
		f := setup(t, options{idempotent: true, approvers: []string{"UA"}})
		f.pub.fail(errValidation)
		p := f.approved(t, "Pas à vous")
		f.round(t)
		d := f.delivery(t, p.ID)
		for name, act := range map[string]func(context.Context, int64, string) (Post, error){
			"Retry": f.svc.RetryDelivery, "Confirm": f.svc.ConfirmDelivery, "Cancel": f.svc.CancelDelivery,
		} {
			if _, err := act(t.Context(), d.ID, "USTRANGER"); !errors.Is(err, ErrNotApprover) {
				t.Errorf("%s by a stranger = %v, want ErrNotApprover", name, err)
			}
		}
		if got := f.delivery(t, p.ID); got.Status != storage.DeliveryFailed {
			t.Fatalf("delivery %s, want untouched", got.Status)
		}
		if _, err := f.svc.RetryDelivery(t.Context(), d.ID, "UAUTHOR"); err != nil {
			t.Fatalf("Retry by the author = %v, want allowed", err)
		}
	})
	t.Run("UnknownDeliveryIsNotFound", func(t *testing.T) {
		t.Parallel()
		f := setup(t, options{})
		if _, err := f.svc.RetryDelivery(t.Context(), 404, "UA"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("err = %v, want ErrNotFound", err)
		}
	})
}

func TestCancelRacingTheDispatcher(t *testing.T) {
	t.Parallel()
	t.Run("ClaimedDeliveryRefusesCancel", func(t *testing.T) {
		t.Parallel()
		f := setup(t, options{idempotent: true})
		p := f.approved(t, "Parti")
		f.claim(t)
		_, err := f.svc.Cancel(t.Context(), p.ID, "UA")
		wantMovedOn(t, err, StatusPublishing)
		if got := f.post(t, p.ID); got.Status != StatusApproved {
			t.Fatalf("post %s, want untouched", got.Status)
		}
	})
	t.Run("CancelBeforeTheClaimPublishesNothing", func(t *testing.T) {
		t.Parallel()
		f := setup(t, options{idempotent: true})
		p := f.approved(t, "Annulé à temps")
		if _, err := f.svc.Cancel(t.Context(), p.ID, "UA"); err != nil {
			t.Fatal(err)
		}
		f.round(t)
		if f.pub.callCount() != 0 {
			t.Fatal("a canceled post was published")
		}
		if d := f.delivery(t, p.ID); d.Status != storage.DeliveryCanceled {
			t.Fatalf("delivery %s, want canceled", d.Status)
		}
	})
	t.Run("PostCanceledBetweenClaimAndCallIsNotPublished", func(t *testing.T) {
		t.Parallel()
		f := setup(t, options{idempotent: true})
		p := f.approved(t, "Annulé entre-temps")
		claimed := f.claim(t)
		if err := f.store.TransitionPost(t.Context(), p.ID, StatusApproved, p.Version, StatusCanceled, f.clock.Now()); err != nil {
			t.Fatal(err)
		}
		f.publishClaimed(t, claimed[0])
		if f.pub.callCount() != 0 {
			t.Fatal("the network was called for a canceled post")
		}
		if d := f.delivery(t, p.ID); d.Status != storage.DeliveryCanceled {
			t.Fatalf("delivery %s, want canceled", d.Status)
		}
		if got := f.post(t, p.ID); got.Status != StatusCanceled {
			t.Fatalf("post %s, want still canceled", got.Status)
		}
		if len(f.notifier.alerts) != 0 {
			t.Fatalf("alerts %v for a canceled post", f.notifier.alertKinds())
		}
	})
	t.Run("LeaseIsRenewedBeforeTheCall", func(t *testing.T) {
		t.Parallel()
		f := setup(t, options{})
		p := f.approved(t, "Long à partir")
		claimed := f.claim(t)
		// The claim waited for the account's slot past its lease.
		f.clock.Advance(leaseDuration + time.Minute)
		f.pub.block = make(chan struct{})
		f.pub.started = make(chan struct{}, 1)
		done := make(chan struct{})
		go func() {
			defer close(done)
			f.publishClaimed(t, claimed[0])
		}()
		<-f.pub.started
		d := f.delivery(t, p.ID)
		if !d.LeaseUntil.After(f.clock.Now()) {
			t.Errorf("lease until %v at %v: not renewed before the call", d.LeaseUntil, f.clock.Now())
		}
		if err := f.svc.recoverLeases(t.Context()); err != nil {
			t.Fatal(err)
		}
		if d := f.delivery(t, p.ID); d.Status != storage.DeliveryPublishing {
			t.Errorf("delivery %s mid-call, want still publishing", d.Status)
		}
		close(f.pub.block)
		<-done
		if d := f.delivery(t, p.ID); d.Status != storage.DeliveryPublished || f.pub.callCount() != 1 {
			t.Fatalf("delivery %s after %d calls, want published once", d.Status, f.pub.callCount())
		}
	})
}

func TestAccountHealth(t *testing.T) {
	t.Parallel()
	accountState := func(t *testing.T, f *fixture) storage.Account {
		t.Helper()
		as, err := f.store.Accounts(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		return as[0]
	}
	countKind := func(ks []EventKind, k EventKind) int {
		n := 0
		for _, x := range ks {
			if x == k {
				n++
			}
		}
		return n
	}
	t.Run("RefusedTokenMarksTheAccountAndAlertsOnce", func(t *testing.T) {
		t.Parallel()
		f := setup(t, options{idempotent: true})
		f.pub.fail(errToken, errToken)
		f.approved(t, "Premier")
		f.round(t)
		a := accountState(t, f)
		if a.State != storage.AccountRejected || a.StateDetail != "The access token is invalid" || a.StateChangedAt.IsZero() {
			t.Fatalf("account %+v, want rejected with the network's words", a)
		}
		alerts := f.notifier.alertKinds()
		if countKind(alerts, EventAccountRejected) != 1 {
			t.Fatalf("alerts %v, want one account alert", alerts)
		}
		for _, ev := range f.notifier.alerts {
			if ev.Kind == EventAccountRejected && (ev.Account == nil || ev.Account.Handle != "https://masto.example" || ev.Reason != "The access token is invalid") {
				t.Fatalf("account alert %+v", ev)
			}
		}

		f.approved(t, "Second")
		f.round(t)
		if n := countKind(f.notifier.alertKinds(), EventAccountRejected); n != 1 {
			t.Fatalf("%d account alerts after a second refusal, want still 1", n)
		}

		f.approved(t, "Jeton renouvelé")
		f.round(t)
		if a := accountState(t, f); a.State != storage.AccountOK {
			t.Fatalf("account %s after a success, want ok", a.State)
		}
		f.pub.fail(errToken)
		f.approved(t, "De nouveau refusé")
		f.round(t)
		if n := countKind(f.notifier.alertKinds(), EventAccountRejected); n != 2 {
			t.Fatalf("%d account alerts after a new refusal, want 2", n)
		}
	})
	t.Run("OtherFailuresLeaveTheAccountAlone", func(t *testing.T) {
		t.Parallel()
		f := setup(t, options{idempotent: true})
		f.pub.fail(errValidation)
		f.approved(t, "Refusé pour le texte")
		f.round(t)
		if a := accountState(t, f); a.State != storage.AccountOK {
			t.Fatalf("account %s after a 422, want ok", a.State)
		}
		if n := countKind(f.notifier.alertKinds(), EventAccountRejected); n != 0 {
			t.Fatalf("%d account alerts for a 422", n)
		}
	})
	t.Run("AccountsReportAsksEveryNetwork", func(t *testing.T) {
		t.Parallel()
		bsky := &profiler{fakePublisher: &fakePublisher{network: social.NetworkBluesky, limit: 300},
			profile: social.Profile{Handle: "brand.bsky.social", Followers: social.Known(1240)}}
		x := &profiler{fakePublisher: &fakePublisher{network: social.NetworkX, limit: 280},
			err: &social.Error{Network: "x", Class: social.Transient, Status: 503, Message: "Service Unavailable"}}
		li := &profiler{fakePublisher: &fakePublisher{network: social.NetworkLinkedIn, limit: 3000},
			err: &social.Error{Network: "linkedin", Class: social.Permanent, Status: 401, Message: "Invalid access token"}}
		f := setup(t, options{more: []AccountConfig{
			{Handle: "brand.bsky.social", Publisher: bsky},
			{Handle: "@brand", Publisher: x},
			{Handle: "urn:li:organization:1", Publisher: li},
		}})
		report, err := f.svc.AccountsReport(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if len(report) != 4 {
			t.Fatalf("%d accounts, want 4", len(report))
		}
		for i, want := range []struct {
			network   string
			handle    string
			followers social.Count
			err       bool
			state     string
		}{
			{social.NetworkMastodon, "", social.Count{}, false, storage.AccountOK},
			{social.NetworkBluesky, "brand.bsky.social", social.Known(1240), false, storage.AccountOK},
			{social.NetworkX, "", social.Count{}, true, storage.AccountOK},
			{social.NetworkLinkedIn, "", social.Count{}, true, storage.AccountRejected},
		} {
			got := report[i]
			if got.Account.Network != want.network || got.Profile.Handle != want.handle || got.Profile.Followers != want.followers ||
				(got.Err != nil) != want.err || got.Account.State != want.state {
				t.Errorf("account %d = %+v, want %+v", i, got, want)
			}
		}
		if got := f.notifier.alertKinds(); !slices.Equal(got, []EventKind{EventAccountRejected}) {
			t.Fatalf("alerts %v, want one for LinkedIn", got)
		}
		// Asked again: still refused, not announced again.
		if _, err := f.svc.AccountsReport(t.Context()); err != nil {
			t.Fatal(err)
		}
		if n := len(f.notifier.alerts); n != 1 {
			t.Fatalf("%d alerts after a second report, want 1", n)
		}
	})
}
