package commands

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"catweete/workflows"
)

// asSoonAsApproved are the words that clear a post's time.
func asSoonAsApproved(word string) bool {
	switch fold(word) {
	case "des-approbation", "des approbation", "auto", "asap", "as soon as approved":
		return true
	}
	return false
}

// location is the person's own zone when Slack tells it, else the team's.
func (r *Router) location(ctx context.Context, userID string) *time.Location {
	if r.zones != nil && userID != "" {
		loc, err := r.zones.UserLocation(ctx, userID)
		if err == nil && loc != nil {
			return loc
		}
		if err != nil {
			r.log.WarnContext(ctx, "user zone unknown; using the team's", "user", userID, "err", err)
		}
	}
	return r.svc.Location()
}

// WhenText words a time-parsing failure, with examples of what works.
func (r *Router) WhenText(lang Lang, text string, err error) string {
	key := MsgWhenUnknown
	switch {
	case errors.Is(err, ErrWhenPast):
		key = MsgWhenPast
	case errors.Is(err, ErrWhenNonexistent):
		key = MsgWhenNonexistent
	}
	return r.cat.T(lang, key, escape(text)) + " " + r.cat.T(lang, MsgWhenExamples)
}

func handleSchedule(ctx context.Context, r *Router, c Call) Reply {
	idText, whenText := splitWord(strings.TrimSpace(c.Args))
	if idText == "" || whenText == "" {
		return Reply{Text: r.cat.T(c.Lang, MsgScheduleUsage, r.command)}
	}
	id, err := ParsePostID(idText)
	if err != nil {
		return Reply{Text: r.cat.T(c.Lang, MsgBadID, escape(idText), r.command)}
	}
	loc := r.location(ctx, c.UserID)
	var at time.Time
	if !asSoonAsApproved(whenText) {
		if at, err = ParseWhen(whenText, r.svc.Now(), loc); err != nil {
			r.log.InfoContext(ctx, "time not understood", "user", c.UserID, "text", whenText, "err", err)
			return Reply{Text: r.WhenText(c.Lang, whenText, err)}
		}
	}
	if _, err := r.svc.Schedule(ctx, id, c.UserID, at); err != nil {
		return Reply{Text: r.ErrorText(ctx, c.Lang, id, err)}
	}
	if at.IsZero() {
		slot := ""
		if free, err := r.svc.FreeSlots(ctx, 1); err == nil && len(free) > 0 {
			slot = fmt.Sprintf(" (%s)", r.cat.FormatTime(c.Lang, free[0], r.svc.Now(), loc))
		}
		return Reply{Text: r.cat.T(c.Lang, MsgScheduledASAP, id, slot)}
	}
	return Reply{Text: r.cat.T(c.Lang, MsgScheduled, id, r.cat.FormatTime(c.Lang, at, r.svc.Now(), loc))}
}

func handleSlots(ctx context.Context, r *Router, c Call) Reply {
	slots := r.svc.Slots()
	if slots.Empty() {
		return Reply{Text: r.cat.T(c.Lang, MsgSlotsNone)}
	}
	loc := r.svc.Location()
	var b strings.Builder
	b.WriteString(r.cat.T(c.Lang, MsgSlotsHeader, slots.String(), loc.String()))
	free, err := r.svc.FreeSlots(ctx, 5)
	if err != nil {
		return Reply{Text: r.ErrorText(ctx, c.Lang, 0, err)}
	}
	if len(free) == 0 {
		b.WriteString("\n" + r.cat.T(c.Lang, MsgSlotsAllTaken))
		return Reply{Text: b.String()}
	}
	b.WriteString("\n" + r.cat.T(c.Lang, MsgSlotsFree))
	for _, t := range free {
		fmt.Fprintf(&b, "\n• %s", r.cat.FormatTime(c.Lang, t, r.svc.Now(), loc))
	}
	return Reply{Text: b.String()}
}

func handleAccounts(ctx context.Context, r *Router, c Call) Reply {
	report, err := r.svc.AccountsReport(ctx)
	if err != nil {
		return Reply{Text: r.ErrorText(ctx, c.Lang, 0, err)}
	}
	var b strings.Builder
	b.WriteString(r.cat.T(c.Lang, MsgAccountsHeader, len(report)))
	for _, a := range report {
		name := workflows.NetworkName(a.Account.Network)
		if a.Profile.Handle != "" {
			name += " " + escape(a.Profile.Handle)
		} else if a.Account.DisplayName != "" && a.Account.DisplayName != name {
			name += " " + escape(a.Account.DisplayName)
		}
		var line string
		switch {
		case a.Account.State == "rejected":
			line = r.cat.T(c.Lang, MsgAccountRejected, name, escape(Excerpt(a.Account.StateDetail, 120)))
		case a.Err != nil:
			line = r.cat.T(c.Lang, MsgAccountUnreached, name, escape(Excerpt(a.Err.Error(), 120)))
		case a.Profile.Followers.Known:
			line = r.cat.T(c.Lang, MsgAccountOK, name, r.cat.T(c.Lang, MsgFollowers, r.cat.Number(c.Lang, a.Profile.Followers.Value)))
		default:
			line = r.cat.T(c.Lang, MsgAccountNoProfile, name)
		}
		b.WriteString("\n• " + line)
	}
	return Reply{Text: b.String()}
}
