package commands

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"catweete/workflows"
)

func handleHelp(_ context.Context, r *Router, c Call) Reply {
	return r.help(c.Lang)
}

func (r *Router) help(lang Lang) Reply {
	if text, ok := r.helpText[lang]; ok {
		return Reply{Text: text, Lang: lang}
	}
	return Reply{Text: r.writeHelp(lang), Lang: lang}
}

// writeHelp words the help of lang from the command table.
func (r *Router) writeHelp(lang Lang) string {
	i := 0
	if lang == English {
		i = 1
	}
	var b strings.Builder
	b.WriteString(r.cat.T(lang, MsgHelpHeader, r.command))
	for _, d := range r.defs {
		fmt.Fprintf(&b, "\n• `%s %s` — %s", r.command, d.Usage[i], d.Description[i])
	}
	b.WriteString("\n" + r.cat.T(lang, MsgHelpFooter))
	return b.String()
}

func handleDraft(ctx context.Context, r *Router, c Call) Reply {
	if strings.TrimSpace(c.Args) == "" {
		return Reply{OpenDraftModal: true}
	}
	post, err := r.svc.Draft(ctx, workflows.DraftRequest{
		AuthorID: c.UserID, Text: SlackToPlain(c.Args), OriginChannel: c.ChannelID,
	})
	return Reply{Text: r.draftAnswer(ctx, c.Lang, post, err)}
}

// draftAnswer words the outcome of a draft for its author.
func (r *Router) draftAnswer(ctx context.Context, lang Lang, post workflows.Post, err error) string {
	if err != nil && post.ID != 0 {
		r.log.ErrorContext(ctx, "draft stored without its card", "post_id", post.ID, "err", err)
		return r.cat.T(lang, MsgDraftStoredNoCard, post.ID)
	}
	if err != nil {
		return r.ErrorText(ctx, lang, 0, err)
	}
	where := ""
	if post.CardChannel != "" {
		where = fmt.Sprintf(" (<#%s>)", post.CardChannel)
	}
	text := r.cat.T(lang, MsgDraftSent, post.ID, where)
	if !post.PublishAt.IsZero() {
		text += " " + r.cat.T(lang, MsgDraftWhen, r.cat.FormatTime(lang, post.PublishAt, r.svc.Now(), r.location(ctx, post.AuthorID)))
	}
	return text
}

// Draft creates a post from the draft modal.
func (r *Router) Draft(ctx context.Context, lang Lang, req workflows.DraftRequest) string {
	post, err := r.svc.Draft(ctx, req)
	return r.draftAnswer(ctx, lang, post, err)
}

func handleStatus(ctx context.Context, r *Router, c Call) Reply {
	report, err := r.svc.Status(ctx)
	if err != nil {
		return Reply{Text: r.ErrorText(ctx, c.Lang, 0, err)}
	}
	return Reply{Text: r.statusAnswer(c.Lang, report)}
}

// statusAnswer is StatusText, drawn once per report, language and second:
// "alors ça tweete ?" comes in bursts, and drawing the answer costs more
// than the rest of answering it. What StatusText shows of the clock counts
// whole minutes from instants stored to the second, so it cannot change
// within a second.
func (r *Router) statusAnswer(lang Lang, rep workflows.StatusReport) string {
	second := rep.Now.Unix()
	r.statusDrawn.mu.Lock()
	last, ok := r.statusDrawn.byLang[lang]
	r.statusDrawn.mu.Unlock()
	if ok && last.serial == rep.Serial && last.second == second && rep.Serial != 0 {
		return last.text
	}
	text := r.StatusText(lang, rep)
	r.statusDrawn.mu.Lock()
	r.statusDrawn.byLang[lang] = drawnStatus{serial: rep.Serial, second: second, text: text}
	r.statusDrawn.mu.Unlock()
	return text
}

// drawnStatus is the last status answer drawn in one language.
type drawnStatus struct {
	serial uint64
	second int64
	text   string
}

// StatusText answers "alors ça tweete ?" in a few true lines: what went out
// this week (with links), what waits for approval and since when, what goes
// out next, and what needs a look.
func (r *Router) StatusText(lang Lang, rep workflows.StatusReport) string {
	var b strings.Builder
	if len(rep.Week) == 0 {
		b.WriteString(r.cat.T(lang, MsgStatusNotYet))
	} else {
		today := ""
		if len(rep.Today) > 0 {
			today = r.cat.T(lang, MsgStatusToday, len(rep.Today))
		}
		b.WriteString(r.cat.T(lang, MsgStatusYes, len(rep.Week), today, r.statusFigures(lang, rep.Figures)))
		for i, p := range rep.Week {
			if i == 5 {
				fmt.Fprintf(&b, "\n• …")
				break
			}
			fmt.Fprintf(&b, "\n• %s — %s", postRef(lang, p.PostID, p.Text), r.links(lang, p.Links))
		}
	}
	b.WriteString("\n")
	if len(rep.Pending) == 0 {
		b.WriteString(r.cat.T(lang, MsgStatusNoPending))
	} else {
		b.WriteString(r.cat.T(lang, MsgStatusPending, len(rep.Pending), r.cat.FormatSince(lang, rep.Pending[0].Since, rep.Now),
			r.awaited()))
		for i, p := range rep.Pending {
			if i == 5 {
				b.WriteString("\n• …")
				break
			}
			fmt.Fprintf(&b, "\n• %s — %s", postRef(lang, p.Post.ID, p.Post.Text),
				r.cat.T(lang, MsgPendingItem, len(p.Approvals), p.Required, r.cat.FormatSince(lang, p.Since, rep.Now)))
		}
	}
	if n := len(rep.ChangesRequested); n > 0 {
		b.WriteString("\n" + r.cat.T(lang, MsgStatusChanges, n))
	}
	b.WriteString("\n")
	if next := rep.Next(); next != nil {
		b.WriteString(r.cat.T(lang, MsgStatusNext, next.PostID, r.cat.FormatTime(lang, next.At, rep.Now, rep.Location),
			r.cat.JoinWords(lang, next.Networks)))
	} else {
		b.WriteString(r.cat.T(lang, MsgStatusNoNext))
	}
	if n := len(rep.Attention); n > 0 {
		b.WriteString("\n" + r.cat.T(lang, MsgStatusAttention, n))
		for i, d := range rep.Attention {
			if i == 5 {
				b.WriteString("\n• …")
				break
			}
			fmt.Fprintf(&b, "\n• %s %s — %s", postNumber(lang, d.PostID), workflows.NetworkName(d.Network), r.cat.DeliveryStateName(lang, d.Status))
			if d.LastError != "" {
				fmt.Fprintf(&b, " (%s)", escape(Excerpt(d.LastError, 80)))
			}
		}
	}
	return b.String()
}

// statusFigures is how far this week went, in a few words: its reach (or
// engagements where no network gives reach), against last week.
func (r *Router) statusFigures(lang Lang, sum workflows.Summary) string {
	f, prev := sum.Total, sum.Previous
	var text string
	switch {
	case f.Source == workflows.ReachFromImpressions && f.Reach.Known:
		// Said as what it is: impressions standing in.
		text = r.cat.withTrend(lang, r.cat.T(lang, MsgReachImpressionsAsReach, r.cat.Compact(lang, f.Reach.Value)), f.Reach, prev.Reach)
	case (f.Source == workflows.ReachGiven || f.Source == workflows.ReachMixed) && f.Reach.Known:
		text = r.cat.withTrend(lang, r.cat.T(lang, MsgReachReach, r.cat.Compact(lang, f.Reach.Value)), f.Reach, prev.Reach)
	case f.Engagements.Known:
		text = r.cat.withTrend(lang, r.cat.T(lang, MsgReachEngagements, r.cat.Compact(lang, f.Engagements.Value)), f.Engagements, prev.Engagements)
	default:
		return ""
	}
	return r.cat.T(lang, MsgStatusFigures, text)
}

// awaited names who the waiting posts wait for: " — <@U1>, <!subteam^S1>",
// or nothing when anyone but the author may approve.
func (r *Router) awaited() string {
	users, groups := r.svc.Approvers()
	slices.Sort(users)
	var names []string
	for _, u := range users {
		names = append(names, "<@"+u+">")
	}
	for _, g := range groups {
		names = append(names, "<!subteam^"+g+">")
	}
	if len(names) == 0 {
		return ""
	}
	return " — " + strings.Join(names, ", ")
}

// postNumber is a post's number as each language writes it.
func postNumber(lang Lang, id int64) string {
	if lang == English {
		return fmt.Sprintf("#%d", id)
	}
	return fmt.Sprintf("n°%d", id)
}

// postRef names a post in a list: its number and the start of its text,
// quoted as each language quotes.
func postRef(lang Lang, id int64, text string) string {
	if lang == English {
		return fmt.Sprintf("#%d “%s”", id, escape(Excerpt(text, 60)))
	}
	return fmt.Sprintf("n°%d « %s »", id, escape(Excerpt(text, 60)))
}

func (r *Router) links(lang Lang, links []workflows.Link) string {
	parts := make([]string, 0, len(links))
	for _, l := range links {
		if l.URL == "" {
			parts = append(parts, fmt.Sprintf("%s (%s)", l.Network, r.cat.T(lang, MsgLinkAwaited)))
			continue
		}
		parts = append(parts, fmt.Sprintf("<%s|%s>", l.URL, l.Network))
	}
	return strings.Join(parts, " · ")
}

func handleQueue(ctx context.Context, r *Router, c Call) Reply {
	queue, err := r.svc.Queue(ctx)
	if err != nil {
		return Reply{Text: r.ErrorText(ctx, c.Lang, 0, err)}
	}
	if len(queue) == 0 {
		return Reply{Text: r.cat.T(c.Lang, MsgQueueEmpty)}
	}
	var b strings.Builder
	b.WriteString(r.cat.T(c.Lang, MsgQueueHeader, len(queue)))
	now := r.svc.Now()
	for i, q := range queue {
		if i == 20 {
			b.WriteString("\n• …")
			break
		}
		fmt.Fprintf(&b, "\n• %s — %s %s %s", r.cat.FormatTime(c.Lang, q.At, now, r.svc.Location()),
			postRef(c.Lang, q.PostID, q.Text), r.cat.T(c.Lang, MsgOn), r.cat.JoinWords(c.Lang, q.Networks))
	}
	return Reply{Text: b.String()}
}

func handlePending(ctx context.Context, r *Router, c Call) Reply {
	pending, err := r.svc.Pending(ctx)
	if err != nil {
		return Reply{Text: r.ErrorText(ctx, c.Lang, 0, err)}
	}
	if len(pending) == 0 {
		return Reply{Text: r.cat.T(c.Lang, MsgPendingEmpty)}
	}
	var b strings.Builder
	b.WriteString(r.cat.T(c.Lang, MsgPendingHeader, len(pending)))
	now := r.svc.Now()
	for i, p := range pending {
		if i == 20 {
			b.WriteString("\n• …")
			break
		}
		fmt.Fprintf(&b, "\n• %s %s <@%s> — %s", postRef(c.Lang, p.Post.ID, p.Post.Text), r.cat.T(c.Lang, MsgBy), p.Post.AuthorID,
			r.cat.T(c.Lang, MsgPendingItem, len(p.Approvals), p.Required, r.cat.FormatSince(c.Lang, p.Since, now)))
		if p.Post.CardChannel != "" {
			fmt.Fprintf(&b, " (<#%s>)", p.Post.CardChannel)
		}
	}
	return Reply{Text: b.String()}
}

func handleCancel(ctx context.Context, r *Router, c Call) Reply {
	if strings.TrimSpace(c.Args) == "" {
		return Reply{Text: r.cat.T(c.Lang, MsgCancelUsage, r.command)}
	}
	id, err := ParsePostID(c.Args)
	if err != nil {
		return Reply{Text: r.cat.T(c.Lang, MsgBadID, escape(c.Args), r.command)}
	}
	if _, err := r.svc.Cancel(ctx, id, c.UserID); err != nil {
		return Reply{Text: r.ErrorText(ctx, c.Lang, id, err)}
	}
	return Reply{Text: r.cat.T(c.Lang, MsgCanceled, id)}
}

// ParsePostID reads a post number as people write it: "12", "#12", "n°12".
func ParsePostID(s string) (int64, error) {
	s = strings.TrimSpace(s)
	for _, prefix := range []string{"#", "n°", "N°", "nº", "Nº", "no", "No"} {
		s = strings.TrimPrefix(s, prefix)
	}
	s = strings.TrimSpace(s)
	if s == "" || strings.Trim(s, "0123456789") != "" {
		return 0, errors.New("not a post number")
	}
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, errors.New("not a post number")
	}
	return id, nil
}

// SlackToPlain turns the text Slack sends (with &amp;, &lt;, &gt; escaped
// and links as <url> or <url|label>) back into the plain text a network
// should publish.
func SlackToPlain(text string) string {
	var b strings.Builder
	for {
		start := strings.IndexByte(text, '<')
		if start < 0 {
			break
		}
		end := strings.IndexByte(text[start:], '>')
		if end < 0 {
			break
		}
		b.WriteString(text[:start])
		inner := text[start+1 : start+end]
		target, label, hasLabel := strings.Cut(inner, "|")
		switch {
		case strings.HasPrefix(target, "http://") || strings.HasPrefix(target, "https://"):
			if hasLabel && label != target && !strings.Contains(target, label) {
				b.WriteString(label + " " + target)
			} else {
				b.WriteString(target)
			}
		case strings.HasPrefix(target, "mailto:"):
			b.WriteString(strings.TrimPrefix(target, "mailto:"))
		case strings.HasPrefix(target, "!"):
			// Slack's broadcasts (<!here>, <!channel>) mean nothing on a
			// network; a user group keeps its readable name.
			if hasLabel {
				b.WriteString(label)
			}
		case hasLabel:
			// A channel or user reference: its readable name.
			b.WriteString(strings.TrimPrefix(strings.TrimPrefix(label, "#"), "@"))
		default:
			b.WriteString(inner)
		}
		text = text[start+end+1:]
	}
	b.WriteString(text)
	return strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&").Replace(b.String())
}
