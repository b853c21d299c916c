package workflows

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"catweete/social"
	"catweete/storage"
)

// measuredNet is a network that can say how its posts did (Measurer) and
// show its account (Profiler), answering from what the test set.
type measuredNet struct {
	*fakePublisher

	mu      sync.Mutex
	metrics map[string]social.Metrics // by remote id; unknown ids answer all-unknown
	err     error                     // returned by Metrics while set
	asked   []string                  // remote ids, in the order asked
	// release, if not nil, holds every Metrics call until it is closed.
	release chan struct{}

	profile    social.Profile
	profileErr error
	profiles   int
}

func newMeasuredNet(network string) *measuredNet {
	return &measuredNet{fakePublisher: &fakePublisher{network: network, limit: 3000}, metrics: map[string]social.Metrics{}}
}

func (n *measuredNet) Metrics(ctx context.Context, remoteID string) (social.Metrics, error) {
	n.mu.Lock()
	n.asked = append(n.asked, remoteID)
	m, err, release := n.metrics[remoteID], n.err, n.release
	n.mu.Unlock()
	if release != nil {
		select {
		case <-release:
		case <-ctx.Done():
			return social.Metrics{}, ctx.Err()
		}
	}
	if err != nil {
		return social.Metrics{}, err
	}
	return m, nil
}

func (n *measuredNet) Profile(context.Context) (social.Profile, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.profiles++
	return n.profile, n.profileErr
}

// set makes the network answer m for remoteID.
func (n *measuredNet) set(remoteID string, m social.Metrics) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.metrics[remoteID] = m
}

// fail makes every Metrics call fail with err (nil: answer again).
func (n *measuredNet) fail(err error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.err = err
}

// askedFor returns the remote ids asked so far, and forgets them.
func (n *measuredNet) askedFor() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	a := n.asked
	n.asked = nil
	return a
}

func (n *measuredNet) profileCalls() int {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.profiles
}

// numbers is a fixture with four accounts: Mastodon (the plain fake
// publisher: it cannot measure), then X, LinkedIn and Facebook, which can.
type numbers struct {
	*fixture
	x, linkedin, facebook *measuredNet
	acct                  map[string]Account // by network
}

func setupNumbers(t *testing.T, start time.Time) *numbers {
	t.Helper()
	n := &numbers{
		x:        newMeasuredNet(social.NetworkX),
		linkedin: newMeasuredNet(social.NetworkLinkedIn),
		facebook: newMeasuredNet(social.NetworkFacebook),
	}
	n.fixture = setup(t, options{start: start, more: []AccountConfig{
		{Handle: "@brand", Publisher: n.x},
		{Handle: "urn:li:organization:1", Publisher: n.linkedin},
		{Handle: "page-1", Publisher: n.facebook},
	}})
	n.acct = map[string]Account{}
	for _, a := range n.svc.Accounts() {
		n.acct[a.Network] = a
	}
	return n
}

// publishedPost stores a post that went out at `at` on these networks,
// through the same storage calls as the dispatcher, and returns its id and
// its deliveries by network. Remote ids are "<network>-<delivery id>".
func (n *numbers) publishedPost(t *testing.T, text string, at time.Time, networks ...string) (int64, map[string]storage.Delivery) {
	t.Helper()
	ctx := t.Context()
	postID, err := n.store.InsertPost(ctx, storage.Post{Text: text, AuthorID: "UAUTHOR", Status: StatusPublished, CreatedAt: at})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]storage.Delivery{}
	networkOf := map[int64]string{}
	for network, a := range n.acct {
		networkOf[a.ID] = network
	}
	for _, network := range networks {
		a, ok := n.acct[network]
		if !ok {
			t.Fatalf("no %s account", network)
		}
		if _, err := n.store.InsertDelivery(ctx, storage.Delivery{PostID: postID, AccountID: a.ID,
			Status: storage.DeliveryScheduled, IdempotencyKey: fmt.Sprintf("seed-%d-%d", postID, a.ID),
			DueAt: at, NextAttemptAt: at, CreatedAt: at}); err != nil {
			t.Fatal(err)
		}
	}
	claimed, err := n.store.ClaimDeliveries(ctx, at, at.Add(time.Minute), 100)
	if err != nil || len(claimed) != len(networks) {
		t.Fatalf("claimed %d deliveries, %v; want %d", len(claimed), err, len(networks))
	}
	for _, d := range claimed {
		network := networkOf[d.AccountID]
		remoteID := fmt.Sprintf("%s-%d", network, d.ID)
		if err := n.store.CompleteDelivery(ctx, d.ID, d.Attempts, remoteID, "https://"+network+".example/"+remoteID, at); err != nil {
			t.Fatal(err)
		}
		stored, err := n.store.Delivery(ctx, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		out[network] = stored
	}
	return postID, out
}

// record stores a snapshot of a delivery's figures, as the collector does.
func (n *numbers) record(t *testing.T, d storage.Delivery, at time.Time, f storage.Figures) {
	t.Helper()
	if err := n.store.WithTx(t.Context(), func(tx *storage.Tx) error {
		return tx.RecordMetrics(t.Context(), d.ID, at, f)
	}); err != nil {
		t.Fatal(err)
	}
}

// followersAtPublish records the audience a delivery went out to.
func (n *numbers) followersAtPublish(t *testing.T, d storage.Delivery, followers int64) {
	t.Helper()
	if err := n.store.SetFollowersAtPublish(t.Context(), d.ID, followers); err != nil {
		t.Fatal(err)
	}
}

// snapshots returns a delivery's snapshots.
func (n *numbers) snapshots(t *testing.T, d storage.Delivery) []storage.Snapshot {
	t.Helper()
	s, err := n.store.Snapshots(t.Context(), d.ID)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// known is a figure the network gave.
func known(v int64) storage.Count { return storage.Count{Value: v, Known: true} }

// sknown is a figure as a network client gives it.
func sknown(v int64) social.Count { return social.Known(v) }
