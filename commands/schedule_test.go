package commands

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"catweete/social"
	"catweete/storage"
	"catweete/workflows"
)

// weekdaySlots is a realistic posting schedule.
const weekdaySlots = "mon-fri 09:30,12:30,17:45; sat 11:00"

// testClock is a settable clock.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// wednesday is Wednesday 25 November 2026, 10:00 in Paris.
func wednesday(t *testing.T) *testClock {
	t.Helper()
	return &testClock{now: time.Date(2026, 11, 25, 10, 0, 0, 0, paris(t))}
}

// fakeZones knows some people's zones and fails for the others.
type fakeZones map[string]string

func (z fakeZones) UserLocation(_ context.Context, userID string) (*time.Location, error) {
	name, ok := z[userID]
	if !ok {
		return nil, errors.New("users.info: user_not_found")
	}
	return time.LoadLocation(name)
}

// fakeProfiler is an account that shows its profile, or fails to.
type fakeProfiler struct {
	network string
	profile social.Profile
	err     error
}

func (p *fakeProfiler) Network() string { return p.network }
func (p *fakeProfiler) Publish(context.Context, social.Post) (social.Published, error) {
	return social.Published{ID: "1", URL: "https://" + p.network + ".example/1"}, nil
}
func (p *fakeProfiler) Length(text string) (int, int) { return utf8.RuneCountInString(text), 3000 }
func (p *fakeProfiler) Idempotent() bool              { return true }
func (p *fakeProfiler) Profile(context.Context) (social.Profile, error) {
	return p.profile, p.err
}

const whenExamplesFR = " Essayez par exemple : `maintenant`, `dans 30 min`, `+2h`, `demain 9h30`, `lundi 14h`, `2026-12-01 09:30`."

func TestHandleSchedule(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		opts options
		user string
		text string
		want string
		// at is the post's time afterwards (UTC); nil when unchanged.
		at *time.Time
	}{
		{"DemainInFrench", options{}, "U1", "programmer 1 demain 9h30",
			"Post n°1 programmé pour demain 09:30 (Europe/Paris).", ptr(time.Date(2026, 11, 26, 8, 30, 0, 0, time.UTC))},
		{"AWeekdayIsWrittenInFull", options{}, "U1", "planifier n°1 lundi 14h",
			"Post n°1 programmé pour lun. 30 nov. 14:00 (Europe/Paris).", ptr(time.Date(2026, 11, 30, 13, 0, 0, 0, time.UTC))},
		{"TomorrowInEnglish", options{}, "U1", "schedule 1 tomorrow 9:30am",
			"Post #1 scheduled for tomorrow 09:30 (Europe/Paris).", ptr(time.Date(2026, 11, 26, 8, 30, 0, 0, time.UTC))},
		{"NextMondayInEnglish", options{}, "U1", "schedule #1 next monday 14:00",
			"Post #1 scheduled for Mon 30 Nov 14:00 (Europe/Paris).", ptr(time.Date(2026, 11, 30, 13, 0, 0, 0, time.UTC))},
		{"InHalfAnHour", options{}, "U1", "programmer 1 dans 30 min",
			"Post n°1 programmé pour aujourd'hui 10:30 (Europe/Paris).", ptr(time.Date(2026, 11, 25, 9, 30, 0, 0, time.UTC))},
		{"TheirOwnZone", options{zones: fakeZones{"UNY": "America/New_York"}}, "UNY", "programmer 1 demain 9h30",
			"Post n°1 programmé pour demain 09:30 (America/New_York).", ptr(time.Date(2026, 11, 26, 14, 30, 0, 0, time.UTC))},
		{"ZoneUnknownFallsBackToTheTeams", options{zones: fakeZones{"UNY": "America/New_York"}}, "U1", "programmer 1 demain 9h30",
			"Post n°1 programmé pour demain 09:30 (Europe/Paris).", ptr(time.Date(2026, 11, 26, 8, 30, 0, 0, time.UTC))},
		{"AsSoonAsApproved", options{}, "U1", "programmer 1 dès-approbation",
			"Post n°1 : publication dès l'approbation.", ptr(time.Time{})},
		{"AsSoonAsApprovedNamesTheNextSlot", options{slots: weekdaySlots}, "U1", "schedule 1 asap",
			"Post #1: goes out as soon as approved (today 12:30 (Europe/Paris)).", ptr(time.Time{})},
		{"AnHourAlreadyGone", options{}, "U1", "programmer 1 2026-11-24 09:30",
			"« 2026-11-24 09:30 » est déjà passé." + whenExamplesFR, nil},
		{"HierIsInThePast", options{}, "U1", "programmer 1 hier",
			"« hier » est déjà passé." + whenExamplesFR, nil},
		{"NonsenseIsNotUnderstood", options{}, "U1", "programmer 1 quand <b>",
			"Je ne comprends pas l'heure « quand &lt;b&gt; »." + whenExamplesFR, nil},
		{"NoTimeSaysHow", options{}, "U1", "programmer 1",
			"Indiquez le post et l'heure : `/catweete programmer 12 demain 9h30`", nil},
		{"NoTimeSaysHowInEnglish", options{}, "U1", "schedule",
			"Give the post and the time: `/catweete schedule 12 tomorrow 9:30am`", nil},
		{"NotANumber", options{}, "U1", "programmer abc demain",
			"« abc » n'est pas un numéro de post. Exemple : `/catweete annuler 12`", nil},
		{"UnknownPost", options{}, "U1", "programmer 99 demain 9h30", "Je ne trouve pas le post n°99.", nil},
		{"StrangerIsRefused", options{approvers: []string{"U2"}}, "U3", "programmer 1 demain 9h30",
			"Vous n'êtes pas approbateur : seules les personnes désignées peuvent décider de ce post.", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.opts.now = wednesday(t).Now
			f := setup(t, tt.opts)
			at := time.Date(2026, 11, 27, 16, 0, 0, 0, time.UTC)
			if _, err := f.svc.Draft(context.Background(), workflows.DraftRequest{AuthorID: "U1", Text: "Bonjour", PublishAt: at}); err != nil {
				t.Fatal(err)
			}
			if got := f.handle(t, tt.user, tt.text).Text; got != tt.want {
				t.Errorf("%q answers\n%q\nwant\n%q", tt.text, got, tt.want)
			}
			want := at
			if tt.at != nil {
				want = *tt.at
			}
			p, err := f.svc.Post(context.Background(), 1)
			if err != nil {
				t.Fatal(err)
			}
			if !p.PublishAt.Equal(want) {
				t.Errorf("post 1 goes out at %v, want %v", p.PublishAt, want)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

func TestHandleScheduleAcrossTheSpringClockChange(t *testing.T) {
	t.Parallel()
	// Wednesday 24 March 2027; on Sunday 28 the clocks skip 02:00–03:00.
	clock := &testClock{now: time.Date(2027, 3, 24, 10, 0, 0, 0, time.UTC)}
	f := setup(t, options{now: clock.Now})
	f.handle(t, "U1", "brouillon Dimanche")
	got := f.handle(t, "U1", "programmer 1 dimanche 2h30").Text
	if want := "« dimanche 2h30 » n'existe pas ce jour-là (changement d'heure)." + whenExamplesFR; got != want {
		t.Errorf("02:30 on the DST Sunday answers\n%q\nwant\n%q", got, want)
	}
	if p, _ := f.svc.Post(context.Background(), 1); !p.PublishAt.IsZero() {
		t.Errorf("a nonexistent time was stored: %v", p.PublishAt)
	}
	got = f.handle(t, "U1", "programmer 1 dimanche 3h30").Text
	if want := "Post n°1 programmé pour dim. 28 mars 03:30 (Europe/Paris)."; got != want {
		t.Errorf("03:30 answers %q, want %q", got, want)
	}
	if p, _ := f.svc.Post(context.Background(), 1); !p.PublishAt.Equal(time.Date(2027, 3, 28, 1, 30, 0, 0, time.UTC)) {
		t.Errorf("stored %v, want 01:30 UTC", p.PublishAt)
	}
}

func TestHandleSlots(t *testing.T) {
	t.Parallel()
	t.Run("NoneConfigured", func(t *testing.T) {
		t.Parallel()
		f := setup(t, options{now: wednesday(t).Now})
		for text, want := range map[string]string{
			"créneaux": "Aucun créneau de publication n'est configuré (`CATWEETE_SLOTS`) : un post approuvé sans heure part aussitôt.",
			"slots":    "No posting slots are configured (`CATWEETE_SLOTS`): an approved post without a time goes out at once.",
		} {
			if got := f.handle(t, "U1", text).Text; got != want {
				t.Errorf("%q answers %q, want %q", text, got, want)
			}
		}
	})
	t.Run("ListsTheScheduleAndTheNextFreeSlots", func(t *testing.T) {
		t.Parallel()
		f := setup(t, options{now: wednesday(t).Now, slots: weekdaySlots})
		want := "*Créneaux de publication* : `mon-fri 09:30,12:30,17:45; sat 11:00` (Europe/Paris)\n" +
			"Prochains créneaux libres :\n" +
			"• aujourd'hui 12:30 (Europe/Paris)\n" +
			"• aujourd'hui 17:45 (Europe/Paris)\n" +
			"• demain 09:30 (Europe/Paris)\n" +
			"• demain 12:30 (Europe/Paris)\n" +
			"• demain 17:45 (Europe/Paris)"
		if got := f.handle(t, "U1", "créneaux").Text; got != want {
			t.Errorf("créneaux =\n%s\nwant\n%s", got, want)
		}
		// An approved post takes 12:30.
		post, err := f.svc.Draft(context.Background(), workflows.DraftRequest{AuthorID: "U1", Text: "Midi et demi"})
		if err != nil {
			t.Fatal(err)
		}
		if msg := f.router.Approve(context.Background(), "U2", post.ID, post.Version); msg != "" {
			t.Fatalf("Approve: %q", msg)
		}
		want = "*Posting slots*: `mon-fri 09:30,12:30,17:45; sat 11:00` (Europe/Paris)\n" +
			"Next free slots:\n" +
			"• today 17:45 (Europe/Paris)\n" +
			"• tomorrow 09:30 (Europe/Paris)\n" +
			"• tomorrow 12:30 (Europe/Paris)\n" +
			"• tomorrow 17:45 (Europe/Paris)\n" +
			"• Fri 27 Nov 09:30 (Europe/Paris)"
		if got := f.handle(t, "U1", "slots").Text; got != want {
			t.Errorf("slots =\n%s\nwant\n%s", got, want)
		}
	})
}

func TestHandleAccounts(t *testing.T) {
	t.Parallel()
	f := setup(t, options{more: []workflows.AccountConfig{
		{Handle: "brand.bsky.social", Publisher: &fakeProfiler{network: social.NetworkBluesky,
			profile: social.Profile{Handle: "brand.bsky.social", Followers: social.Known(1240)}}},
		{Handle: "@brand", Publisher: &fakeProfiler{network: social.NetworkX,
			err: &social.Error{Network: "x", Class: social.Transient, Status: 503, Message: "Service <Unavailable>"}}},
		{Handle: "urn:li:organization:1", DisplayName: "Brand SA", Publisher: &fakeProfiler{network: social.NetworkLinkedIn,
			err: &social.Error{Network: "linkedin", Class: social.Permanent, Status: 401, Message: "Invalid access token"}}},
	}})
	tests := []struct {
		text string
		want string
	}{
		{"comptes", "*Comptes* (4) :\n" +
			"• ✅ Mastodon — configuré\n" +
			"• ✅ Bluesky brand.bsky.social — 1\u202f240 abonnés\n" +
			"• ⚠️ X — injoignable : x: transient (HTTP 503): Service &lt;Unavailable&gt;\n" +
			"• 🔑 LinkedIn Brand SA — jeton refusé : Invalid access token"},
		{"accounts", "*Accounts* (4):\n" +
			"• ✅ Mastodon — configured\n" +
			"• ✅ Bluesky brand.bsky.social — 1,240 followers\n" +
			"• ⚠️ X — unreachable: x: transient (HTTP 503): Service &lt;Unavailable&gt;\n" +
			"• 🔑 LinkedIn Brand SA — token refused: Invalid access token"},
	}
	for _, tt := range tests {
		if got := f.handle(t, "U1", tt.text).Text; got != tt.want {
			t.Errorf("%q =\n%s\nwant\n%s", tt.text, got, tt.want)
		}
	}
	f.notifier.mu.Lock()
	defer f.notifier.mu.Unlock()
	if len(f.notifier.alerts) != 1 || f.notifier.alerts[0].Kind != workflows.EventAccountRejected {
		t.Errorf("alerts %+v, want one refused token, announced once", f.notifier.alerts)
	}
}

// failedDelivery drafts a post by U1, has U2 approve it, and makes its
// delivery end as status, as the dispatcher would.
func (f *fixture) failedDelivery(t *testing.T, status string) storage.Delivery {
	t.Helper()
	ctx := context.Background()
	post, err := f.svc.Draft(ctx, workflows.DraftRequest{AuthorID: "U1", Text: "Bonjour"})
	if err != nil {
		t.Fatal(err)
	}
	if msg := f.router.Approve(ctx, "U2", post.ID, post.Version); msg != "" {
		t.Fatalf("Approve: %q", msg)
	}
	now := f.svc.Now()
	claimed, err := f.store.ClaimDeliveries(ctx, now, now.Add(time.Minute), 10)
	if err != nil || len(claimed) != 1 {
		t.Fatalf("claim: %v, %v", claimed, err)
	}
	d := claimed[0]
	if err := f.store.EndDelivery(ctx, d.ID, d.Attempts, status, "HTTP 422", now); err != nil {
		t.Fatal(err)
	}
	return d
}

func TestDeliveryInteractions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	t.Run("RetryThenRetryAgain", func(t *testing.T) {
		t.Parallel()
		f := setup(t, options{})
		d := f.failedDelivery(t, storage.DeliveryFailed)
		if got := f.router.RetryDelivery(ctx, "U2", d.ID); got != "" {
			t.Fatalf("RetryDelivery = %q, want nothing (the alert says it)", got)
		}
		want := "Cette publication a déjà été traitée (elle est maintenant : programmé)."
		if got := f.router.RetryDelivery(ctx, "U3", d.ID); got != want {
			t.Errorf("second RetryDelivery = %q, want %q", got, want)
		}
		if got := f.router.CancelDelivery(ctx, "U3", d.ID); got != want {
			t.Errorf("CancelDelivery after a retry = %q, want %q", got, want)
		}
	})
	t.Run("ConfirmAndCancelAnUncertainDelivery", func(t *testing.T) {
		t.Parallel()
		f := setup(t, options{})
		d := f.failedDelivery(t, storage.DeliveryUnknown)
		if got := f.router.ConfirmDelivery(ctx, "U2", d.ID); got != "" {
			t.Fatalf("ConfirmDelivery = %q", got)
		}
		want := "Cette publication a déjà été traitée (elle est maintenant : publié)."
		if got := f.router.CancelDelivery(ctx, "U2", d.ID); got != want {
			t.Errorf("CancelDelivery after a confirmation = %q, want %q", got, want)
		}
		g := setup(t, options{})
		d = g.failedDelivery(t, storage.DeliveryUnknown)
		if got := g.router.CancelDelivery(ctx, "U2", d.ID); got != "" {
			t.Fatalf("CancelDelivery = %q", got)
		}
	})
	t.Run("StrangerIsRefused", func(t *testing.T) {
		t.Parallel()
		f := setup(t, options{approvers: []string{"U2"}})
		d := f.failedDelivery(t, storage.DeliveryFailed)
		want := "Vous n'êtes pas approbateur : seules les personnes désignées peuvent décider de ce post."
		if got := f.router.RetryDelivery(ctx, "U3", d.ID); got != want {
			t.Errorf("RetryDelivery by a stranger = %q, want %q", got, want)
		}
	})
	t.Run("UnknownDeliveryDoesNotNamePostZero", func(t *testing.T) {
		t.Parallel()
		f := setup(t, options{})
		got := f.router.RetryDelivery(ctx, "U2", 404)
		if got == "" || strings.Contains(got, "n°0") {
			t.Errorf("RetryDelivery of a missing delivery = %q, want a refusal that does not speak of post 0", got)
		}
	})
}

func TestRelease(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	late := func(t *testing.T, opts options) (*fixture, *testClock, workflows.Post) {
		t.Helper()
		clock := wednesday(t)
		opts.now = clock.Now
		f := setup(t, opts)
		post, err := f.svc.Draft(ctx, workflows.DraftRequest{AuthorID: "U1", Text: "En retard", PublishAt: clock.Now().Add(time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		clock.Advance(2 * time.Hour)
		if msg := f.router.Approve(ctx, "U2", post.ID, post.Version); msg != "" {
			t.Fatalf("Approve = %q, want nothing (the card asks what to do)", msg)
		}
		return f, clock, post
	}
	t.Run("NowThenAgain", func(t *testing.T) {
		t.Parallel()
		f, _, post := late(t, options{})
		if got := f.router.Release(ctx, "U2", post.ID, false); got != "" {
			t.Fatalf("Release = %q", got)
		}
		if got := f.router.Release(ctx, "U3", post.ID, true); !strings.HasPrefix(got, "Trop tard") && !strings.Contains(got, "plus rien à décider") {
			t.Errorf("second Release = %q, want a refusal", got)
		}
	})
	t.Run("NextSlot", func(t *testing.T) {
		t.Parallel()
		f, _, post := late(t, options{slots: weekdaySlots})
		if got := f.router.Release(ctx, "U1", post.ID, true); got != "" {
			t.Fatalf("Release by the author = %q", got)
		}
		q, err := f.svc.Queue(ctx)
		if err != nil || len(q) != 1 {
			t.Fatalf("queue %+v, %v", q, err)
		}
		// Approved at 12:00 Paris: the next slot is 12:30.
		if want := time.Date(2026, 11, 25, 11, 30, 0, 0, time.UTC); !q[0].At.Equal(want) {
			t.Errorf("queued for %v, want 12:30 Paris", q[0].At)
		}
	})
	t.Run("StrangerIsRefused", func(t *testing.T) {
		t.Parallel()
		f, _, post := late(t, options{approvers: []string{"U2"}})
		want := "Vous n'êtes pas approbateur : seules les personnes désignées peuvent décider de ce post."
		if got := f.router.Release(ctx, "U3", post.ID, false); got != want {
			t.Errorf("Release by a stranger = %q, want %q", got, want)
		}
	})
}
