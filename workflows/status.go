package workflows

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"catweete/storage"
)

// Link is a published post on one network.
type Link struct {
	Network string // display name
	URL     string
}

// PublishedPost is a post that went out, with its links.
type PublishedPost struct {
	PostID int64
	Text   string
	At     time.Time // first publication
	Links  []Link
}

// PendingPost is a post waiting for approval or for its author.
type PendingPost struct {
	Post      Post
	Since     time.Time
	Approvals []string
	Required  int
}

// UpcomingPost is an approved post waiting for its time.
type UpcomingPost struct {
	PostID   int64
	Text     string
	At       time.Time
	Networks []string // display names
}

// StatusReport answers "alors ça tweete ?": what went out, what waits, what
// comes next. Figures (reach) join it with the numbers.
type StatusReport struct {
	Now      time.Time
	Location *time.Location
	// Today and Week hold what was published since midnight and since
	// Monday midnight in the team's zone, most recent first; Week includes
	// Today.
	Today []PublishedPost
	Week  []PublishedPost
	// Pending is what waits for approvers, oldest first.
	Pending []PendingPost
	// ChangesRequested is what waits for its author.
	ChangesRequested []PendingPost
	// Upcoming is what is approved and will go out, soonest first.
	Upcoming []UpcomingPost
	// Attention is the deliveries that failed or whose outcome is unknown.
	Attention []storage.DeliveryView
	// Figures sums up this week's numbers, against the same length of time
	// just before (DESIGN §6).
	Figures Summary
	// Serial tells reports apart: two reports with the same Serial hold
	// the same lists and figures (their Now aside), so what is drawn from
	// one holds for the other at the same Now.
	Serial uint64
}

// Next is the soonest upcoming post, nil if none.
func (r StatusReport) Next() *UpcomingPost {
	if len(r.Upcoming) == 0 {
		return nil
	}
	return &r.Upcoming[0]
}

// statusLimit bounds each list of a report: a status answer is a few lines.
const statusLimit = 200

// statusFresh is how long a status report is reused while nothing is
// written: its figures compare this week with as long a time just before,
// a window that moves with the clock alone.
const statusFresh = time.Minute

// statusCache keeps the last status report. "Alors ça tweete ?" is asked by
// every colleague, in bursts (the morning, after a launch), and its answer
// reads a few hundred rows; it changes only when something is written, so
// the report is reused until the store's generation moves, the day
// changes, or statusFresh has passed.
type statusCache struct {
	compute sync.Mutex // one report computed at a time; the others wait and reuse it
	serial  atomic.Uint64
	mu      sync.Mutex // guards the fields below
	valid   bool
	report  StatusReport
	gen     uint64    // the store's generation read before the report was computed
	at      time.Time // when it was computed
}

// get returns the cached report if it still holds at now for generation gen.
func (c *statusCache) get(now time.Time, gen uint64, loc *time.Location) (StatusReport, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.valid || c.gen != gen || now.Before(c.at) || now.Sub(c.at) >= statusFresh || !sameDay(c.at, now, loc) {
		return StatusReport{}, false
	}
	r := c.report
	r.Now = now
	return r, true
}

func (c *statusCache) put(r StatusReport, gen uint64, at time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.valid, c.report, c.gen, c.at = true, r, gen, at
}

func sameDay(a, b time.Time, loc *time.Location) bool {
	ay, am, ad := a.In(loc).Date()
	by, bm, bd := b.In(loc).Date()
	return ay == by && am == bm && ad == bd
}

// Status gathers the status report. Reports are shared between callers
// (see statusCache): read them, never change them.
func (s *Service) Status(ctx context.Context) (StatusReport, error) {
	if r, ok := s.status.get(s.now(), s.store.Generation(), s.loc); ok {
		return r, nil
	}
	s.status.compute.Lock()
	defer s.status.compute.Unlock()
	// Another caller may have computed it while this one waited.
	gen := s.store.Generation()
	if r, ok := s.status.get(s.now(), gen, s.loc); ok {
		return r, nil
	}
	r, err := s.computeStatus(ctx)
	if err != nil {
		return r, err
	}
	r.Serial = s.status.serial.Add(1)
	s.status.put(r, gen, r.Now)
	return r, nil
}

func (s *Service) computeStatus(ctx context.Context) (StatusReport, error) {
	now := s.now()
	r := StatusReport{Now: now, Location: s.loc}
	local := now.In(s.loc)
	midnight := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, s.loc)
	monday := midnight.AddDate(0, 0, -((int(midnight.Weekday()) + 6) % 7))
	published, err := s.store.PublishedSince(ctx, monday, statusLimit)
	if err != nil {
		return r, fmt.Errorf("workflows: status: %w", err)
	}
	r.Week = groupPublished(published)
	if r.Figures, err = s.Summarize(ctx, monday, now); err != nil {
		return r, err
	}
	for _, p := range r.Week {
		if !p.At.Before(midnight) {
			r.Today = append(r.Today, p)
		}
	}
	if r.Pending, err = s.pending(ctx, StatusPending); err != nil {
		return r, err
	}
	if r.ChangesRequested, err = s.pending(ctx, StatusChangesRequested); err != nil {
		return r, err
	}
	if r.Upcoming, err = s.Queue(ctx); err != nil {
		return r, err
	}
	r.Attention, err = s.store.DeliveriesInState(ctx, statusLimit, storage.DeliveryFailed, storage.DeliveryUnknown)
	if err != nil {
		return r, fmt.Errorf("workflows: status: %w", err)
	}
	// Only failures of the last week need attention in a status answer.
	recent := r.Attention[:0]
	for _, d := range r.Attention {
		if !d.UpdatedAt.Before(monday.AddDate(0, 0, -7)) {
			recent = append(recent, d)
		}
	}
	r.Attention = recent
	return r, nil
}

// Pending returns the posts waiting for approval, oldest first.
func (s *Service) Pending(ctx context.Context) ([]PendingPost, error) {
	return s.pending(ctx, StatusPending)
}

func (s *Service) pending(ctx context.Context, status string) ([]PendingPost, error) {
	posts, err := s.store.PostsByStatus(ctx, statusLimit, status)
	if err != nil {
		return nil, fmt.Errorf("workflows: pending: %w", err)
	}
	ids := make([]int64, len(posts))
	for i, p := range posts {
		ids[i] = p.ID
	}
	approvals, err := s.store.CurrentApprovals(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("workflows: pending: %w", err)
	}
	out := make([]PendingPost, 0, len(posts))
	for _, p := range posts {
		pp := PendingPost{Post: p, Since: p.UpdatedAt, Required: s.required}
		for _, a := range approvals[p.ID] {
			pp.Approvals = append(pp.Approvals, a.UserID)
		}
		out = append(out, pp)
	}
	return out, nil
}

// Queue returns the approved posts that have yet to go out, soonest first.
func (s *Service) Queue(ctx context.Context) ([]UpcomingPost, error) {
	ds, err := s.store.DeliveriesInState(ctx, statusLimit, storage.DeliveryScheduled, storage.DeliveryPublishing)
	if err != nil {
		return nil, fmt.Errorf("workflows: queue: %w", err)
	}
	var out []UpcomingPost
	index := make(map[int64]int)
	for _, d := range ds {
		at := d.NextAttemptAt
		if at.IsZero() {
			at = d.DueAt
		}
		name := s.displayName(d.AccountID, d.Network)
		i, ok := index[d.PostID]
		if !ok {
			index[d.PostID] = len(out)
			out = append(out, UpcomingPost{PostID: d.PostID, Text: d.PostText, At: at, Networks: []string{name}})
			continue
		}
		if at.Before(out[i].At) {
			out[i].At = at
		}
		out[i].Networks = append(out[i].Networks, name)
	}
	return out, nil
}

func (s *Service) displayName(accountID int64, network string) string {
	if a, ok := s.byID[accountID]; ok {
		return a.DisplayName
	}
	return NetworkName(network)
}

// groupPublished gathers deliveries (most recent first) by post.
func groupPublished(ds []storage.DeliveryView) []PublishedPost {
	var out []PublishedPost
	index := make(map[int64]int)
	for _, d := range ds {
		link := Link{Network: NetworkName(d.Network), URL: d.RemoteURL}
		i, ok := index[d.PostID]
		if !ok {
			index[d.PostID] = len(out)
			out = append(out, PublishedPost{PostID: d.PostID, Text: d.PostText, At: d.PublishedAt, Links: []Link{link}})
			continue
		}
		// Deliveries come most recent first; a post's links read in the
		// order of its accounts.
		out[i].Links = append([]Link{link}, out[i].Links...)
		if d.PublishedAt.Before(out[i].At) {
			out[i].At = d.PublishedAt
		}
	}
	return out
}
