package workflows

import (
	"context"
	"fmt"
	"slices"
	"time"

	"catweete/storage"
)

// Engagements adds up what people did with a post: likes, reposts,
// replies, clicks, quotes and saves, where the network gives them. It is
// unknown only when the network gives none of them.
func Engagements(f storage.Figures) storage.Count {
	var e storage.Count
	for _, c := range []storage.Count{f.Likes, f.Reposts, f.Replies, f.Clicks, f.Quotes, f.Saves} {
		if c.Known {
			e.Value += c.Value
			e.Known = true
		}
	}
	return e
}

// ReachSource says where a network's "reach" figure comes from.
type ReachSource int

// Sources of reach.
const (
	// ReachNone: the network gives neither reach nor impressions
	// (Mastodon, Bluesky): only engagements are shown for it.
	ReachNone ReachSource = iota
	// ReachGiven: unique accounts reached, as the network counts them.
	ReachGiven
	// ReachFromImpressions: the network gives no reach, impressions stand
	// in, and the answer says so.
	ReachFromImpressions
	// ReachMixed: a total of reach from some networks and impressions
	// standing in for others; the answer says so.
	ReachMixed
)

// Figures is the sum of a set of deliveries, with the rates that can be
// honestly computed from them. A rate is only computed over deliveries
// that give both its terms.
type Figures struct {
	Posts       int // distinct posts
	Deliveries  int
	Impressions storage.Count
	// Reach is the reach where given, impressions where only they are
	// (see Source); unknown where neither is.
	Reach       storage.Count
	Source      ReachSource
	Engagements storage.Count
	// EngagementRate is engagements ÷ impressions, over the deliveries
	// that give impressions; ReachRate is reach ÷ followers at posting
	// time, over those that give both (impressions never stand in for it).
	// Known says whether there was anything to divide.
	EngagementRate Rate
	ReachRate      Rate
}

// Rate is a share, known or not.
type Rate struct {
	Value float64
	Known bool
}

// NetworkFigures is one network's part of a summary.
type NetworkFigures struct {
	Network string // the network's id (social.NetworkMastodon…)
	Figures
}

// TopPost is the post that reached furthest in a period.
type TopPost struct {
	PostID int64
	Text   string
	URL    string
	Score  int64 // reach (or its stand-in), else engagements
	// ByReach is false when the ranking is by engagements (no network
	// of the period gives reach or impressions).
	ByReach bool
}

// Summary answers "how far did it go?" for a period, against the period of
// the same length just before it.
type Summary struct {
	From, To time.Time
	Networks []NetworkFigures // in the order of the configured accounts
	Total    Figures
	Previous Figures
	Top      *TopPost
}

// Change is the relative change from previous to current (0.18 for ▲ 18 %),
// unknown when either is unknown or previous is zero.
func Change(current, previous storage.Count) Rate {
	if !current.Known || !previous.Known || previous.Value == 0 {
		return Rate{}
	}
	return Rate{Value: float64(current.Value-previous.Value) / float64(previous.Value), Known: true}
}

// Summarize sums up what was published in [from, to), per network and in
// total, with the top post, against the previous period of the same length.
func (s *Service) Summarize(ctx context.Context, from, to time.Time) (Summary, error) {
	current, err := s.store.PublishedBetween(ctx, from, to)
	if err != nil {
		return Summary{}, fmt.Errorf("workflows: summary: %w", err)
	}
	previous, err := s.store.PublishedBetween(ctx, from.Add(-to.Sub(from)), from)
	if err != nil {
		return Summary{}, fmt.Errorf("workflows: summary: %w", err)
	}
	sum := Summary{From: from, To: to, Total: sumFigures(current), Previous: sumFigures(previous)}
	byNetwork := make(map[string][]storage.Measured)
	for _, m := range current {
		byNetwork[m.Network] = append(byNetwork[m.Network], m)
	}
	seen := make(map[string]bool)
	for _, a := range s.accounts {
		if seen[a.Network] {
			continue
		}
		seen[a.Network] = true
		if ms := byNetwork[a.Network]; len(ms) > 0 {
			sum.Networks = append(sum.Networks, NetworkFigures{Network: a.Network, Figures: sumFigures(ms)})
		}
	}
	for network, ms := range byNetwork {
		if !seen[network] { // an account no longer configured: still counted
			sum.Networks = append(sum.Networks, NetworkFigures{Network: network, Figures: sumFigures(ms)})
		}
	}
	sum.Top = topPost(current)
	return sum, nil
}

// reachOf is a delivery's reach, or its impressions standing in.
func reachOf(m storage.Measured) (storage.Count, ReachSource) {
	switch {
	case m.Reach.Known:
		return m.Reach, ReachGiven
	case m.Impressions.Known:
		return m.Impressions, ReachFromImpressions
	}
	return storage.Count{}, ReachNone
}

func add(total *storage.Count, c storage.Count) {
	if c.Known {
		total.Value += c.Value
		total.Known = true
	}
}

// mergeSource says where a total's reach comes from, given one more part.
func mergeSource(total, part ReachSource) ReachSource {
	switch {
	case part == ReachNone || total == part:
		return total
	case total == ReachNone:
		return part
	}
	return ReachMixed
}

func sumFigures(ms []storage.Measured) Figures {
	var f Figures
	posts := make(map[int64]bool)
	var engagedOverImpressions, impressionsForRate float64
	var reachForRate, followersForRate float64
	for _, m := range ms {
		posts[m.PostID] = true
		f.Deliveries++
		add(&f.Impressions, m.Impressions)
		reach, source := reachOf(m)
		add(&f.Reach, reach)
		f.Source = mergeSource(f.Source, source)
		e := Engagements(m.Figures)
		add(&f.Engagements, e)
		if e.Known && m.Impressions.Known && m.Impressions.Value > 0 {
			engagedOverImpressions += float64(e.Value)
			impressionsForRate += float64(m.Impressions.Value)
		}
		// Impressions count views, not people: they stand in for reach in
		// a total, never in a share of the audience.
		if m.Reach.Known && m.Followers.Known && m.Followers.Value > 0 {
			reachForRate += float64(m.Reach.Value)
			followersForRate += float64(m.Followers.Value)
		}
	}
	f.Posts = len(posts)
	if impressionsForRate > 0 {
		f.EngagementRate = Rate{Value: engagedOverImpressions / impressionsForRate, Known: true}
	}
	if followersForRate > 0 {
		f.ReachRate = Rate{Value: reachForRate / followersForRate, Known: true}
	}
	return f
}

// topPost ranks posts by their reach (all networks added), or by their
// engagements when no delivery of the period gives any reach.
func topPost(ms []storage.Measured) *TopPost {
	if len(ms) == 0 {
		return nil
	}
	type acc struct {
		TopPost
		reach, engaged int64
		hasReach       bool
	}
	posts := make(map[int64]*acc)
	var order []int64
	anyReach := false
	for _, m := range ms {
		p := posts[m.PostID]
		if p == nil {
			p = &acc{TopPost: TopPost{PostID: m.PostID, Text: m.PostText}}
			posts[m.PostID] = p
			order = append(order, m.PostID)
		}
		if p.URL == "" {
			p.URL = m.RemoteURL
		}
		if r, _ := reachOf(m); r.Known {
			p.reach += r.Value
			p.hasReach, anyReach = true, true
		}
		p.engaged += Engagements(m.Figures).Value
	}
	var best *acc
	for _, id := range order {
		p := posts[id]
		p.Score, p.ByReach = p.engaged, anyReach
		if anyReach {
			p.Score = p.reach
		}
		if best == nil || p.Score > best.Score {
			best = p
		}
	}
	if best.Score == 0 {
		return nil
	}
	top := best.TopPost
	return &top
}

// Period is a span of time people ask about.
type Period int

// Periods of /catweete reach.
const (
	PeriodToday Period = iota + 1
	PeriodWeek
	PeriodMonth
)

// Bounds returns the period that contains now, in the team's zone: today
// since midnight, this week since Monday, this month since the 1st. Each
// ends now, so that it compares with the same length just before.
func (s *Service) Bounds(p Period) (from, to time.Time) {
	now := s.now()
	local := now.In(s.loc)
	midnight := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, s.loc)
	switch p {
	case PeriodWeek:
		from = midnight.AddDate(0, 0, -((int(midnight.Weekday()) + 6) % 7))
	case PeriodMonth:
		from = time.Date(local.Year(), local.Month(), 1, 0, 0, 0, 0, s.loc)
	default:
		from = midnight
	}
	return from, now
}

// DailyFigures is one day of the last days: reach and engagements per
// network, for the digest's chart.
type DailyFigures struct {
	Day      time.Time // midnight, team time
	Networks map[string]Figures
}

// Days returns the figures of each of the n days before today (team
// time), oldest first, by the day the posts went out.
func (s *Service) Days(ctx context.Context, n int) ([]DailyFigures, error) {
	now := s.now().In(s.loc)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, s.loc)
	first := today.AddDate(0, 0, -n)
	ms, err := s.store.PublishedBetween(ctx, first, today)
	if err != nil {
		return nil, fmt.Errorf("workflows: days: %w", err)
	}
	days := make([]DailyFigures, n)
	for i := range days {
		days[i] = DailyFigures{Day: first.AddDate(0, 0, i), Networks: make(map[string]Figures)}
	}
	byDay := make([]map[string][]storage.Measured, n)
	for _, m := range ms {
		local := m.PublishedAt.In(s.loc)
		day := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, s.loc)
		i := slices.IndexFunc(days, func(d DailyFigures) bool { return d.Day.Equal(day) })
		if i < 0 {
			continue
		}
		if byDay[i] == nil {
			byDay[i] = make(map[string][]storage.Measured)
		}
		byDay[i][m.Network] = append(byDay[i][m.Network], m)
	}
	for i, networks := range byDay {
		for network, list := range networks {
			days[i].Networks[network] = sumFigures(list)
		}
	}
	return days, nil
}

// Count, Figures of storage, and Measured are what summaries are made of;
// named here so that callers need not reach into storage.
type (
	// Count is a figure a network may or may not give.
	Count = storage.Count
	// Measured is a published delivery with its latest figures.
	Measured = storage.Measured
)
