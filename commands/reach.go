package commands

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"catweete/workflows"
)

// errBadPeriod: the words named no period.
var errBadPeriod = errors.New("unknown period")

// parsePeriod reads what /catweete reach is asked about: aujourd'hui,
// semaine, mois (today, week, month), or two dates (2026-11-01 2026-11-15,
// 1/11 15/11, both included). Nothing means this week.
func (r *Router) parsePeriod(args string) (from, to time.Time, label Key, err error) {
	words := strings.Fields(fold(args))
	if len(words) == 0 {
		from, to = r.svc.Bounds(workflows.PeriodWeek)
		return from, to, MsgPeriodWeek, nil
	}
	if len(words) == 1 {
		switch words[0] {
		case "aujourd'hui", "aujourdhui", "jour", "today", "day":
			from, to = r.svc.Bounds(workflows.PeriodToday)
			return from, to, MsgPeriodToday, nil
		case "semaine", "week":
			from, to = r.svc.Bounds(workflows.PeriodWeek)
			return from, to, MsgPeriodWeek, nil
		case "mois", "month":
			from, to = r.svc.Bounds(workflows.PeriodMonth)
			return from, to, MsgPeriodMonth, nil
		}
	}
	fields := strings.Fields(args)
	if len(fields) != 2 {
		return time.Time{}, time.Time{}, "", errBadPeriod
	}
	loc := r.svc.Location()
	now := r.svc.Now().In(loc)
	first, ok1 := parseDay(fields[0], now, loc)
	last, ok2 := parseDay(fields[1], now, loc)
	if !ok1 || !ok2 || last.Before(first) {
		return time.Time{}, time.Time{}, "", errBadPeriod
	}
	return first, last.AddDate(0, 0, 1), MsgPeriodDates, nil
}

// parseDay reads 2026-11-01, 01/11/2026 or 1/11 (this year) as midnight in
// loc.
func parseDay(s string, now time.Time, loc *time.Location) (time.Time, bool) {
	if t, err := time.ParseInLocation("2006-01-02", s, loc); err == nil {
		return t, true
	}
	parts := strings.Split(s, "/")
	if len(parts) < 2 || len(parts) > 3 {
		return time.Time{}, false
	}
	nums := make([]int, 3)
	nums[2] = now.Year()
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil {
			return time.Time{}, false
		}
		nums[i] = n
	}
	if nums[2] < 100 {
		nums[2] += 2000
	}
	t := time.Date(nums[2], time.Month(nums[1]), nums[0], 0, 0, 0, 0, loc)
	if t.Day() != nums[0] || int(t.Month()) != nums[1] {
		return time.Time{}, false
	}
	return t, true
}

func handleReach(ctx context.Context, r *Router, c Call) Reply {
	from, to, label, err := r.parsePeriod(c.Args)
	if err != nil {
		return Reply{Text: r.cat.T(c.Lang, MsgReachUsage, escape(c.Args), r.command)}
	}
	sum, err := r.svc.Summarize(ctx, from, to)
	if err != nil {
		return Reply{Text: r.ErrorText(ctx, c.Lang, 0, err)}
	}
	return Reply{Text: r.ReachText(c.Lang, label, sum)}
}

// figuresLine is "4 posts · 12,4 k de portée (▲ 18 %) · 1 234 engagements"
// for a set of figures, saying honestly where reach comes from.
func (r *Router) figuresLine(lang Lang, network string, f, previous workflows.Figures, trend bool) string {
	parts := []string{r.cat.T(lang, MsgReachPosts, f.Posts)}
	keep := func(text string, cur, prev workflows.Count) string {
		if trend {
			return r.cat.withTrend(lang, text, cur, prev)
		}
		return text
	}
	switch f.Source {
	case workflows.ReachGiven, workflows.ReachMixed:
		parts = append(parts, keep(r.cat.T(lang, MsgReachReach, r.cat.Compact(lang, f.Reach.Value)), f.Reach, previous.Reach))
	case workflows.ReachFromImpressions:
		parts = append(parts, keep(r.cat.T(lang, MsgReachImpressionsAsReach, r.cat.Compact(lang, f.Reach.Value)), f.Reach, previous.Reach))
	default:
		if network != "" {
			parts = append(parts, r.cat.T(lang, MsgReachNotGiven, workflows.NetworkName(network)))
		}
	}
	if f.Impressions.Known && f.Source == workflows.ReachGiven {
		parts = append(parts, r.cat.T(lang, MsgReachImpressions, r.cat.Compact(lang, f.Impressions.Value)))
	}
	if f.Engagements.Known {
		parts = append(parts, keep(r.cat.T(lang, MsgReachEngagements, r.cat.Compact(lang, f.Engagements.Value)), f.Engagements, previous.Engagements))
	}
	if f.EngagementRate.Known {
		parts = append(parts, r.cat.T(lang, MsgReachEngagementRate, r.cat.Percent(lang, f.EngagementRate.Value)))
	}
	if f.ReachRate.Known {
		parts = append(parts, r.cat.T(lang, MsgReachRate, r.cat.Percent(lang, f.ReachRate.Value)))
	}
	return strings.Join(parts, " · ")
}

// ReachText answers /catweete reach: the period, the totals against the
// period before, each network, and the top post.
func (r *Router) ReachText(lang Lang, label Key, sum workflows.Summary) string {
	var b strings.Builder
	loc := r.svc.Location()
	last := sum.To.Add(-time.Second)
	period := fmt.Sprintf("%s → %s", r.cat.Day(lang, sum.From, loc), r.cat.Day(lang, last, loc))
	b.WriteString(r.cat.T(lang, MsgReachHeader, r.cat.T(lang, label), period))
	if sum.Total.Posts == 0 {
		b.WriteString("\n" + r.cat.T(lang, MsgReachNothing))
		if sum.Previous.Posts > 0 {
			b.WriteString(" " + r.cat.T(lang, MsgReachPrevious, sum.Previous.Posts))
		}
		return b.String()
	}
	b.WriteString("\n" + r.figuresLine(lang, "", sum.Total, sum.Previous, true))
	b.WriteString(r.summaryDetail(lang, sum, true))
	return b.String()
}

// summaryDetail is what follows a summary's totals, in every answer that
// gives one (reach, the Home tab): a line per network, the note that
// impressions stand in for reach where they do, and the top post.
func (r *Router) summaryDetail(lang Lang, sum workflows.Summary, link bool) string {
	var b strings.Builder
	sep := " : "
	if lang == English {
		sep = ": "
	}
	for _, n := range sum.Networks {
		fmt.Fprintf(&b, "\n• *%s*%s%s", workflows.NetworkName(n.Network), sep, r.figuresLine(lang, n.Network, n.Figures, workflows.Figures{}, false))
	}
	b.WriteString(r.standInNote(lang, sum.Total))
	if line := r.topLine(lang, sum.Top, link); line != "" {
		b.WriteString("\n" + line)
	}
	return b.String()
}

// standInNote says, on a line of its own, that some networks' impressions
// stand in for reach in f; empty when none do.
func (r *Router) standInNote(lang Lang, f workflows.Figures) string {
	if f.Source == workflows.ReachFromImpressions || f.Source == workflows.ReachMixed {
		return "\n_" + r.cat.T(lang, MsgReachStandInNote) + "_"
	}
	return ""
}

// topLine names a period's top post and how far it went, with its link
// when asked; empty when there is none.
func (r *Router) topLine(lang Lang, top *workflows.TopPost, link bool) string {
	if top == nil {
		return ""
	}
	score := r.cat.T(lang, MsgReachEngagements, r.cat.Compact(lang, top.Score))
	if top.ByReach {
		score = r.cat.T(lang, MsgReachReach, r.cat.Compact(lang, top.Score))
	}
	line := r.cat.T(lang, MsgReachTop, postRef(lang, top.PostID, top.Text), score)
	if link && top.URL != "" {
		line += fmt.Sprintf(" — <%s|%s>", top.URL, r.cat.T(lang, MsgReachSee))
	}
	return line
}

// Day writes a date without its time: "lun. 23 nov." / "Mon 23 Nov".
func (c *Catalog) Day(lang Lang, t time.Time, loc *time.Location) string {
	lt := t.In(loc)
	if lang == English {
		return lt.Format("Mon 2 Jan")
	}
	return fmt.Sprintf("%s %d %s", frenchDay(lt.Weekday()), lt.Day(), frenchMonth(lt.Month()))
}
