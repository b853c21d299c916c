package workflows

import (
	"errors"
	"slices"
	"testing"
	"time"

	"catweete/storage"
)

// weekdaySlots is a realistic posting schedule.
const weekdaySlots = "mon-fri 09:30,12:30,17:45; sat 11:00"

// paris is a wall time in Europe/Paris.
func paris(t *testing.T, y int, m time.Month, d, h, mi int) time.Time {
	t.Helper()
	return time.Date(y, m, d, h, mi, 0, 0, slotsParis(t))
}

// draftAt drafts a post by UAUTHOR going out at `at` (zero: as soon as
// approved).
func (f *fixture) draftAt(t *testing.T, text string, at time.Time) Post {
	t.Helper()
	p, err := f.svc.Draft(t.Context(), DraftRequest{AuthorID: "UAUTHOR", Text: text, PublishAt: at, OriginChannel: "CORIGIN"})
	if err != nil {
		t.Fatalf("Draft: %v", err)
	}
	return p
}

// approve has UA approve the current version of post id.
func (f *fixture) approve(t *testing.T, id int64) ApprovalResult {
	t.Helper()
	p, err := f.store.Post(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	res, err := f.svc.Approve(t.Context(), id, p.Version, "UA")
	if err != nil {
		t.Fatalf("Approve: %v", err)
	}
	return res
}

// post reads post id from storage.
func (f *fixture) post(t *testing.T, id int64) Post {
	t.Helper()
	p, err := f.store.Post(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// card gathers the card of post id.
func (f *fixture) card(t *testing.T, id int64) Card {
	t.Helper()
	c, err := f.svc.Card(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// deliveries reads post id's deliveries.
func (f *fixture) deliveries(t *testing.T, id int64) []storage.Delivery {
	t.Helper()
	ds, err := f.store.Deliveries(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

func wantMovedOn(t *testing.T, err error, status string) {
	t.Helper()
	var moved *MovedOnError
	if !errors.As(err, &moved) {
		t.Fatalf("err = %v, want a *MovedOnError", err)
	}
	if status != "" && moved.Status != status {
		t.Fatalf("moved on to %q, want %q (%v)", moved.Status, status, err)
	}
}

func TestSlotsGiveApprovedPostsTheirTime(t *testing.T) {
	t.Parallel()
	t.Run("TwoPostsWithoutATimeTakeTheNextTwoFreeSlots", func(t *testing.T) {
		t.Parallel()
		f := setup(t, options{idempotent: true, slots: weekdaySlots})
		// Wednesday 25 November 2026, 11:00 in Paris: 12:30 then 17:45.
		first := f.draft(t, "UAUTHOR", "Premier")
		second := f.draft(t, "UAUTHOR", "Second")
		f.approve(t, first.ID)
		f.approve(t, second.ID)
		for _, tt := range []struct {
			id   int64
			want time.Time
		}{
			{first.ID, paris(t, 2026, 11, 25, 12, 30)},
			{second.ID, paris(t, 2026, 11, 25, 17, 45)},
		} {
			d := f.delivery(t, tt.id)
			if d.Status != storage.DeliveryScheduled || !d.DueAt.Equal(tt.want) {
				t.Errorf("post %d: delivery %s due %v, want scheduled at %v", tt.id, d.Status, d.DueAt, tt.want)
			}
			if at := f.card(t, tt.id).At; !at.Equal(tt.want) {
				t.Errorf("post %d: card says %v, want %v", tt.id, at, tt.want)
			}
		}
		f.round(t)
		if n := f.pub.callCount(); n != 0 {
			t.Fatalf("%d posts published before their slot", n)
		}
		f.clock.set(paris(t, 2026, 11, 25, 12, 30))
		f.round(t)
		if got := f.pub.texts(); !slices.Equal(got, []string{"Premier"}) {
			t.Fatalf("at 12:30 published %q, want the first post only", got)
		}
	})
	t.Run("WithoutSlotsAPostWithoutATimeGoesOutNow", func(t *testing.T) {
		t.Parallel()
		f := setup(t, options{idempotent: true})
		p := f.approved(t, "Tout de suite")
		if d := f.delivery(t, p.ID); !d.DueAt.Equal(f.clock.Now()) {
			t.Fatalf("due %v, want now %v", d.DueAt, f.clock.Now())
		}
		f.round(t)
		if f.pub.callCount() != 1 {
			t.Fatal("not published at once")
		}
	})
	t.Run("APostWithATimeKeepsItsTimeEvenWithSlots", func(t *testing.T) {
		t.Parallel()
		f := setup(t, options{idempotent: true, slots: weekdaySlots})
		at := paris(t, 2026, 11, 25, 14, 10)
		p := f.draftAt(t, "À 14h10", at)
		f.approve(t, p.ID)
		if d := f.delivery(t, p.ID); !d.DueAt.Equal(at) {
			t.Fatalf("due %v, want its own time %v", d.DueAt, at)
		}
		// Its time is not a slot: the next post still gets 12:30.
		other := f.approved(t, "Créneau")
		if d := f.delivery(t, other.ID); !d.DueAt.Equal(paris(t, 2026, 11, 25, 12, 30)) {
			t.Fatalf("other post due %v, want 12:30", d.DueAt)
		}
	})
	t.Run("FreeSlotsSkipsBookedOnes", func(t *testing.T) {
		t.Parallel()
		f := setup(t, options{idempotent: true, slots: weekdaySlots})
		free, err := f.svc.FreeSlots(t.Context(), 2)
		if err != nil {
			t.Fatal(err)
		}
		want := []time.Time{paris(t, 2026, 11, 25, 12, 30), paris(t, 2026, 11, 25, 17, 45)}
		assertSlotTimes(t, free, want)
		f.approved(t, "Prend 12:30")
		free, err = f.svc.FreeSlots(t.Context(), 3)
		if err != nil {
			t.Fatal(err)
		}
		want = []time.Time{paris(t, 2026, 11, 25, 17, 45), paris(t, 2026, 11, 26, 9, 30), paris(t, 2026, 11, 26, 12, 30)}
		assertSlotTimes(t, free, want)
	})
	t.Run("FreeSlotsWithoutSlotsIsEmpty", func(t *testing.T) {
		t.Parallel()
		f := setup(t, options{})
		if free, err := f.svc.FreeSlots(t.Context(), 5); err != nil || len(free) != 0 {
			t.Fatalf("FreeSlots = %v, %v; want none", free, err)
		}
	})
	t.Run("APendingPostsCardShowsTheSlotItWouldTake", func(t *testing.T) {
		t.Parallel()
		f := setup(t, options{slots: weekdaySlots})
		p := f.draft(t, "UAUTHOR", "En attente")
		if at := f.card(t, p.ID).At; !at.Equal(paris(t, 2026, 11, 25, 12, 30)) {
			t.Fatalf("card says %v, want the next free slot, 12:30", at)
		}
	})
	t.Run("SpringForwardKeepsTheWallTime", func(t *testing.T) {
		t.Parallel()
		// Saturday 27 March 2027, noon in Paris; the clocks go forward that
		// night: 09:30 on Sunday is 07:30 UTC, not 08:30.
		f := setup(t, options{idempotent: true, slots: "daily 09:30", start: time.Date(2027, 3, 27, 11, 0, 0, 0, time.UTC)})
		p := f.approved(t, "Dimanche matin")
		want := time.Date(2027, 3, 28, 7, 30, 0, 0, time.UTC)
		if d := f.delivery(t, p.ID); !d.DueAt.Equal(want) {
			t.Fatalf("due %v, want %v", d.DueAt.UTC(), want)
		}
		f.clock.set(want.Add(-time.Second))
		f.round(t)
		if f.pub.callCount() != 0 {
			t.Fatal("published before 09:30 Paris time")
		}
		f.clock.set(want)
		f.round(t)
		if f.pub.callCount() != 1 {
			t.Fatal("not published at 09:30 Paris time")
		}
	})
}

// lateApproved drafts a post due in an hour, lets two hours pass, and has
// UA approve it: late.
func (f *fixture) lateApproved(t *testing.T, text string) (Post, ApprovalResult) {
	t.Helper()
	p := f.draftAt(t, text, f.clock.Now().Add(time.Hour))
	f.clock.Advance(2 * time.Hour)
	return p, f.approve(t, p.ID)
}

func TestLateApproval(t *testing.T) {
	t.Parallel()
	t.Run("ApprovalAfterItsTimeWaitsForAPerson", func(t *testing.T) {
		t.Parallel()
		f := setup(t, options{idempotent: true})
		p, res := f.lateApproved(t, "En retard")
		if !res.Approved || !res.Late {
			t.Fatalf("result %+v, want approved and late", res)
		}
		if got := f.post(t, p.ID); got.Status != StatusApproved {
			t.Fatalf("post %s, want approved", got.Status)
		}
		if d := f.delivery(t, p.ID); d.Status != storage.DeliveryWaiting {
			t.Fatalf("delivery %s, want still waiting", d.Status)
		}
		kinds := f.notifier.kinds()
		if !containsKind(kinds, EventLate) || containsKind(kinds, EventApproved) {
			t.Fatalf("announced %v, want late and not approved", kinds)
		}
		if !f.card(t, p.ID).Late {
			t.Fatal("card not marked late")
		}
		f.round(t)
		if f.pub.callCount() != 0 {
			t.Fatal("a late post went out without anyone saying so")
		}
	})
	t.Run("ApprovalWithinAMinuteOfItsTimeIsOnTime", func(t *testing.T) {
		t.Parallel()
		f := setup(t, options{idempotent: true})
		p := f.draftAt(t, "Juste à temps", f.clock.Now().Add(time.Hour))
		f.clock.Advance(time.Hour + 30*time.Second)
		if res := f.approve(t, p.ID); res.Late {
			t.Fatal("30 s late counted as late")
		}
		f.round(t)
		if f.pub.callCount() != 1 {
			t.Fatal("not published")
		}
	})
	t.Run("ReleaseNowPublishesAtTheNextRound", func(t *testing.T) {
		t.Parallel()
		f := setup(t, options{idempotent: true, slots: weekdaySlots})
		p, _ := f.lateApproved(t, "Maintenant")
		if _, err := f.svc.Release(t.Context(), p.ID, "UA", false); err != nil {
			t.Fatal(err)
		}
		d := f.delivery(t, p.ID)
		if d.Status != storage.DeliveryScheduled || !d.DueAt.Equal(f.clock.Now()) {
			t.Fatalf("delivery %s due %v, want scheduled now (%v)", d.Status, d.DueAt, f.clock.Now())
		}
		if f.card(t, p.ID).Late {
			t.Fatal("card still late once released")
		}
		if !containsKind(f.notifier.kinds(), EventScheduled) {
			t.Fatal("release not announced")
		}
		f.round(t)
		if got := f.post(t, p.ID); got.Status != StatusPublished || f.pub.callCount() != 1 {
			t.Fatalf("post %s after %d calls, want published once", got.Status, f.pub.callCount())
		}
	})
	t.Run("ReleaseToTheNextSlot", func(t *testing.T) {
		t.Parallel()
		f := setup(t, options{idempotent: true, slots: weekdaySlots})
		// Drafted at 11:00 for 12:00, approved at 13:00 Paris.
		p, _ := f.lateApproved(t, "Prochain créneau")
		if _, err := f.svc.Release(t.Context(), p.ID, "UA", true); err != nil {
			t.Fatal(err)
		}
		want := paris(t, 2026, 11, 25, 17, 45)
		if d := f.delivery(t, p.ID); d.Status != storage.DeliveryScheduled || !d.DueAt.Equal(want) {
			t.Fatalf("delivery %s due %v, want scheduled at %v", d.Status, d.DueAt, want)
		}
		f.round(t)
		if f.pub.callCount() != 0 {
			t.Fatal("published before its slot")
		}
	})
	t.Run("ReleasedPostsCardShowsItsNewTime", func(t *testing.T) {
		t.Parallel()
		f := setup(t, options{idempotent: true, slots: weekdaySlots})
		p, _ := f.lateApproved(t, "Prochain créneau")
		if _, err := f.svc.Release(t.Context(), p.ID, "UA", true); err != nil {
			t.Fatal(err)
		}
		want := paris(t, 2026, 11, 25, 17, 45)
		// The card (and the "scheduled" line in its thread, drawn from it)
		// must say when the post now goes out, not the time that passed.
		if at := f.card(t, p.ID).At; !at.Equal(want) {
			t.Errorf("card says %v, want the slot it was released to, %v", at.In(slotsParis(t)), want)
		}
	})
	t.Run("ReleaseWithoutSlotsToTheNextSlotIsNow", func(t *testing.T) {
		t.Parallel()
		f := setup(t, options{idempotent: true})
		p, _ := f.lateApproved(t, "Pas de créneaux")
		if _, err := f.svc.Release(t.Context(), p.ID, "UA", true); err != nil {
			t.Fatal(err)
		}
		if d := f.delivery(t, p.ID); !d.DueAt.Equal(f.clock.Now()) {
			t.Fatalf("due %v, want now", d.DueAt)
		}
	})
	t.Run("AStrangerCannotRelease", func(t *testing.T) {
		t.Parallel()
		f := setup(t, options{approvers: []string{"UA"}})
		p, _ := f.lateApproved(t, "Qui décide ?")
		if _, err := f.svc.Release(t.Context(), p.ID, "USTRANGER", false); !errors.Is(err, ErrNotApprover) {
			t.Fatalf("Release by a stranger = %v, want ErrNotApprover", err)
		}
		if d := f.delivery(t, p.ID); d.Status != storage.DeliveryWaiting {
			t.Fatalf("delivery %s, want still waiting", d.Status)
		}
		if _, err := f.svc.Release(t.Context(), p.ID, "UAUTHOR", false); err != nil {
			t.Fatalf("Release by the author = %v, want allowed", err)
		}
	})
	t.Run("ReleaseTwiceIsMovedOn", func(t *testing.T) {
		t.Parallel()
		f := setup(t, options{})
		p, _ := f.lateApproved(t, "Deux clics")
		if _, err := f.svc.Release(t.Context(), p.ID, "UA", false); err != nil {
			t.Fatal(err)
		}
		_, err := f.svc.Release(t.Context(), p.ID, "UB", true)
		wantMovedOn(t, err, StatusApproved)
	})
	t.Run("ReleaseOfAPostThatWasNotLateIsMovedOn", func(t *testing.T) {
		t.Parallel()
		f := setup(t, options{})
		p := f.approved(t, "À l'heure")
		_, err := f.svc.Release(t.Context(), p.ID, "UA", false)
		wantMovedOn(t, err, StatusApproved)
	})
}

func TestSchedule(t *testing.T) {
	t.Parallel()
	t.Run("SetsTheTimeOfAPendingPost", func(t *testing.T) {
		t.Parallel()
		f := setup(t, options{})
		p := f.draft(t, "UAUTHOR", "Plus tard")
		at := f.clock.Now().Add(3 * time.Hour)
		got, err := f.svc.Schedule(t.Context(), p.ID, "UAUTHOR", at)
		if err != nil {
			t.Fatal(err)
		}
		if !got.PublishAt.Equal(at) || got.Status != StatusPending {
			t.Fatalf("post %s at %v, want pending at %v", got.Status, got.PublishAt, at)
		}
		if d := f.delivery(t, p.ID); d.Status != storage.DeliveryWaiting {
			t.Fatalf("delivery %s, want waiting (not approved yet)", d.Status)
		}
		log, _ := f.store.AuditLog(t.Context(), p.ID)
		if last := log[len(log)-1]; last.Action != ActionSchedule || last.ActorID != "UAUTHOR" || last.Reason != at.UTC().Format(time.RFC3339) {
			t.Fatalf("audit %+v", last)
		}
		if !containsKind(f.notifier.kinds(), EventScheduled) {
			t.Fatal("not announced")
		}
		f.approve(t, p.ID)
		if d := f.delivery(t, p.ID); !d.DueAt.Equal(at) {
			t.Fatalf("approved: due %v, want %v", d.DueAt, at)
		}
	})
	t.Run("MovesAnApprovedPostsDeliveries", func(t *testing.T) {
		t.Parallel()
		f := setup(t, options{idempotent: true})
		p := f.draftAt(t, "Déplacé", f.clock.Now().Add(time.Hour))
		f.approve(t, p.ID)
		at := f.clock.Now().Add(5 * time.Hour)
		if _, err := f.svc.Schedule(t.Context(), p.ID, "UA", at); err != nil {
			t.Fatal(err)
		}
		if d := f.delivery(t, p.ID); d.Status != storage.DeliveryScheduled || !d.DueAt.Equal(at) || !d.NextAttemptAt.Equal(at) {
			t.Fatalf("delivery %+v, want scheduled at %v", d, at)
		}
		f.clock.Advance(time.Hour)
		f.round(t)
		if f.pub.callCount() != 0 {
			t.Fatal("published at its old time")
		}
		f.clock.Advance(4 * time.Hour)
		f.round(t)
		if f.pub.callCount() != 1 {
			t.Fatal("not published at its new time")
		}
	})
	t.Run("GivesALatePostANewTime", func(t *testing.T) {
		t.Parallel()
		f := setup(t, options{idempotent: true})
		p, _ := f.lateApproved(t, "En retard")
		at := f.clock.Now().Add(time.Hour)
		if _, err := f.svc.Schedule(t.Context(), p.ID, "UA", at); err != nil {
			t.Fatal(err)
		}
		if d := f.delivery(t, p.ID); d.Status != storage.DeliveryScheduled || !d.DueAt.Equal(at) {
			t.Fatalf("delivery %s due %v, want scheduled at %v", d.Status, d.DueAt, at)
		}
		if f.card(t, p.ID).Late {
			t.Fatal("still late with a new time")
		}
	})
	t.Run("ZeroTimeMeansAsSoonAsApproved", func(t *testing.T) {
		t.Parallel()
		f := setup(t, options{idempotent: true})
		p := f.draftAt(t, "Dès que possible", f.clock.Now().Add(3*time.Hour))
		got, err := f.svc.Schedule(t.Context(), p.ID, "UAUTHOR", time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		if !got.PublishAt.IsZero() {
			t.Fatalf("PublishAt %v, want cleared", got.PublishAt)
		}
		f.approve(t, p.ID)
		f.round(t)
		if f.pub.callCount() != 1 {
			t.Fatal("not published as soon as approved")
		}
	})
	t.Run("ZeroTimeOnAnApprovedPostKeepsItsSlot", func(t *testing.T) {
		t.Parallel()
		f := setup(t, options{slots: weekdaySlots})
		p := f.approved(t, "Créneau de 12:30")
		if _, err := f.svc.Schedule(t.Context(), p.ID, "UA", time.Time{}); err != nil {
			t.Fatal(err)
		}
		// "As soon as approved" is the next free slot; the post's own
		// booking of 12:30 does not make 12:30 taken.
		if d := f.delivery(t, p.ID); !d.DueAt.Equal(paris(t, 2026, 11, 25, 12, 30)) {
			t.Errorf("due %v, want it to keep 12:30", d.DueAt.In(slotsParis(t)))
		}
	})
	refusals := []struct {
		name  string
		opts  options
		prep  func(t *testing.T, f *fixture) Post
		user  string
		at    func(now time.Time) time.Time
		check func(t *testing.T, err error)
	}{
		{"PastTimeIsRefused", options{}, func(t *testing.T, f *fixture) Post { return f.draft(t, "UAUTHOR", "x") }, "UAUTHOR",
			func(now time.Time) time.Time { return now.Add(-2 * time.Minute) },
			func(t *testing.T, err error) {
				if !errors.Is(err, ErrPastTime) {
					t.Fatalf("err = %v, want ErrPastTime", err)
				}
			}},
		{"StrangerIsRefused", options{approvers: []string{"UA"}}, func(t *testing.T, f *fixture) Post { return f.draft(t, "UAUTHOR", "x") }, "USTRANGER",
			func(now time.Time) time.Time { return now.Add(time.Hour) },
			func(t *testing.T, err error) {
				if !errors.Is(err, ErrNotApprover) {
					t.Fatalf("err = %v, want ErrNotApprover", err)
				}
			}},
		{"PublishedPostIsRefused", options{idempotent: true}, func(t *testing.T, f *fixture) Post {
			p := f.approved(t, "x")
			f.round(t)
			return p
		}, "UA", func(now time.Time) time.Time { return now.Add(time.Hour) },
			func(t *testing.T, err error) { wantMovedOn(t, err, StatusPublished) }},
		{"RejectedPostIsRefused", options{}, func(t *testing.T, f *fixture) Post {
			p := f.draft(t, "UAUTHOR", "x")
			if _, err := f.svc.Reject(t.Context(), p.ID, 1, "UA", "non"); err != nil {
				t.Fatal(err)
			}
			return p
		}, "UA", func(now time.Time) time.Time { return now.Add(time.Hour) },
			func(t *testing.T, err error) { wantMovedOn(t, err, StatusRejected) }},
		// The dispatcher has claimed the delivery but not yet moved the
		// post: moving it now would tell the person "tomorrow" while it
		// goes out at once.
		{"RefusedOnceADeliveryIsPublishing", options{idempotent: true}, func(t *testing.T, f *fixture) Post {
			p := f.approved(t, "x")
			now := f.clock.Now()
			if claimed, err := f.store.ClaimDeliveries(t.Context(), now, now.Add(leaseDuration), 10); err != nil || len(claimed) != 1 {
				t.Fatalf("claim: %v, %v", claimed, err)
			}
			return p
		}, "UA", func(now time.Time) time.Time { return now.Add(24 * time.Hour) },
			func(t *testing.T, err error) { wantMovedOn(t, err, StatusPublishing) }},
	}
	for _, tt := range refusals {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := setup(t, tt.opts)
			p := tt.prep(t, f)
			before := f.post(t, p.ID)
			_, err := f.svc.Schedule(t.Context(), p.ID, tt.user, tt.at(f.clock.Now()))
			tt.check(t, err)
			if after := f.post(t, p.ID); !after.PublishAt.Equal(before.PublishAt) {
				t.Fatalf("refused, yet the time moved from %v to %v", before.PublishAt, after.PublishAt)
			}
		})
	}
}

func TestNudge(t *testing.T) {
	t.Parallel()
	t.Run("PendingPostDueWithinTheHourIsNudgedOnce", func(t *testing.T) {
		t.Parallel()
		f := setup(t, options{approvers: []string{"UA", "SAPPROVERS"}})
		p := f.draftAt(t, "Bientôt", f.clock.Now().Add(50*time.Minute))
		if err := f.svc.Nudge(t.Context()); err != nil {
			t.Fatal(err)
		}
		nudges := f.notifier.eventsOf(EventNudge)
		if len(nudges) != 1 {
			t.Fatalf("%d nudges, want 1", len(nudges))
		}
		got := slices.Sorted(slices.Values(nudges[0].Approvers))
		if !slices.Equal(got, []string{"SAPPROVERS", "UA"}) {
			t.Fatalf("nudge mentions %v, want UA and SAPPROVERS", got)
		}
		if f.post(t, p.ID).NudgedAt.IsZero() {
			t.Fatal("nudge not recorded")
		}
		f.clock.Advance(10 * time.Minute)
		if err := f.svc.Nudge(t.Context()); err != nil {
			t.Fatal(err)
		}
		if n := len(f.notifier.eventsOf(EventNudge)); n != 1 {
			t.Fatalf("%d nudges after a second call, want still 1", n)
		}
	})
	for _, tt := range []struct {
		name string
		prep func(t *testing.T, f *fixture)
	}{
		{"PostDueInTwoHoursIsNotNudgedYet", func(t *testing.T, f *fixture) {
			f.draftAt(t, "Plus tard", f.clock.Now().Add(2*time.Hour))
		}},
		{"ApprovedPostIsNotNudged", func(t *testing.T, f *fixture) {
			p := f.draftAt(t, "Déjà approuvé", f.clock.Now().Add(50*time.Minute))
			f.approve(t, p.ID)
		}},
		{"PostWithoutATimeIsNotNudged", func(t *testing.T, f *fixture) {
			f.draft(t, "UAUTHOR", "Quand vous voulez")
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := setup(t, options{approvers: []string{"UA"}})
			tt.prep(t, f)
			if err := f.svc.Nudge(t.Context()); err != nil {
				t.Fatal(err)
			}
			if n := len(f.notifier.eventsOf(EventNudge)); n != 0 {
				t.Fatalf("%d nudges, want none", n)
			}
		})
	}
	t.Run("RescheduledPostIsNudgedAgainBeforeItsNewTime", func(t *testing.T) {
		t.Parallel()
		f := setup(t, options{})
		p := f.draftAt(t, "Bientôt", f.clock.Now().Add(50*time.Minute))
		f.svc.Nudge(t.Context()) //nolint:errcheck // checked by the count
		if _, err := f.svc.Schedule(t.Context(), p.ID, "UAUTHOR", f.clock.Now().Add(3*time.Hour)); err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(2*time.Hour + 10*time.Minute)
		if err := f.svc.Nudge(t.Context()); err != nil {
			t.Fatal(err)
		}
		if n := len(f.notifier.eventsOf(EventNudge)); n != 2 {
			t.Fatalf("%d nudges, want 2 (one per time)", n)
		}
	})
}

func TestSweepPostsTheCardsSlackRefused(t *testing.T) {
	t.Parallel()
	f := setup(t, options{})
	f.notifier.setFailCards(true)
	p, err := f.svc.Draft(t.Context(), DraftRequest{AuthorID: "UAUTHOR", Text: "Sans carte", OriginChannel: "C"})
	if err == nil || p.ID == 0 {
		t.Fatalf("Draft = %+v, %v; want the post and an error", p, err)
	}
	if err := f.svc.Sweep(t.Context()); err == nil {
		t.Fatal("Sweep while Slack is down: no error")
	}
	if f.post(t, p.ID).CardTS != "" {
		t.Fatal("card recorded while Slack is down")
	}
	f.notifier.setFailCards(false)
	if err := f.svc.Sweep(t.Context()); err != nil {
		t.Fatal(err)
	}
	got := f.post(t, p.ID)
	if got.CardTS == "" || got.CardChannel != "CAPPROVALS" {
		t.Fatalf("card not posted by the sweep: %+v", got)
	}
	shown := f.notifier.cardCount()
	if err := f.svc.Sweep(t.Context()); err != nil {
		t.Fatal(err)
	}
	if f.notifier.cardCount() != shown {
		t.Fatal("a second sweep showed the card again")
	}
}
