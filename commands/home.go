package commands

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"catweete/workflows"
)

// How much each part of the Home tab lists; the rest is counted ("… and 12
// more"). Together they keep the tab well within Slack's 100 blocks (the
// bot still checks).
const (
	homeMine   = 15
	homeDecide = 10
	homeQueue  = 15
	// homeAhead is how far "the week's queue" looks ahead.
	homeAhead = 7 * 24 * time.Hour
	// homeFigures is the span of the figures, against the span before.
	homeFigures = 7 * 24 * time.Hour
)

// Home is what the app's Home tab shows one person, worded in the team's
// language; the bot draws it as Block Kit.
type Home struct {
	Lang Lang
	// Intro greets the person; Updated says when the tab was drawn (mrkdwn).
	Intro    string
	Updated  string
	Sections []HomeSection
}

// HomeSection is one part of the Home tab: a title, then items, or a text
// when it has no items (an empty state, a list, the figures).
type HomeSection struct {
	Title string // plain text
	Text  string // mrkdwn; may be empty
	Items []HomeItem
	// Left counts the items left out, to be said ("… and 12 more").
	Left int
	// Note is small print under the section; may be empty.
	Note string // mrkdwn
}

// HomeItem is one post in a section, with the buttons it takes. Buttons
// carry the card's action ids and "<post id>:<version>", so that a click
// from the Home tab is handled like a click on the card.
type HomeItem struct {
	PostID  int64
	Version int
	Text    string // mrkdwn
	Context string // mrkdwn small print; may be empty
	// Decide shows Approve, Request changes and Reject.
	Decide bool
	// Edit shows Edit, for the post's author.
	Edit bool
}

// Home gathers and words userID's Home tab: their posts, what waits for
// their approval, the week's queue and the last 7 days' figures. It never
// fails: a part that cannot be read says so, and the others still show.
func (r *Router) Home(ctx context.Context, userID string) Home {
	lang := r.lang
	now := r.svc.Now()
	loc := r.location(ctx, userID)
	return Home{
		Lang:    lang,
		Intro:   r.cat.T(lang, MsgHomeHello, userID),
		Updated: r.cat.T(lang, MsgHomeUpdated, r.cat.FormatTime(lang, now, now, loc)),
		Sections: []HomeSection{
			r.homeMine(ctx, lang, userID, now, loc),
			r.homeDecide(ctx, lang, userID, now, loc),
			r.homeQueue(ctx, lang, now, loc),
			r.homeFigures(ctx, lang, now),
		},
	}
}

// homeUnavailable is a part that could not be read: logged whole, said in
// a sentence.
func (r *Router) homeUnavailable(ctx context.Context, lang Lang, s HomeSection, userID string, err error) HomeSection {
	r.log.ErrorContext(ctx, "home tab part not shown", "user", userID, "part", s.Title, "err", err)
	s.Text = r.cat.T(lang, MsgHomeUnavailable)
	return s
}

func (r *Router) homeMine(ctx context.Context, lang Lang, userID string, now time.Time, loc *time.Location) HomeSection {
	s := HomeSection{Title: r.cat.T(lang, MsgHomeMineTitle)}
	posts, err := r.svc.PostsBy(ctx, userID)
	if err != nil {
		return r.homeUnavailable(ctx, lang, s, userID, err)
	}
	if len(posts) == 0 {
		s.Text = r.cat.T(lang, MsgHomeMineEmpty, r.command)
		return s
	}
	for i, p := range posts {
		if i == homeMine {
			s.Left = len(posts) - homeMine
			break
		}
		s.Items = append(s.Items, HomeItem{
			PostID: p.Post.ID, Version: p.Post.Version,
			Text: "*" + postRef(lang, p.Post.ID, p.Post.Text) + "*\n" + r.standing(lang, p, now, loc),
			Edit: workflows.Editable(p.Post.Status),
		})
	}
	return s
}

// stateEmoji marks each state at a glance.
func stateEmoji(status string) string {
	switch status {
	case workflows.StatusDraft:
		return "📝"
	case workflows.StatusPending:
		return "⏳"
	case workflows.StatusChangesRequested:
		return "✏️"
	case workflows.StatusApproved:
		return "🗓️"
	case workflows.StatusPublishing:
		return "🚀"
	case workflows.StatusPublished:
		return "✅"
	case workflows.StatusPartial:
		return "⚠️"
	case workflows.StatusFailed:
		return "❌"
	case workflows.StatusRejected:
		return "⛔"
	case workflows.StatusCanceled:
		return "🚫"
	}
	return "•"
}

// standing says where one of the person's posts stands: its state, when
// it goes or went out, its links, who decided what and why.
func (r *Router) standing(lang Lang, p workflows.AuthoredPost, now time.Time, loc *time.Location) string {
	status := p.Post.Status
	parts := []string{stateEmoji(status) + " " + r.cat.StateName(lang, status)}
	if d := p.Decision; d != nil && d.ActorID != "" && d.ActorID != workflows.SystemActor {
		if k := MsgDecisionPrefix + Key(d.Action); r.cat.Has(k) {
			parts[0] = stateEmoji(status) + " " + r.cat.T(lang, k, d.ActorID)
			if d.Reason != "" {
				parts[0] += r.cat.T(lang, MsgHomeBecause, escape(Excerpt(d.Reason, 200)))
			}
		}
	}
	switch status {
	case workflows.StatusPublished, workflows.StatusPartial, workflows.StatusFailed:
		if !p.At.IsZero() && len(p.Links) > 0 {
			parts[0] += " " + r.cat.FormatTime(lang, p.At, now, loc)
		}
		if len(p.Links) > 0 {
			parts = append(parts, r.links(lang, p.Links))
		}
		if len(p.Failed) > 0 {
			parts = append(parts, r.cat.T(lang, MsgHomeFailedOn, r.cat.JoinWords(lang, p.Failed)))
		}
	case workflows.StatusPending:
		parts = append(parts, r.cat.T(lang, MsgPendingItem, len(p.Approvals), p.Required, r.cat.FormatSince(lang, p.Post.UpdatedAt, now)))
		if !p.At.IsZero() {
			parts = append(parts, r.cat.T(lang, MsgHomeGoesOut, r.cat.FormatTime(lang, p.At, now, loc)))
		}
	case workflows.StatusApproved, workflows.StatusPublishing, workflows.StatusDraft:
		if !p.At.IsZero() {
			parts = append(parts, r.cat.T(lang, MsgHomeGoesOut, r.cat.FormatTime(lang, p.At, now, loc)))
		}
	case workflows.StatusChangesRequested:
		parts = append(parts, r.cat.T(lang, MsgHomeYourTurn))
	}
	return strings.Join(parts, " — ")
}

func (r *Router) homeDecide(ctx context.Context, lang Lang, userID string, now time.Time, loc *time.Location) HomeSection {
	s := HomeSection{Title: r.cat.T(lang, MsgHomeDecideTitle)}
	posts, approver, err := r.svc.AwaitingDecisionBy(ctx, userID)
	switch {
	case err != nil:
		return r.homeUnavailable(ctx, lang, s, userID, err)
	case !approver:
		s.Text = r.cat.T(lang, MsgHomeNotApprover, r.approverNames(lang))
		return s
	case len(posts) == 0:
		s.Text = r.cat.T(lang, MsgHomeDecideEmpty)
		return s
	}
	for i, p := range posts {
		if i == homeDecide {
			s.Left = len(posts) - homeDecide
			break
		}
		small := []string{r.cat.T(lang, MsgPendingItem, len(p.Approvals), p.Required, r.cat.FormatSince(lang, p.Since, now))}
		if !p.Post.PublishAt.IsZero() {
			small = append(small, r.cat.T(lang, MsgHomeGoesOut, r.cat.FormatTime(lang, p.Post.PublishAt, now, loc)))
		}
		if p.Post.CardChannel != "" {
			small = append(small, fmt.Sprintf("<#%s>", p.Post.CardChannel))
		}
		s.Items = append(s.Items, HomeItem{
			PostID: p.Post.ID, Version: p.Post.Version,
			Text: fmt.Sprintf("*%s* %s <@%s>\n%s", r.cat.T(lang, MsgCardTitle, p.Post.ID), r.cat.T(lang, MsgBy), p.Post.AuthorID,
				quoteText(p.Post.Text, 1200)),
			Context: strings.Join(small, " · "),
			Decide:  true,
		})
	}
	return s
}

// approverNames mentions who may approve: users, then user groups.
func (r *Router) approverNames(lang Lang) string {
	users, groups := r.svc.Approvers()
	slices.Sort(users)
	slices.Sort(groups)
	var names []string
	for _, u := range users {
		names = append(names, "<@"+u+">")
	}
	for _, g := range groups {
		names = append(names, "<!subteam^"+g+">")
	}
	return r.cat.JoinWords(lang, names)
}

// quoteText shows a post's text as a block quote, line by line, escaped
// for mrkdwn and cut to n characters.
func quoteText(text string, n int) string {
	runes := []rune(strings.TrimSpace(text))
	if len(runes) > n {
		runes = append(runes[:n], '…')
	}
	lines := strings.Split(escape(string(runes)), "\n")
	for i, l := range lines {
		lines[i] = "> " + l
	}
	return strings.Join(lines, "\n")
}

func (r *Router) homeQueue(ctx context.Context, lang Lang, now time.Time, loc *time.Location) HomeSection {
	s := HomeSection{Title: r.cat.T(lang, MsgHomeQueueTitle)}
	queue, err := r.svc.Queue(ctx)
	if err != nil {
		return r.homeUnavailable(ctx, lang, s, "", err)
	}
	var lines []string
	later, left := 0, 0
	for _, q := range queue {
		switch {
		case q.At.After(now.Add(homeAhead)):
			later++
			continue
		case len(lines) == homeQueue:
			left++
			continue
		}
		lines = append(lines, fmt.Sprintf("• %s — %s %s %s", r.cat.FormatTime(lang, q.At, now, loc),
			postRef(lang, q.PostID, q.Text), r.cat.T(lang, MsgOn), r.cat.JoinWords(lang, q.Networks)))
	}
	s.Left = left
	if len(lines) == 0 {
		s.Text = r.cat.T(lang, MsgHomeQueueEmpty)
	} else {
		s.Text = strings.Join(lines, "\n")
	}
	if later > 0 {
		s.Note = r.cat.T(lang, MsgHomeQueueLater, later, r.command)
	}
	return s
}

func (r *Router) homeFigures(ctx context.Context, lang Lang, now time.Time) HomeSection {
	s := HomeSection{Title: r.cat.T(lang, MsgHomeFiguresTitle)}
	// Up to now included: instants are stored to the second, and a post
	// that went out this very second belongs to the last 7 days.
	to := now.Truncate(time.Second).Add(time.Second)
	sum, err := r.svc.Summarize(ctx, to.Add(-homeFigures), to)
	if err != nil {
		return r.homeUnavailable(ctx, lang, s, "", err)
	}
	s.Text = r.figuresText(lang, sum)
	if sum.Total.Posts > 0 {
		s.Note = r.cat.T(lang, MsgHomeFiguresNote, r.command)
	}
	return s
}

// figuresText words a summary without its header: the totals against the
// period before, each network, where reach comes from, and the top post.
func (r *Router) figuresText(lang Lang, sum workflows.Summary) string {
	if sum.Total.Posts == 0 {
		text := r.cat.T(lang, MsgHomeFiguresNothing)
		if sum.Previous.Posts > 0 {
			text += " " + r.cat.T(lang, MsgReachPrevious, sum.Previous.Posts)
		}
		return text
	}
	var b strings.Builder
	b.WriteString(r.figuresLine(lang, "", sum.Total, sum.Previous, true))
	b.WriteString(r.summaryDetail(lang, sum, true))
	return b.String()
}
