package commands

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// frenchDays and frenchMonths are the abbreviations French typography uses.
func frenchDay(d time.Weekday) string {
	return [...]string{"dim.", "lun.", "mar.", "mer.", "jeu.", "ven.", "sam."}[d]
}

func frenchMonth(m time.Month) string {
	return [...]string{"janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."}[m-1]
}

// FormatTime says when t is, in loc, the way people say it: "aujourd'hui
// 14:30", "demain 09:30", "mar. 1 déc. 09:30", with the zone named so that
// nobody wonders.
func (c *Catalog) FormatTime(lang Lang, t, now time.Time, loc *time.Location) string {
	lt, ln := t.In(loc), now.In(loc)
	day := func(x time.Time) time.Time { return time.Date(x.Year(), x.Month(), x.Day(), 0, 0, 0, 0, loc) }
	days := int(day(lt).Sub(day(ln)).Round(24*time.Hour) / (24 * time.Hour))
	clock := lt.Format("15:04")
	var when string
	switch {
	case days == 0:
		when = c.T(lang, MsgToday)
	case days == 1:
		when = c.T(lang, MsgTomorrow)
	case days == -1:
		when = c.T(lang, MsgYesterday)
	case lang == English:
		when = lt.Format("Mon 2 Jan")
	default:
		when = fmt.Sprintf("%s %d %s", frenchDay(lt.Weekday()), lt.Day(), frenchMonth(lt.Month()))
	}
	if lt.Year() != ln.Year() && (days > 1 || days < -1) {
		when += fmt.Sprintf(" %d", lt.Year())
	}
	return fmt.Sprintf("%s %s (%s)", when, clock, loc.String())
}

// FormatSince says how long ago t was, roughly: "5 min", "3 h", "2 j".
func (c *Catalog) FormatSince(lang Lang, t, now time.Time) string {
	d := max(now.Sub(t), 0)
	switch {
	case d < time.Hour:
		return c.T(lang, MsgSinceMinutes, max(int(d/time.Minute), 1))
	case d < 48*time.Hour:
		return c.T(lang, MsgSinceHours, int(d/time.Hour))
	default:
		return c.T(lang, MsgSinceDays, int(d/(24*time.Hour)))
	}
}

// Excerpt shortens a post's text to one line of at most n characters, for
// lists.
func Excerpt(text string, n int) string {
	text = strings.Join(strings.Fields(text), " ")
	runes := []rune(text)
	if len(runes) <= n {
		return text
	}
	cut := runes[:n]
	for i := len(cut) - 1; i > n/2; i-- {
		if cut[i] == ' ' {
			cut = cut[:i]
			break
		}
	}
	return strings.TrimRight(string(cut), " ,.;:") + "…"
}

// JoinWords lists names the way a sentence does: "A, B et C".
func (c *Catalog) JoinWords(lang Lang, names []string) string {
	switch len(names) {
	case 0:
		return ""
	case 1:
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " " + c.T(lang, MsgAnd) + " " + names[len(names)-1]
}

// Number writes an integer the way each language groups digits: 12 400 in
// French (with a narrow no-break space), 12,400 in English.
func (c *Catalog) Number(lang Lang, n int64) string {
	sep := "\u202f"
	if lang == English {
		sep = ","
	}
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, d := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteRune(d)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}
