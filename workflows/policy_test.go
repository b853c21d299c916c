package workflows

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"catweete/social"
	"catweete/storage"
)

// changingDirectory is Slack's user groups as they change while catweete
// runs: members come and go, and Slack may stop answering. It counts the
// questions it was asked.
type changingDirectory struct {
	mu      sync.Mutex
	groups  map[string][]string
	down    bool
	fetches int
}

func (d *changingDirectory) GroupMembers(_ context.Context, group string) ([]string, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.fetches++
	if d.down {
		return nil, errors.New("slack: 503 Service Unavailable")
	}
	members, ok := d.groups[group]
	if !ok {
		return nil, errors.New("no_such_subteam")
	}
	return slices.Clone(members), nil
}

func (d *changingDirectory) set(group string, members ...string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.groups[group] = members
}

// drop makes group unknown to Slack (no_such_subteam): it was deleted.
func (d *changingDirectory) drop(group string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	delete(d.groups, group)
}

func (d *changingDirectory) setDown(down bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.down = down
}

func (d *changingDirectory) asked() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.fetches
}

// policyFixture is a Service whose approvers are the user groups of a
// changingDirectory (and UA, a listed user).
type policyFixture struct {
	svc   *Service
	store *storage.Store
	dir   *changingDirectory
	clock *clock
}

func setupPolicy(t *testing.T, approvers []string, required int) *policyFixture {
	t.Helper()
	store, err := storage.Open(t.Context(), filepath.Join(t.TempDir(), "catweete.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	f := &policyFixture{
		store: store,
		dir:   &changingDirectory{groups: map[string][]string{"SAPPROVERS": {"UGROUPIE", "UOTHER"}, "SLEGAL": {"ULAWYER"}}},
		clock: &clock{now: time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)},
	}
	f.svc, err = New(t.Context(), Config{
		Store:    store,
		Accounts: []AccountConfig{{Handle: "https://masto.example", Publisher: &fakePublisher{network: social.NetworkMastodon, limit: 500}}},
		Notifier: &fakeNotifier{}, Directory: f.dir, Approvers: approvers, ApprovalsRequired: required,
		Now: f.clock.Now,
	})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// click is one decision on the card: approve, reject or request changes,
// or the check made before the reason modal opens.
type click struct {
	user   string
	action string // ActionApprove, ActionReject, ActionRequestChanges, or "can_reject"
}

func (f *policyFixture) click(ctx context.Context, p Post, c click) error {
	var err error
	switch c.action {
	case ActionApprove:
		_, err = f.svc.Approve(ctx, p.ID, p.Version, c.user)
	case ActionReject:
		_, err = f.svc.Reject(ctx, p.ID, p.Version, c.user, "Hors charte")
	case ActionRequestChanges:
		_, err = f.svc.RequestChanges(ctx, p.ID, p.Version, c.user, "Une faute")
	case "can_reject":
		err = f.svc.CanDecide(ctx, p.ID, p.Version, c.user, true)
	default:
		err = fmt.Errorf("unknown click %q", c.action)
	}
	return err
}

// TestApproversAreResolvedAtClickTime: a decision asks Slack who is in the
// approvers' user groups when it is taken. Between the two clicks of each
// row, the group changes (or Slack stops answering); the second click is
// judged on the group as it is then, never on what was known before.
func TestApproversAreResolvedAtClickTime(t *testing.T) {
	t.Parallel()
	removeGroupie := func(d *changingDirectory) { d.set("SAPPROVERS", "UOTHER") }
	tests := []struct {
		name      string
		approvers []string
		required  int
		first     click
		wantFirst error
		between   func(*changingDirectory)
		second    click
		want      error
		status    string
	}{
		{"RemovedMemberCannotApprove", []string{"SAPPROVERS"}, 2,
			click{"UGROUPIE", ActionApprove}, nil, removeGroupie,
			click{"UGROUPIE", ActionApprove}, ErrNotApprover, StatusPending},
		{"RemovedMemberCannotApproveAfterSomeoneElse", []string{"SAPPROVERS"}, 2,
			click{"UOTHER", ActionApprove}, nil, removeGroupie,
			click{"UGROUPIE", ActionApprove}, ErrNotApprover, StatusPending},
		{"RemovedMemberCannotReject", []string{"SAPPROVERS"}, 2,
			click{"UOTHER", ActionApprove}, nil, removeGroupie,
			click{"UGROUPIE", ActionReject}, ErrNotApprover, StatusPending},
		{"RemovedMemberCannotRequestChanges", []string{"SAPPROVERS"}, 2,
			click{"UOTHER", ActionApprove}, nil, removeGroupie,
			click{"UGROUPIE", ActionRequestChanges}, ErrNotApprover, StatusPending},
		{"RemovedMemberIsNotOfferedTheReasonModal", []string{"SAPPROVERS"}, 2,
			click{"UGROUPIE", "can_reject"}, nil, removeGroupie,
			click{"UGROUPIE", "can_reject"}, ErrNotApprover, StatusPending},
		{"AddedMemberApprovesAtOnce", []string{"SAPPROVERS"}, 1,
			click{"UNEWCOMER", ActionApprove}, ErrNotApprover, func(d *changingDirectory) { d.set("SAPPROVERS", "UGROUPIE", "UNEWCOMER") },
			click{"UNEWCOMER", ActionApprove}, nil, StatusApproved},
		{"SlackDownRefusesTheApproval", []string{"SAPPROVERS"}, 2,
			click{"UOTHER", ActionApprove}, nil, func(d *changingDirectory) { d.setDown(true) },
			click{"UGROUPIE", ActionApprove}, ErrApproversUnavailable, StatusPending},
		{"SlackDownRefusesTheRejection", []string{"SAPPROVERS"}, 2,
			click{"UOTHER", ActionApprove}, nil, func(d *changingDirectory) { d.setDown(true) },
			click{"UGROUPIE", ActionReject}, ErrApproversUnavailable, StatusPending},
		{"SlackDownRefusesTheReasonModal", []string{"SAPPROVERS"}, 2,
			click{"UGROUPIE", "can_reject"}, nil, func(d *changingDirectory) { d.setDown(true) },
			click{"UGROUPIE", "can_reject"}, ErrApproversUnavailable, StatusPending},
		{"ListedUserNeedsNoGroup", []string{"UA", "SAPPROVERS"}, 2,
			click{"UGROUPIE", ActionApprove}, nil, func(d *changingDirectory) { d.setDown(true) },
			click{"UA", ActionApprove}, nil, StatusApproved},
		{"MemberOfAnotherGroupWhileOneFails", []string{"SAPPROVERS", "SLEGAL"}, 2,
			click{"UGROUPIE", ActionApprove}, nil, func(d *changingDirectory) { d.drop("SAPPROVERS") },
			click{"ULAWYER", ActionApprove}, nil, StatusApproved},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := setupPolicy(t, tt.approvers, tt.required)
			ctx := t.Context()
			p, err := f.svc.Draft(ctx, DraftRequest{AuthorID: "UAUTHOR", Text: "Nouveau site en ligne", OriginChannel: "CORIGIN"})
			if err != nil {
				t.Fatal(err)
			}
			// What the Home tab shows warms the cache: a decision must not
			// read it.
			if _, err := f.svc.IsApprover(ctx, tt.second.user); err != nil {
				t.Fatal(err)
			}
			if err := f.click(ctx, p, tt.first); !errors.Is(err, tt.wantFirst) {
				t.Fatalf("first click %+v: %v, want %v", tt.first, err, tt.wantFirst)
			}
			tt.between(f.dir)
			before, err := f.store.Approvals(ctx, p.ID, p.Version)
			if err != nil {
				t.Fatal(err)
			}
			asked := f.dir.asked()
			err = f.click(ctx, p, tt.second)
			if tt.want == nil && err != nil || tt.want != nil && !errors.Is(err, tt.want) {
				t.Fatalf("second click %+v: %v, want %v", tt.second, err, tt.want)
			}
			if tt.second.user != "UA" && f.dir.asked() == asked {
				t.Errorf("the second click was judged without asking Slack for the group's members")
			}
			got, err := f.store.Post(ctx, p.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Status != tt.status {
				t.Errorf("post is %s, want %s", got.Status, tt.status)
			}
			after, err := f.store.Approvals(ctx, p.ID, p.Version)
			if err != nil {
				t.Fatal(err)
			}
			if tt.want != nil && len(after) != len(before) {
				t.Errorf("%d approvals after the refused click, want %d as before it", len(after), len(before))
			}
		})
	}
}

// TestWhatIsShownKeepsTheShortCache: the Home tab's "waiting for you" may
// rest on a list a minute old, and on the last list known while Slack does
// not answer; a decision never does.
func TestWhatIsShownKeepsTheShortCache(t *testing.T) {
	t.Parallel()
	f := setupPolicy(t, []string{"SAPPROVERS"}, 1)
	ctx := t.Context()
	if ok, err := f.svc.IsApprover(ctx, "UGROUPIE"); !ok || err != nil {
		t.Fatalf("IsApprover(UGROUPIE) = %v, %v; want true", ok, err)
	}
	f.dir.set("SAPPROVERS", "UOTHER")
	asked := f.dir.asked()
	if ok, _ := f.svc.IsApprover(ctx, "UGROUPIE"); !ok {
		t.Error("within the minute, the Home tab forgot the cached member")
	}
	if f.dir.asked() != asked {
		t.Error("the Home tab asked Slack again within the minute")
	}
	f.clock.Advance(2 * time.Minute)
	if ok, _ := f.svc.IsApprover(ctx, "UGROUPIE"); ok {
		t.Error("after the minute, the Home tab still counts a removed member")
	}
	f.dir.setDown(true)
	f.clock.Advance(2 * time.Minute)
	if ok, err := f.svc.IsApprover(ctx, "UOTHER"); !ok || err != nil {
		t.Errorf("Slack down: IsApprover(UOTHER) = %v, %v; want the last list known", ok, err)
	}
	p, err := f.svc.Draft(ctx, DraftRequest{AuthorID: "UAUTHOR", Text: "x", OriginChannel: "CORIGIN"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Approve(ctx, p.ID, p.Version, "UOTHER"); !errors.Is(err, ErrApproversUnavailable) {
		t.Errorf("Slack down: Approve = %v, want ErrApproversUnavailable, not the cached list", err)
	}
}
