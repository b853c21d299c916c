package workflows

import (
	"fmt"
	"math/bits"
	"strconv"
	"strings"
	"time"
)

// slotsSearchDays is how far Next and Upcoming look: the local day of
// `after` and the 60 days that follow it.
const slotsSearchDays = 60

// Slots is the posting schedule (CATWEETE_SLOTS): for each weekday, the
// wall-clock times at which a post approved without a time of its own goes
// out. A slot is a wall time in the team's zone, not an instant, so that
// "09:30" stays 09:30 across daylight-saving changes.
//
// The zero value has no slots. A Slots is a plain value: copy it, compare
// it with ==, share it between goroutines.
type Slots struct {
	week [7]slotDay // indexed by time.Weekday
}

// slotDay is a set of minutes of the day (0 = 00:00 … 1439 = 23:59), one
// bit each.
type slotDay [(24*60 + 63) / 64]uint64

func (d *slotDay) add(minute int) { d[minute/64] |= 1 << (minute % 64) }

// minutes lists the day's slots in order.
func (d slotDay) minutes() []int {
	var out []int
	for i, w := range d {
		for w != 0 {
			b := bits.TrailingZeros64(w)
			out = append(out, i*64+b)
			w &^= 1 << b
		}
	}
	return out
}

func (d slotDay) String() string {
	var times []string
	for _, m := range d.minutes() {
		times = append(times, fmt.Sprintf("%02d:%02d", m/60, m%60))
	}
	return strings.Join(times, ",")
}

// slotWeek is the order days are written in, Monday first.
func slotWeek() [7]time.Weekday {
	return [7]time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday}
}

// slotDayName reads a day: English or French, short or long.
func slotDayName(s string) (time.Weekday, bool) {
	switch s {
	case "mon", "monday", "lun", "lundi":
		return time.Monday, true
	case "tue", "tues", "tuesday", "mar", "mardi":
		return time.Tuesday, true
	case "wed", "wednesday", "mer", "mercredi":
		return time.Wednesday, true
	case "thu", "thur", "thurs", "thursday", "jeu", "jeudi":
		return time.Thursday, true
	case "fri", "friday", "ven", "vendredi":
		return time.Friday, true
	case "sat", "saturday", "sam", "samedi":
		return time.Saturday, true
	case "sun", "sunday", "dim", "dimanche":
		return time.Sunday, true
	}
	return 0, false
}

// ParseSlots reads a posting schedule: groups separated by ";", each a set
// of days then a list of times, as in
//
//	mon-fri 09:30,12:30,17:45; sat 11:00
//
// Days are mon tue wed thu fri sat sun or lun mar mer jeu ven sam dim (full
// names too, any case); a range "mon-fri" (which may wrap: "fri-mon" is
// Friday to Monday); a list "mon,wed,fri" (commas or spaces); or all of
// them, "daily" or "tous-les-jours". Times are HH:MM, H:MM, 9h30 or 9h,
// separated by commas or spaces. Spaces around separators do not matter;
// groups that name the same day add up.
//
// An empty spec (or only spaces and ";") is an empty schedule: no slots
// configured. An error names the group and the part of it that is wrong,
// e.g. `slots: "sat 25:00": bad time "25:00" (want HH:MM)`.
func ParseSlots(spec string) (Slots, error) {
	var s Slots
	for _, group := range strings.Split(spec, ";") {
		group = strings.Join(strings.Fields(group), " ")
		if group == "" {
			continue
		}
		days, minutes, err := parseSlotGroup(strings.ToLower(group))
		if err != nil {
			return Slots{}, fmt.Errorf("slots: %q: %w", group, err)
		}
		for _, d := range days {
			for _, m := range minutes {
				s.week[d].add(m)
			}
		}
	}
	return s, nil
}

// parseSlotGroup reads one group: days up to the first digit, times after.
func parseSlotGroup(group string) ([]time.Weekday, []int, error) {
	i := strings.IndexAny(group, "0123456789")
	if i < 0 {
		return nil, nil, fmt.Errorf("no time (want e.g. %q)", group+" 11:00")
	}
	daysPart, timesPart := strings.TrimSpace(group[:i]), group[i:]
	if daysPart == "" {
		return nil, nil, fmt.Errorf("no day (want e.g. %q)", "mon-fri "+group)
	}
	days, err := parseSlotDays(daysPart)
	if err != nil {
		return nil, nil, err
	}
	var minutes []int
	for _, item := range strings.FieldsFunc(timesPart, func(r rune) bool { return r == ',' || r == ' ' }) {
		m, err := parseSlotTime(item)
		if err != nil {
			return nil, nil, err
		}
		minutes = append(minutes, m)
	}
	return days, minutes, nil
}

// parseSlotDays reads "mon-fri", "mon,wed,fri", "sat sun", "daily".
func parseSlotDays(s string) ([]time.Weekday, error) {
	switch strings.NewReplacer(" ", "", "-", "").Replace(s) {
	case "daily", "everyday", "touslesjours":
		week := slotWeek()
		return week[:], nil
	}
	// One space around each "-" and ",", then none: "mon - fri" is "mon-fri".
	s = strings.Join(strings.Fields(strings.NewReplacer("-", " - ", ",", " , ").Replace(s)), " ")
	for _, sep := range []string{"-", ","} {
		s = strings.ReplaceAll(strings.ReplaceAll(s, " "+sep, sep), sep+" ", sep)
	}
	var days []time.Weekday
	for _, item := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' }) {
		from, to, isRange := strings.Cut(item, "-")
		if !isRange {
			d, ok := slotDayName(item)
			if !ok {
				return nil, errBadDay(item)
			}
			days = append(days, d)
			continue
		}
		if from == "" || to == "" || strings.Contains(to, "-") {
			return nil, errBadDay(item)
		}
		a, ok := slotDayName(from)
		if !ok {
			return nil, errBadDay(from)
		}
		b, ok := slotDayName(to)
		if !ok {
			return nil, errBadDay(to)
		}
		for d := a; ; d = (d + 1) % 7 {
			days = append(days, d)
			if d == b {
				break
			}
		}
	}
	if len(days) == 0 {
		return nil, errBadDay(s)
	}
	return days, nil
}

func errBadDay(s string) error {
	return fmt.Errorf("bad day %q (want mon…sun or lun…dim, a range like mon-fri, a list like mon,wed,fri, or daily)", s)
}

// parseSlotTime reads "09:30", "9:30", "9h30", "9h".
func parseSlotTime(s string) (int, error) {
	bad := func(hint string) error { return fmt.Errorf("bad time %q (want HH:MM%s)", s, hint) }
	if _, ok := slotDayName(s); ok {
		return 0, bad(`; separate groups with ";"`)
	}
	h, m, ok := strings.Cut(s, ":")
	if !ok {
		if h, m, ok = strings.Cut(s, "h"); !ok {
			return 0, bad("")
		}
		if m == "" {
			m = "00"
		}
	}
	if len(h) < 1 || len(h) > 2 || len(m) != 2 || !slotDigits(h) || !slotDigits(m) {
		return 0, bad("")
	}
	hh, _ := strconv.Atoi(h)
	mm, _ := strconv.Atoi(m)
	if hh > 23 || mm > 59 {
		return 0, bad("")
	}
	return hh*60 + mm, nil
}

func slotDigits(s string) bool {
	return strings.Trim(s, "0123456789") == ""
}

// Empty reports whether no slot is configured.
func (s Slots) Empty() bool { return s == Slots{} }

// String is the schedule in canonical form, which ParseSlots reads back to
// the same schedule: days Monday first, days with the same times in one
// group, runs of three days or more as ranges, all seven as "daily", times
// sorted; e.g. "mon-fri 09:30,12:30,17:45; sat 11:00". Empty is "".
func (s Slots) String() string {
	week := slotWeek()
	var done [7]bool
	var groups []string
	for i, wd := range week {
		if done[i] || s.week[wd] == (slotDay{}) {
			continue
		}
		var same []int // indexes in week
		for j := i; j < len(week); j++ {
			if s.week[week[j]] == s.week[wd] {
				same = append(same, j)
				done[j] = true
			}
		}
		groups = append(groups, slotDaysString(same)+" "+s.week[wd].String())
	}
	return strings.Join(groups, "; ")
}

// slotDaysString writes days (indexes in slotWeek, ascending): "daily",
// "mon-fri", "sat,sun", "mon,wed-fri".
func slotDaysString(days []int) string {
	if len(days) == 7 {
		return "daily"
	}
	week := slotWeek()
	name := func(i int) string { return strings.ToLower(week[i].String()[:3]) }
	var parts []string
	for i := 0; i < len(days); {
		j := i
		for j+1 < len(days) && days[j+1] == days[j]+1 {
			j++
		}
		switch {
		case j-i >= 2:
			parts = append(parts, name(days[i])+"-"+name(days[j]))
		case j == i+1:
			parts = append(parts, name(days[i]), name(days[j]))
		default:
			parts = append(parts, name(days[i]))
		}
		i = j + 1
	}
	return strings.Join(parts, ",")
}

// Next returns the first slot strictly after `after`, in loc, for which
// taken(slot) is false (a nil taken takes none); false when Empty or when
// none is free within the local day of `after` and the 60 days after it.
//
// Slots are wall times in loc (nil means UTC): one that falls in the hour
// a daylight-saving change skips (02:30 on the last Sunday of March in
// Paris) does not exist that day and is skipped; one that falls in the hour
// a change repeats (October) is used once, at its first occurrence — when
// `after` lies between the two occurrences, that slot has passed.
func (s Slots) Next(after time.Time, loc *time.Location, taken func(time.Time) bool) (time.Time, bool) {
	var next time.Time
	found := false
	s.each(after, loc, func(t time.Time) bool {
		if taken != nil && taken(t) {
			return true
		}
		next, found = t, true
		return false
	})
	return next, found
}

// Upcoming lists up to n slots strictly after `after`, in order, within
// the same 60 days and by the same daylight-saving rules as Next; nil when
// Empty or n <= 0.
func (s Slots) Upcoming(after time.Time, loc *time.Location, n int) []time.Time {
	if n <= 0 {
		return nil
	}
	var out []time.Time
	s.each(after, loc, func(t time.Time) bool {
		out = append(out, t)
		return len(out) < n
	})
	return out
}

// each calls f with each slot strictly after `after`, in order, until f
// returns false or the search window ends.
func (s Slots) each(after time.Time, loc *time.Location, f func(time.Time) bool) {
	if s.Empty() {
		return
	}
	if loc == nil {
		loc = time.UTC
	}
	y, m, d := after.In(loc).Date()
	for i := 0; i <= slotsSearchDays; i++ {
		day := time.Date(y, m, d+i, 0, 0, 0, 0, time.UTC) // the calendar, zone-free
		for _, minute := range s.week[day.Weekday()].minutes() {
			t, ok := slotWall(day.Year(), day.Month(), day.Day(), minute/60, minute%60, loc)
			if !ok || !t.After(after) {
				continue
			}
			if !f(t) {
				return
			}
		}
	}
}

// slotWall is the instant the wall clock in loc reads y-m-d h:mi, at its
// first occurrence when a daylight-saving change repeats it; false when
// the change skips it. (commands.ParseWhen follows the same rules.)
func slotWall(y int, mo time.Month, d, h, mi int, loc *time.Location) (time.Time, bool) {
	t := time.Date(y, mo, d, h, mi, 0, 0, loc)
	want := time.Date(y, mo, d, h, mi, 0, 0, time.UTC)
	same := func(t time.Time) bool {
		ty, tm, td := t.Date()
		th, tmi, _ := t.Clock()
		return ty == y && tm == mo && td == d && th == h && tmi == mi
	}
	if !same(t) {
		return time.Time{}, false
	}
	// time.Date does not promise which occurrence of a repeated wall time
	// it picks: try the offset in force two days before and after.
	for _, probe := range []time.Time{want.Add(-48 * time.Hour), want.Add(48 * time.Hour)} {
		_, off := probe.In(loc).Zone()
		if c := want.Add(-time.Duration(off) * time.Second).In(loc); same(c) && c.Before(t) {
			t = c
		}
	}
	return t, true
}
