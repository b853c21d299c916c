package commands

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// Errors ParseWhen returns, wrapped with the text and, when useful, the
// time it understood. Messages for people are built elsewhere from these.
var (
	// ErrWhenUnknown: the text is not a time catweete understands, or names
	// a date that does not exist (31/02, 25h).
	ErrWhenUnknown = errors.New("unknown time")
	// ErrWhenPast: the time is already gone, by more than a minute.
	ErrWhenPast = errors.New("time in the past")
	// ErrWhenNonexistent: the wall time is skipped by a daylight-saving
	// change in the zone (02:30 on the last Sunday of March in Paris).
	ErrWhenNonexistent = errors.New("time skipped by a daylight-saving change")
)

const (
	// whenGrace is how far behind now a time may be and still be taken:
	// "10h" typed at 10:00:40 means now, not tomorrow and not an error.
	whenGrace = time.Minute
	// whenDefaultHour is the time of a day named without one ("demain",
	// "lundi", "1 déc."): 09:00, the start of a working day, as "matin".
	whenDefaultHour = 9
	// whenMaxAmount bounds each number of a relative time ("+9999h").
	whenMaxAmount = 9999
	// whenYearsAhead is how far a date without a year ("29/02") looks for
	// a year in which it exists and is still ahead.
	whenYearsAhead = 8
)

// ParseWhen reads a publication time as people type it, in loc, relative to
// now. Case, accents, spaces, dots and commas do not matter; French and
// English mix freely. A nil loc means UTC. The result is in loc.
//
// What it understands, and the rules it follows:
//
//   - now: "maintenant", "now", "tout de suite", "right now" → now.
//   - relative: "+2h", "+30m", "+1h30", "+2j"/"+2d", "dans 30 min",
//     "dans 1 h 30", "dans une heure", "in 2 hours", "in 2h", with weeks,
//     days, hours and minutes in that order. Hours and minutes are elapsed
//     time ("+24h" is 24 real hours, 23 or 25 on the wall across a
//     daylight-saving change); days and weeks are calendar days ("+1j" is
//     the same wall time tomorrow), added first.
//   - a day, then optionally "à"/"at"/"@", then optionally a time:
//     "aujourd'hui"/"today", "demain"/"tomorrow", "après-demain",
//     "ce matin"/"ce soir"/"this afternoon"/"tonight", a weekday ("lundi",
//     "lun", "monday", "mon"), "lundi prochain"/"next monday", or a date:
//     "2026-12-01", "2026-12-01T09:30", "01/12/2026" and "1/12" (always day
//     first), "1 déc.", "1er décembre 2026", "dec 1", "December 1st, 2026",
//     optionally led by "le"/"on" and by its weekday ("mardi 1er déc.",
//     which must then be right). The time may also come first ("9h30
//     demain").
//   - a time: "14h", "14h30", "14 h 30", "14:30", "2pm", "9:30am",
//     "9:30 a.m.", or a part of the day: "matin"/"morning" 09:00,
//     "midi"/"noon" 12:00, "après-midi"/"afternoon" 14:00, "soir"/"evening"
//     18:00.
//
// Rules:
//
//   - A day without a time is at 09:00 ("demain" is tomorrow 09:00).
//   - A time without a day is today if it is still ahead, else tomorrow.
//   - A bare weekday is the next such day strictly after today, unless it
//     is today and the time is still ahead: on a Wednesday at 10:00,
//     "mercredi 14h" is today 14:00 and "mercredi 9h" a week later.
//     With "prochain"/"next" it is always strictly after today: on a
//     Wednesday, "jeudi prochain" is tomorrow, "mercredi prochain" is in
//     seven days.
//   - A date without a year is the first year, from this one on, in which
//     it exists and is still ahead: "1/11" typed on 25/11 is next November.
//   - "Still ahead" and "not past" allow a minute of grace: a result up to
//     a minute before now is accepted; earlier is ErrWhenPast.
//   - A wall time the zone skips (the hour lost in March) is
//     ErrWhenNonexistent, never silently moved; a wall time the zone
//     repeats (the hour gained in October) is its first occurrence.
//   - A date that does not exist (31/02, month 13) and anything else not
//     listed is ErrWhenUnknown.
func ParseWhen(text string, now time.Time, loc *time.Location) (time.Time, error) {
	if loc == nil {
		loc = time.UTC
	}
	now = now.In(loc)
	toks, ok := whenTokens(text)
	if !ok || len(toks) == 0 {
		return time.Time{}, fmt.Errorf("when %q: %w", text, ErrWhenUnknown)
	}
	t, err := whenParse(toks, now, loc)
	if err != nil {
		return time.Time{}, fmt.Errorf("when %q: %w", text, err)
	}
	if t.Before(now.Add(-whenGrace)) {
		return time.Time{}, fmt.Errorf("when %q: %s: %w", text, t.Format("2006-01-02 15:04 MST"), ErrWhenPast)
	}
	return t, nil
}

// whenParse tries each form in turn; the first that reads all the tokens
// wins.
func whenParse(ts []whenTok, now time.Time, loc *time.Location) (time.Time, error) {
	if whenIsNow(ts) {
		return now, nil
	}
	if off, ok := whenRelative(ts); ok {
		return off.from(now, loc)
	}
	// A day, then a time (or none).
	for _, dc := range whenDays(ts) {
		if len(dc.rest) == 0 {
			return dc.day.resolve(whenClock{h: whenDefaultHour}, now, loc)
		}
		if c, ok := whenClockAll(dc.rest); ok {
			return dc.day.resolve(c, now, loc)
		}
	}
	// A time, then a day (or none).
	for _, cc := range whenClocks(ts) {
		if len(cc.rest) == 0 {
			return whenDay{kind: whenTodayOrTomorrow}.resolve(cc.clock, now, loc)
		}
		for _, dc := range whenDays(cc.rest) {
			if len(dc.rest) == 0 {
				return dc.day.resolve(cc.clock, now, loc)
			}
		}
	}
	return time.Time{}, ErrWhenUnknown
}

// whenTok is one token of a time as typed: a number, a word, or one of the
// symbols that mean something in a time (+ : / - @).
type whenTok struct {
	kind byte // 'n' number (ASCII digits), 'w' word, or the symbol itself
	text string
}

// whenTokens folds text (lower case, accents gone, typographic apostrophes
// made plain) and cuts it into tokens: "14h30" is 14, h, 30. Spaces, dots,
// commas, "!" and "?" only separate; any other character makes the text
// unknown (ok false).
func whenTokens(text string) (toks []whenTok, ok bool) {
	rs := []rune(strings.ToLower(stripMarks(text)))
	isApos := func(r rune) bool { return r == '\'' || r == '’' || r == '‘' || r == '`' }
	isDigit := func(r rune) bool { return r >= '0' && r <= '9' }
	for i := 0; i < len(rs); {
		r := rs[i]
		j := i + 1
		switch {
		case isDigit(r):
			for j < len(rs) && isDigit(rs[j]) {
				j++
			}
			toks = append(toks, whenTok{'n', string(rs[i:j])})
		case unicode.IsLetter(r):
			// Letters, and apostrophes between letters: "aujourd'hui".
			for j < len(rs) && (unicode.IsLetter(rs[j]) || isApos(rs[j]) && j+1 < len(rs) && unicode.IsLetter(rs[j+1])) {
				j++
			}
			word := strings.Map(func(r rune) rune {
				if isApos(r) {
					return '\''
				}
				return r
			}, string(rs[i:j]))
			toks = append(toks, whenTok{'w', word})
		case strings.ContainsRune("+:/-@", r):
			toks = append(toks, whenTok{byte(r), string(r)})
		case unicode.IsSpace(r) || strings.ContainsRune(".,!?", r):
		default:
			return nil, false
		}
		i = j
	}
	return toks, true
}

// whenWord reports whether ts[i] is one of words.
func whenWord(ts []whenTok, i int, words ...string) bool {
	if i >= len(ts) || ts[i].kind != 'w' {
		return false
	}
	for _, w := range words {
		if ts[i].text == w {
			return true
		}
	}
	return false
}

// whenNum reads ts[i] as a number of minDigits to maxDigits digits.
func whenNum(ts []whenTok, i, minDigits, maxDigits int) (int, bool) {
	if i >= len(ts) || ts[i].kind != 'n' || len(ts[i].text) < minDigits || len(ts[i].text) > maxDigits {
		return 0, false
	}
	n, err := strconv.Atoi(ts[i].text)
	return n, err == nil
}

func whenSym(ts []whenTok, i int, sym byte) bool {
	return i < len(ts) && ts[i].kind == sym
}

// whenIsNow reports whether ts says "now".
func whenIsNow(ts []whenTok) bool {
	var words []string
	for _, t := range ts {
		if t.kind != 'w' {
			return false
		}
		words = append(words, t.text)
	}
	switch strings.Join(words, " ") {
	case "maintenant", "tout de suite", "immediatement", "now", "right now":
		return true
	}
	return false
}

// whenOffset is a relative time: calendar days, then elapsed time.
type whenOffset struct {
	days int
	d    time.Duration
}

// from adds the offset to now: days on the calendar (same wall clock),
// then the elapsed part.
func (o whenOffset) from(now time.Time, loc *time.Location) (time.Time, error) {
	t := now
	if o.days > 0 {
		y, m, d := now.Date()
		h, mi, s := now.Clock()
		var err error
		if t, err = whenWall(y, m, d+o.days, h, mi, s, now.Nanosecond(), loc); err != nil {
			return time.Time{}, err
		}
	}
	return t.Add(o.d), nil
}

// whenUnit names the units of a relative time, largest first; a relative
// time lists them in this order, each at most once.
func whenUnit(ts []whenTok, i int) (rank int, ok bool) {
	switch {
	case whenWord(ts, i, "sem", "semaine", "semaines", "w", "wk", "wks", "week", "weeks"):
		return 0, true
	case whenWord(ts, i, "j", "jour", "jours", "d", "day", "days"):
		return 1, true
	case whenWord(ts, i, "h", "hr", "hrs", "heure", "heures", "hour", "hours"):
		return 2, true
	case whenWord(ts, i, "m", "min", "mins", "mn", "minute", "minutes"):
		return 3, true
	}
	return 0, false
}

// whenRelative reads "+1h30", "dans 2 jours", "in an hour".
func whenRelative(ts []whenTok) (whenOffset, bool) {
	switch {
	case whenSym(ts, 0, '+'), whenWord(ts, 0, "dans", "in"):
		ts = ts[1:]
	default:
		return whenOffset{}, false
	}
	var off whenOffset
	last := -1
	for len(ts) > 0 {
		if last >= 0 && len(ts) > 1 && whenWord(ts, 0, "et", "and") {
			ts = ts[1:]
		}
		n, ok := whenNum(ts, 0, 1, 4)
		if !ok {
			if !whenWord(ts, 0, "un", "une", "a", "an") {
				return whenOffset{}, false
			}
			n = 1
		} else if n > whenMaxAmount {
			return whenOffset{}, false
		}
		rank, ok := whenUnit(ts, 1)
		if !ok {
			// "1h30": a bare number after the hours is minutes.
			if len(ts) == 1 && last == 2 && ts[0].kind == 'n' && n <= 59 {
				off.d += time.Duration(n) * time.Minute
				return off, true
			}
			return whenOffset{}, false
		}
		if rank <= last {
			return whenOffset{}, false
		}
		switch rank {
		case 0:
			off.days += 7 * n
		case 1:
			off.days += n
		case 2:
			off.d += time.Duration(n) * time.Hour
		case 3:
			off.d += time.Duration(n) * time.Minute
		}
		last = rank
		ts = ts[2:]
	}
	return off, last >= 0
}

// whenClock is a wall-clock time of day.
type whenClock struct{ h, m int }

type whenClockCand struct {
	clock whenClock
	rest  []whenTok
}

// whenClockAll reads ts as a whole as a time of day, optionally led by
// "à", "at", "@", "vers" or the "T" of ISO 8601.
func whenClockAll(ts []whenTok) (whenClock, bool) {
	for _, cc := range whenClocks(ts) {
		if len(cc.rest) == 0 {
			return cc.clock, true
		}
	}
	if whenWord(ts, 0, "a", "at", "vers", "t") || whenSym(ts, 0, '@') {
		for _, cc := range whenClocks(ts[1:]) {
			if len(cc.rest) == 0 {
				return cc.clock, true
			}
		}
	}
	return whenClock{}, false
}

// whenPartOfDay reads "matin", "après-midi", "noon"… and says how many
// tokens it took.
func whenPartOfDay(ts []whenTok) (h, n int, ok bool) {
	switch {
	case whenWord(ts, 0, "matin", "morning"):
		return 9, 1, true
	case whenWord(ts, 0, "midi", "noon"):
		return 12, 1, true
	case whenWord(ts, 0, "apres") && whenSym(ts, 1, '-') && whenWord(ts, 2, "midi"):
		return 14, 3, true
	case whenWord(ts, 0, "apres") && whenWord(ts, 1, "midi"):
		return 14, 2, true
	case whenWord(ts, 0, "aprem", "afternoon"):
		return 14, 1, true
	case whenWord(ts, 0, "soir", "evening"):
		return 18, 1, true
	}
	return 0, 0, false
}

// whenMeridiem reads "am", "pm", "a.m.", "p.m." and says how many tokens
// it took (0 when none).
func whenMeridiem(ts []whenTok) (pm bool, n int) {
	switch {
	case whenWord(ts, 0, "am"):
		return false, 1
	case whenWord(ts, 0, "pm"):
		return true, 1
	case whenWord(ts, 0, "a") && whenWord(ts, 1, "m"):
		return false, 2
	case whenWord(ts, 0, "p") && whenWord(ts, 1, "m"):
		return true, 2
	}
	return false, 0
}

// whenClocks lists every way a prefix of ts reads as a time of day.
func whenClocks(ts []whenTok) []whenClockCand {
	var out []whenClockCand
	if h, n, ok := whenPartOfDay(ts); ok {
		out = append(out, whenClockCand{whenClock{h, 0}, ts[n:]})
	}
	h, ok := whenNum(ts, 0, 1, 2)
	if !ok {
		return out
	}
	// 14h, 14h30, 14 h 30, 9 heures 30 min
	if whenWord(ts, 1, "h", "heure", "heures") && h <= 23 {
		if m, ok := whenNum(ts, 2, 1, 2); ok && m <= 59 {
			if whenWord(ts, 3, "min", "mn", "minutes") {
				out = append(out, whenClockCand{whenClock{h, m}, ts[4:]})
			}
			out = append(out, whenClockCand{whenClock{h, m}, ts[3:]})
		}
		out = append(out, whenClockCand{whenClock{h, 0}, ts[2:]})
	}
	// 14:30, 9:30am
	if m, ok := whenNum(ts, 2, 2, 2); ok && whenSym(ts, 1, ':') && m <= 59 {
		if pm, n := whenMeridiem(ts[3:]); n > 0 && h >= 1 && h <= 12 {
			out = append(out, whenClockCand{whenClock{h%12 + whenIf(pm, 12), m}, ts[3+n:]})
		}
		if h <= 23 {
			out = append(out, whenClockCand{whenClock{h, m}, ts[3:]})
		}
	}
	// 2pm, 9 am
	if pm, n := whenMeridiem(ts[1:]); n > 0 && h >= 1 && h <= 12 {
		out = append(out, whenClockCand{whenClock{h%12 + whenIf(pm, 12), 0}, ts[1+n:]})
	}
	return out
}

func whenIf(b bool, n int) int {
	if b {
		return n
	}
	return 0
}

// whenDayKind says how a day is found.
type whenDayKind int

const (
	whenTodayOrTomorrow whenDayKind = iota // no day: today if still ahead, else tomorrow
	whenInDays                             // today plus n days
	whenWeekday                            // the next wd (see ParseWhen)
	whenDate                               // y-m-d
	whenDateNoYear                         // m-d, the first year it is ahead
)

// whenDay is a day as named, to be resolved against now and a time.
type whenDay struct {
	kind whenDayKind
	n    int          // whenInDays
	wd   time.Weekday // whenWeekday
	next bool         // whenWeekday: "prochain", never today
	y    int          // whenDate
	m    time.Month   // whenDate, whenDateNoYear
	d    int          // whenDate, whenDateNoYear
	// check is the weekday the person named with a date, plus one; 0 when
	// none. A date that falls on another day is unknown.
	check int
}

type whenDayCand struct {
	day  whenDay
	rest []whenTok
}

// resolve finds the day and puts the time on it.
func (wd whenDay) resolve(c whenClock, now time.Time, loc *time.Location) (time.Time, error) {
	y, m, d := now.Date()
	at := func(y int, m time.Month, d int) (time.Time, error) { return whenWall(y, m, d, c.h, c.m, 0, 0, loc) }
	ahead := func(t time.Time) bool { return !t.Before(now.Add(-whenGrace)) }
	var (
		t   time.Time
		err error
	)
	switch wd.kind {
	case whenTodayOrTomorrow:
		if t, err = at(y, m, d); !ahead(t) {
			t, err = at(y, m, d+1)
		}
	case whenInDays:
		t, err = at(y, m, d+wd.n)
	case whenWeekday:
		days := (int(wd.wd) - int(now.Weekday()) + 7) % 7
		if days == 0 && !wd.next {
			if t, err = at(y, m, d); ahead(t) {
				break
			}
		}
		if days == 0 {
			days = 7
		}
		t, err = at(y, m, d+days)
	case whenDate:
		if !whenDateExists(wd.y, wd.m, wd.d) {
			return time.Time{}, ErrWhenUnknown
		}
		t, err = at(wd.y, wd.m, wd.d)
	case whenDateNoYear:
		found := false
		for yy := y; yy <= y+whenYearsAhead && !found; yy++ {
			if whenDateExists(yy, wd.m, wd.d) {
				t, err = at(yy, wd.m, wd.d)
				found = ahead(t)
			}
		}
		if !found {
			return time.Time{}, ErrWhenUnknown
		}
	}
	if err != nil {
		return time.Time{}, err
	}
	if wd.check != 0 && int(t.Weekday()) != wd.check-1 {
		return time.Time{}, ErrWhenUnknown
	}
	return t, nil
}

func whenDateExists(y int, m time.Month, d int) bool {
	return m >= time.January && m <= time.December && d >= 1 &&
		d <= time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// whenDays lists every way a prefix of ts reads as a day: dates first, so
// that English "mar 14" is March 14 and French "mar 14h" Tuesday 14:00.
func whenDays(ts []whenTok) []whenDayCand {
	if len(ts) == 0 {
		return nil
	}
	var out []whenDayCand
	add := func(d whenDay, rest []whenTok) { out = append(out, whenDayCand{d, rest}) }
	// "le 1 déc.", "on monday", "the day after tomorrow"
	if whenWord(ts, 0, "le", "on", "the") {
		out = append(out, whenDays(ts[1:])...)
	}
	for _, dc := range whenDates(ts) {
		add(dc.day, dc.rest)
	}
	switch {
	case whenWord(ts, 0, "aujourd'hui", "aujourdhui", "auj", "today"):
		add(whenDay{kind: whenInDays}, ts[1:])
	case whenWord(ts, 0, "aujourd") && whenWord(ts, 1, "hui"):
		add(whenDay{kind: whenInDays}, ts[2:])
	case whenWord(ts, 0, "demain", "tomorrow", "tmrw"):
		add(whenDay{kind: whenInDays, n: 1}, ts[1:])
	case whenWord(ts, 0, "hier", "yesterday"):
		// Understood, so that the answer is "already passed", not "what?".
		add(whenDay{kind: whenInDays, n: -1}, ts[1:])
	case whenWord(ts, 0, "apres") && whenSym(ts, 1, '-') && whenWord(ts, 2, "demain"):
		add(whenDay{kind: whenInDays, n: 2}, ts[3:])
	case whenWord(ts, 0, "apres") && whenWord(ts, 1, "demain"):
		add(whenDay{kind: whenInDays, n: 2}, ts[2:])
	case whenWord(ts, 0, "day") && whenWord(ts, 1, "after") && whenWord(ts, 2, "tomorrow"):
		add(whenDay{kind: whenInDays, n: 2}, ts[3:])
	case whenWord(ts, 0, "ce", "cet", "this"):
		// "ce soir", "this morning": today, at that part of the day.
		if _, _, ok := whenPartOfDay(ts[1:]); ok {
			add(whenDay{kind: whenInDays}, ts[1:])
		}
	case whenWord(ts, 0, "tonight"):
		add(whenDay{kind: whenInDays}, append([]whenTok{{'w', "soir"}}, ts[1:]...))
	}
	// "next monday", "prochain lundi"
	if whenWord(ts, 0, "next", "prochain", "prochaine") {
		if wd, ok := whenWeekdayName(ts, 1); ok {
			add(whenDay{kind: whenWeekday, wd: wd, next: true}, ts[2:])
		}
	}
	if wd, ok := whenWeekdayName(ts, 0); ok {
		// "mardi 1er déc.": a date with its weekday, which must agree.
		for _, dc := range whenDates(ts[1:]) {
			dc.day.check = int(wd) + 1
			add(dc.day, dc.rest)
		}
		if whenWord(ts, 1, "prochain", "prochaine", "next") {
			add(whenDay{kind: whenWeekday, wd: wd, next: true}, ts[2:])
		}
		add(whenDay{kind: whenWeekday, wd: wd}, ts[1:])
	}
	return out
}

// whenDates lists every way a prefix of ts reads as a date.
func whenDates(ts []whenTok) []whenDayCand {
	var out []whenDayCand
	date := func(y int, m time.Month, d int, rest []whenTok) {
		out = append(out, whenDayCand{whenDay{kind: whenDate, y: y, m: m, d: d}, rest})
	}
	noYear := func(m time.Month, d int, rest []whenTok) {
		out = append(out, whenDayCand{whenDay{kind: whenDateNoYear, m: m, d: d}, rest})
	}
	// 2026-12-01
	if y, ok := whenNum(ts, 0, 4, 4); ok && whenSym(ts, 1, '-') && whenSym(ts, 3, '-') {
		m, okm := whenNum(ts, 2, 1, 2)
		d, okd := whenNum(ts, 4, 1, 2)
		if okm && okd {
			date(y, time.Month(m), d, ts[5:])
		}
	}
	// 01/12/2026, 1/12/26, 1/12: day first, always.
	if d, ok := whenNum(ts, 0, 1, 2); ok && whenSym(ts, 1, '/') {
		if m, ok := whenNum(ts, 2, 1, 2); ok {
			if whenSym(ts, 3, '/') {
				if y, ok := whenNum(ts, 4, 4, 4); ok {
					date(y, time.Month(m), d, ts[5:])
				} else if y, ok := whenNum(ts, 4, 2, 2); ok {
					date(2000+y, time.Month(m), d, ts[5:])
				}
			}
			noYear(time.Month(m), d, ts[3:])
		}
	}
	// 1 déc., 1er décembre 2026
	if d, ok := whenNum(ts, 0, 1, 2); ok {
		i := 1
		if whenWord(ts, i, "er", "st", "nd", "rd", "th") {
			i++
		}
		if m, ok := whenMonthName(ts, i); ok {
			if y, ok := whenNum(ts, i+1, 4, 4); ok {
				date(y, m, d, ts[i+2:])
			}
			noYear(m, d, ts[i+1:])
		}
	}
	// dec 1, December 1st, 2026
	if m, ok := whenMonthName(ts, 0); ok {
		if d, ok := whenNum(ts, 1, 1, 2); ok {
			i := 2
			if whenWord(ts, i, "er", "st", "nd", "rd", "th") {
				i++
			}
			if y, ok := whenNum(ts, i, 4, 4); ok {
				date(y, m, d, ts[i+1:])
			}
			noYear(m, d, ts[i:])
		}
	}
	return out
}

// whenWeekdayName reads a weekday, French or English, full or short.
func whenWeekdayName(ts []whenTok, i int) (time.Weekday, bool) {
	switch {
	case whenWord(ts, i, "lundi", "lun", "monday", "mon"):
		return time.Monday, true
	case whenWord(ts, i, "mardi", "mar", "tuesday", "tue", "tues"):
		return time.Tuesday, true
	case whenWord(ts, i, "mercredi", "mer", "wednesday", "wed"):
		return time.Wednesday, true
	case whenWord(ts, i, "jeudi", "jeu", "thursday", "thu", "thur", "thurs"):
		return time.Thursday, true
	case whenWord(ts, i, "vendredi", "ven", "friday", "fri"):
		return time.Friday, true
	case whenWord(ts, i, "samedi", "sam", "saturday", "sat"):
		return time.Saturday, true
	case whenWord(ts, i, "dimanche", "dim", "sunday", "sun"):
		return time.Sunday, true
	}
	return 0, false
}

// whenMonthName reads a month, French or English, full or short.
func whenMonthName(ts []whenTok, i int) (time.Month, bool) {
	switch {
	case whenWord(ts, i, "janvier", "janv", "jan", "january"):
		return time.January, true
	case whenWord(ts, i, "fevrier", "fevr", "fev", "feb", "february"):
		return time.February, true
	case whenWord(ts, i, "mars", "mar", "march"):
		return time.March, true
	case whenWord(ts, i, "avril", "avr", "apr", "april"):
		return time.April, true
	case whenWord(ts, i, "mai", "may"):
		return time.May, true
	case whenWord(ts, i, "juin", "jun", "june"):
		return time.June, true
	case whenWord(ts, i, "juillet", "juil", "jul", "july"):
		return time.July, true
	case whenWord(ts, i, "aout", "aug", "august"):
		return time.August, true
	case whenWord(ts, i, "septembre", "sept", "sep", "september"):
		return time.September, true
	case whenWord(ts, i, "octobre", "oct", "october"):
		return time.October, true
	case whenWord(ts, i, "novembre", "nov", "november"):
		return time.November, true
	case whenWord(ts, i, "decembre", "dec", "december"):
		return time.December, true
	}
	return 0, false
}

// whenWall is the instant the wall clock in loc reads y-m-d h:mi:s (the
// date may overflow, as with time.Date). A wall time the zone skips is
// ErrWhenNonexistent, though the instant time.Date picks is still returned
// so that callers can compare it. A wall time the zone repeats is its first
// occurrence: time.Date does not promise which one it picks (for zones east
// of UTC it picks the second).
func whenWall(y int, mo time.Month, d, h, mi, s, ns int, loc *time.Location) (time.Time, error) {
	t := time.Date(y, mo, d, h, mi, s, ns, loc)
	want := time.Date(y, mo, d, h, mi, s, ns, time.UTC) // normalized, zone-free
	same := func(t time.Time) bool {
		ty, tm, td := t.Date()
		th, tmi, ts := t.Clock()
		wy, wm, wd := want.Date()
		wh, wmi, ws := want.Clock()
		return ty == wy && tm == wm && td == wd && th == wh && tmi == wmi && ts == ws
	}
	if !same(t) {
		return t, fmt.Errorf("%s in %s: %w", want.Format("2006-01-02 15:04"), loc, ErrWhenNonexistent)
	}
	// An earlier instant with the same wall clock has the offset in force
	// before the change; zones do not change twice within two days.
	for _, probe := range []time.Time{want.Add(-48 * time.Hour), want.Add(48 * time.Hour)} {
		_, off := probe.In(loc).Zone()
		if c := want.Add(-time.Duration(off) * time.Second).In(loc); same(c) && c.Before(t) {
			t = c
		}
	}
	return t, nil
}
