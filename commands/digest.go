package commands

import (
	"context"
	"fmt"
	"strings"
	"time"

	"catweete/storage"
	"catweete/workflows"
)

// digestListMax caps each list of the digest that has a block per item
// (yesterday's posts, pending posts, deliveries to look at), and
// digestTodayMax today's schedule, one line each: with the header, the
// totals and the other sections, the message stays well under Slack's 50
// blocks, and "…et N autres" says what was left out.
const (
	digestListMax  = 5
	digestTodayMax = 15
)

func handleDigest(context.Context, *Router, Call) Reply {
	return Reply{PostDigest: true}
}

// Digest gathers the daily digest.
func (r *Router) Digest(ctx context.Context) (workflows.Digest, error) {
	return r.svc.Digest(ctx)
}

// DigestItem is one entry of a digest's list, in mrkdwn, with what its
// buttons need.
type DigestItem struct {
	Text string
	// PostID and Version are a pending post's, for its Approve button;
	// zero elsewhere.
	PostID  int64
	Version int
	// DeliveryID is a delivery that needs a look, for its Retry button;
	// Unknown says it may have gone out (Mark as published comes first).
	DeliveryID int64
	Unknown    bool
}

// DigestSection is a part of the digest: a heading and its items, with
// "…et N autres" in More when the list was cut.
type DigestSection struct {
	Heading string
	Items   []DigestItem
	More    string
}

// DigestPage is the daily digest in words, every sentence from the
// catalog, for the bot to lay out as blocks and buttons.
type DigestPage struct {
	// Title is the header, in plain text; Fallback the message's text for
	// notifications.
	Title    string
	Fallback string
	// Yesterday's heading holds the totals against the day before, each
	// network and the top post; its items are the posts, each with its
	// numbers per network and its links.
	Yesterday DigestSection
	Pending   DigestSection
	// Today's items are one line each.
	Today DigestSection
	// FreeSlots is empty when no posting slots are configured.
	FreeSlots string
	// Attention is empty when no delivery needs a look.
	Attention DigestSection
	// Chart says whether the last days have anything to draw; ChartFile,
	// ChartTitle and ChartAlt name the uploaded image.
	Chart      bool
	ChartFile  string
	ChartTitle string
	ChartAlt   string
}

// DigestPage words the digest in lang.
func (r *Router) DigestPage(lang Lang, d workflows.Digest) DigestPage {
	loc := d.Location
	if loc == nil {
		loc = r.svc.Location()
	}
	page := DigestPage{Title: r.cat.T(lang, MsgDigestTitle, r.cat.Day(lang, d.Now, loc))}
	page.Yesterday = r.digestYesterday(lang, d, loc)
	page.Fallback = page.Title + "\n" + strings.SplitN(page.Yesterday.Heading, "\n", 2)[0]
	page.Pending = r.digestPending(lang, d)
	page.Today = r.digestToday(lang, d, loc)
	if !r.svc.Slots().Empty() {
		page.FreeSlots = r.cat.T(lang, MsgDigestNoFreeSlot)
		if len(d.FreeSlots) > 0 {
			clocks := make([]string, len(d.FreeSlots))
			for i, t := range d.FreeSlots {
				clocks[i] = t.In(loc).Format("15:04")
			}
			page.FreeSlots = r.cat.T(lang, MsgDigestFreeSlots, strings.Join(clocks, ", "))
		}
	}
	page.Attention = r.digestAttention(lang, d)
	if n := len(d.Days); n > 0 {
		for _, day := range d.Days {
			if len(day.Networks) > 0 {
				page.Chart = true
			}
		}
		first, last := r.cat.Day(lang, d.Days[0].Day, loc), r.cat.Day(lang, d.Days[n-1].Day, loc)
		page.ChartTitle = r.cat.T(lang, MsgDigestChartTitle, first, last)
		page.ChartAlt = r.cat.T(lang, MsgDigestChartAlt, first, last)
		page.ChartFile = fmt.Sprintf("catweete-digest-%s.png", d.Now.In(loc).Format("2006-01-02"))
	}
	return page
}

// digestYesterday is yesterday in figures: the totals against the day
// before, each network, the top post, then each post with its numbers.
func (r *Router) digestYesterday(lang Lang, d workflows.Digest, loc *time.Location) DigestSection {
	sum := d.Yesterday
	day := r.cat.Day(lang, sum.From, loc)
	var s DigestSection
	if sum.Total.Posts == 0 {
		s.Heading = r.cat.T(lang, MsgDigestNothing, day)
		if sum.Previous.Posts > 0 {
			s.Heading += " " + r.cat.T(lang, MsgDigestDayBefore, sum.Previous.Posts)
		}
		return s
	}
	var b strings.Builder
	b.WriteString(r.cat.T(lang, MsgDigestYesterday, day, r.figuresLine(lang, "", sum.Total, sum.Previous, true)))
	for _, n := range sum.Networks {
		b.WriteString("\n" + r.cat.T(lang, MsgDigestNetwork, workflows.NetworkName(n.Network),
			r.figuresLine(lang, n.Network, n.Figures, workflows.Figures{}, false)))
	}
	if line := r.topLine(lang, sum.Top, false); line != "" {
		b.WriteString("\n" + line)
	}
	b.WriteString(r.standInNote(lang, sum.Total))
	s.Heading = b.String()

	// One item per post, in the order they went out, with a line per
	// network.
	var order []int64
	byPost := make(map[int64][]workflows.Measured)
	for _, m := range d.Posts {
		if _, seen := byPost[m.PostID]; !seen {
			order = append(order, m.PostID)
		}
		byPost[m.PostID] = append(byPost[m.PostID], m)
	}
	for i, id := range order {
		if i == digestListMax {
			s.More = r.cat.T(lang, MsgDigestMore, len(order)-i)
			break
		}
		ms := byPost[id]
		var b strings.Builder
		b.WriteString(postRef(lang, id, ms[0].PostText))
		for _, m := range ms {
			line := r.deliveryFigures(lang, m)
			if m.RemoteURL != "" {
				line += fmt.Sprintf(" — <%s|%s>", m.RemoteURL, r.cat.T(lang, MsgReachSee))
			}
			b.WriteString("\n" + r.cat.T(lang, MsgDigestNetwork, workflows.NetworkName(m.Network), line))
		}
		s.Items = append(s.Items, DigestItem{Text: b.String(), PostID: id})
	}
	return s
}

// deliveryFigures is one delivery's latest numbers, in the words of
// figuresLine, without a post count: reach (or impressions standing in,
// said so), engagements and their rates; nothing invented where the
// network gives nothing.
func (r *Router) deliveryFigures(lang Lang, m workflows.Measured) string {
	var parts []string
	reach := m.Reach
	switch {
	case m.Reach.Known:
		parts = append(parts, r.cat.T(lang, MsgReachReach, r.cat.Compact(lang, m.Reach.Value)))
		if m.Impressions.Known {
			parts = append(parts, r.cat.T(lang, MsgReachImpressions, r.cat.Compact(lang, m.Impressions.Value)))
		}
	case m.Impressions.Known:
		reach = m.Impressions
		parts = append(parts, r.cat.T(lang, MsgReachImpressionsAsReach, r.cat.Compact(lang, m.Impressions.Value)))
	}
	engaged := workflows.Engagements(m.Figures)
	if engaged.Known {
		parts = append(parts, r.cat.T(lang, MsgReachEngagements, r.cat.Compact(lang, engaged.Value)))
		if m.Impressions.Known && m.Impressions.Value > 0 {
			rate := float64(engaged.Value) / float64(m.Impressions.Value)
			parts = append(parts, r.cat.T(lang, MsgReachEngagementRate, r.cat.Percent(lang, rate)))
		}
	}
	if reach.Known && m.Followers.Known && m.Followers.Value > 0 {
		rate := float64(reach.Value) / float64(m.Followers.Value)
		parts = append(parts, r.cat.T(lang, MsgReachRate, r.cat.Percent(lang, rate)))
	}
	if len(parts) == 0 {
		return r.cat.T(lang, MsgDigestNotMeasured)
	}
	return strings.Join(parts, " · ")
}

// digestPending is what waits for approval, oldest first, each with what
// its Approve button needs.
func (r *Router) digestPending(lang Lang, d workflows.Digest) DigestSection {
	if len(d.Pending) == 0 {
		return DigestSection{Heading: r.cat.T(lang, MsgStatusNoPending)}
	}
	s := DigestSection{Heading: r.cat.T(lang, MsgPendingHeader, len(d.Pending))}
	for i, p := range d.Pending {
		if i == digestListMax {
			s.More = r.cat.T(lang, MsgDigestMore, len(d.Pending)-i)
			break
		}
		text := fmt.Sprintf("%s %s <@%s> — %s", postRef(lang, p.Post.ID, p.Post.Text), r.cat.T(lang, MsgBy), p.Post.AuthorID,
			r.cat.T(lang, MsgPendingItem, len(p.Approvals), p.Required, r.cat.FormatSince(lang, p.Since, d.Now)))
		if p.Post.CardChannel != "" {
			text += fmt.Sprintf(" (<#%s>)", p.Post.CardChannel)
		}
		s.Items = append(s.Items, DigestItem{Text: text, PostID: p.Post.ID, Version: p.Post.Version})
	}
	return s
}

// digestToday is what goes out today, a line each, with the clock time in
// the team's zone.
func (r *Router) digestToday(lang Lang, d workflows.Digest, loc *time.Location) DigestSection {
	if len(d.Today) == 0 {
		return DigestSection{Heading: r.cat.T(lang, MsgDigestTodayEmpty)}
	}
	s := DigestSection{Heading: r.cat.T(lang, MsgDigestTodayHeader, len(d.Today), loc.String())}
	for i, q := range d.Today {
		if i == digestTodayMax {
			s.More = r.cat.T(lang, MsgDigestMore, len(d.Today)-i)
			break
		}
		text := r.cat.T(lang, MsgDigestTodayItem, q.At.In(loc).Format("15:04"), postRef(lang, q.PostID, q.Text),
			r.cat.T(lang, MsgOn), r.cat.JoinWords(lang, q.Networks))
		s.Items = append(s.Items, DigestItem{Text: text, PostID: q.PostID})
	}
	return s
}

// digestAttention is the deliveries that failed or may not have gone out,
// each with what its buttons need.
func (r *Router) digestAttention(lang Lang, d workflows.Digest) DigestSection {
	if len(d.Attention) == 0 {
		return DigestSection{}
	}
	s := DigestSection{Heading: r.cat.T(lang, MsgStatusAttention, len(d.Attention))}
	for i, v := range d.Attention {
		if i == digestListMax {
			s.More = r.cat.T(lang, MsgDigestMore, len(d.Attention)-i)
			break
		}
		text := fmt.Sprintf("%s *%s* — %s", postRef(lang, v.PostID, v.PostText), workflows.NetworkName(v.Network),
			r.cat.DeliveryStateName(lang, v.Status))
		if v.LastError != "" {
			text += fmt.Sprintf(" (%s)", escape(Excerpt(v.LastError, 120)))
		}
		s.Items = append(s.Items, DigestItem{Text: text, PostID: v.PostID, DeliveryID: v.ID,
			Unknown: v.Status == storage.DeliveryUnknown})
	}
	return s
}

// ShortDay writes a day for a chart's axis: "lun. 23" / "Mon 23".
func (c *Catalog) ShortDay(lang Lang, t time.Time, loc *time.Location) string {
	lt := t.In(loc)
	if lang == English {
		return lt.Format("Mon 2")
	}
	return fmt.Sprintf("%s %d", frenchDay(lt.Weekday()), lt.Day())
}
