package commands

import (
	"errors"
	"testing"
	"time"
)

func whenParis(t testing.TB) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// whenCase is one line of a ParseWhen table: either want or err.
type whenCase struct {
	text string
	want time.Time
	err  error
}

func runWhenCases(t *testing.T, now time.Time, loc *time.Location, cases []whenCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.text, func(t *testing.T) {
			t.Parallel()
			got, err := ParseWhen(tc.text, now, loc)
			if tc.err != nil {
				if !errors.Is(err, tc.err) {
					t.Fatalf("ParseWhen(%q) = %v, %v; want error %v", tc.text, got, err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseWhen(%q): %v", tc.text, err)
			}
			if !got.Equal(tc.want) {
				t.Errorf("ParseWhen(%q) = %s; want %s", tc.text, got.Format(time.RFC3339), tc.want.Format(time.RFC3339))
			}
			if got.Location() != loc {
				t.Errorf("ParseWhen(%q) is in %s; want %s", tc.text, got.Location(), loc)
			}
		})
	}
}

func TestParseWhen(t *testing.T) {
	t.Parallel()
	loc := whenParis(t)
	// Wednesday 25 November 2026, 10:00 in Paris (CET, UTC+1).
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, loc)
	at := func(month time.Month, day, h, m int) time.Time { return time.Date(2026, month, day, h, m, 0, 0, loc) }
	nov := func(day, h, m int) time.Time { return at(time.November, day, h, m) }
	dec1 := at(time.December, 1, 9, 30)

	t.Run("Now", func(t *testing.T) {
		t.Parallel()
		runWhenCases(t, now, loc, []whenCase{
			{text: "maintenant", want: now},
			{text: "  Maintenant ", want: now},
			{text: "now", want: now},
			{text: "NOW", want: now},
			{text: "tout de suite", want: now},
			{text: "right now", want: now},
		})
	})

	t.Run("Relative", func(t *testing.T) {
		t.Parallel()
		runWhenCases(t, now, loc, []whenCase{
			{text: "+2h", want: nov(25, 12, 0)},
			{text: "+30m", want: nov(25, 10, 30)},
			{text: "+1h30", want: nov(25, 11, 30)},
			{text: "+ 1h30", want: nov(25, 11, 30)},
			{text: "+90min", want: nov(25, 11, 30)},
			{text: "+2j", want: nov(27, 10, 0)},
			{text: "+2d", want: nov(27, 10, 0)},
			{text: "+1j2h", want: nov(26, 12, 0)},
			{text: "+1 semaine", want: at(time.December, 2, 10, 0)},
			{text: "+0m", want: now},
			{text: "dans 30 min", want: nov(25, 10, 30)},
			{text: "dans 2 h", want: nov(25, 12, 0)},
			{text: "dans 2 heures", want: nov(25, 12, 0)},
			{text: "dans 1 h 30", want: nov(25, 11, 30)},
			{text: "dans 1 heure et 30 minutes", want: nov(25, 11, 30)},
			{text: "dans une heure", want: nov(25, 11, 0)},
			{text: "dans 3 jours", want: nov(28, 10, 0)},
			{text: "Dans  30  MIN", want: nov(25, 10, 30)},
			{text: "in 30 minutes", want: nov(25, 10, 30)},
			{text: "in 2 hours", want: nov(25, 12, 0)},
			{text: "in 2h", want: nov(25, 12, 0)},
			{text: "in an hour", want: nov(25, 11, 0)},
			{text: "in 1 hour and 15 minutes", want: nov(25, 11, 15)},
			{text: "in 2 days", want: nov(27, 10, 0)},
		})
	})

	t.Run("TodayAndTomorrow", func(t *testing.T) {
		t.Parallel()
		runWhenCases(t, now, loc, []whenCase{
			{text: "aujourd'hui 14h", want: nov(25, 14, 0)},
			{text: "aujourd’hui 14h", want: nov(25, 14, 0)},
			{text: "Aujourd'hui à 14H30", want: nov(25, 14, 30)},
			{text: "aujourdhui 14h", want: nov(25, 14, 0)},
			{text: "today 2pm", want: nov(25, 14, 0)},
			{text: "today at 2 p.m.", want: nov(25, 14, 0)},
			{text: "ce soir", want: nov(25, 18, 0)},
			{text: "cet après-midi", want: nov(25, 14, 0)},
			{text: "this afternoon", want: nov(25, 14, 0)},
			{text: "tonight", want: nov(25, 18, 0)},
			{text: "demain 9h30", want: nov(26, 9, 30)},
			{text: "demain 9h", want: nov(26, 9, 0)},
			{text: "demain à 9h30", want: nov(26, 9, 30)},
			{text: "demain a 9h30", want: nov(26, 9, 30)},
			{text: "DEMAIN   À   9 H 30", want: nov(26, 9, 30)},
			{text: "demain matin", want: nov(26, 9, 0)},
			{text: "demain midi", want: nov(26, 12, 0)},
			{text: "demain à midi", want: nov(26, 12, 0)},
			{text: "demain soir", want: nov(26, 18, 0)},
			{text: "demain", want: nov(26, 9, 0)},
			{text: "9h30 demain", want: nov(26, 9, 30)},
			{text: "après-demain 10h", want: nov(27, 10, 0)},
			{text: "apres demain 10h", want: nov(27, 10, 0)},
			{text: "tomorrow 9:30am", want: nov(26, 9, 30)},
			{text: "tomorrow 9am", want: nov(26, 9, 0)},
			{text: "tomorrow 9 AM", want: nov(26, 9, 0)},
			{text: "tomorrow at 09:30", want: nov(26, 9, 30)},
			{text: "tomorrow @ 09:30", want: nov(26, 9, 30)},
			{text: "tomorrow noon", want: nov(26, 12, 0)},
			{text: "tomorrow morning", want: nov(26, 9, 0)},
			{text: "tomorrow 12am", want: nov(26, 0, 0)},
			{text: "tomorrow 12pm", want: nov(26, 12, 0)},
			{text: "2pm tomorrow", want: nov(26, 14, 0)},
			{text: "the day after tomorrow 9am", want: nov(27, 9, 0)},
		})
	})

	// Today is a Wednesday: a bare weekday is the next one strictly after
	// today, except today itself while its time is still ahead; with
	// "prochain"/"next", always strictly after today.
	t.Run("Weekdays", func(t *testing.T) {
		t.Parallel()
		runWhenCases(t, now, loc, []whenCase{
			{text: "lundi 14h", want: nov(30, 14, 0)},
			{text: "lun 14h", want: nov(30, 14, 0)},
			{text: "lun. 14h", want: nov(30, 14, 0)},
			{text: "Lundi à 14h", want: nov(30, 14, 0)},
			{text: "mardi prochain 9h", want: at(time.December, 1, 9, 0)},
			{text: "mar 14h", want: at(time.December, 1, 14, 0)},
			{text: "next monday 14:00", want: nov(30, 14, 0)},
			{text: "monday 2pm", want: nov(30, 14, 0)},
			{text: "mon 14:00", want: nov(30, 14, 0)},
			{text: "on monday at 2pm", want: nov(30, 14, 0)},
			{text: "lundi", want: nov(30, 9, 0)},
			{text: "jeudi 9h", want: nov(26, 9, 0)},
			{text: "jeudi prochain 9h", want: nov(26, 9, 0)},
			{text: "thursday next 9am", want: nov(26, 9, 0)},
			{text: "dimanche 11h", want: nov(29, 11, 0)},
			{text: "mercredi 14h", want: nov(25, 14, 0)},            // today, still ahead
			{text: "wednesday 10:00", want: nov(25, 10, 0)},         // today, now
			{text: "mercredi 9h", want: at(time.December, 2, 9, 0)}, // today but gone: next week
			{text: "mercredi", want: at(time.December, 2, 9, 0)},    // 09:00 is gone
			{text: "mercredi prochain 14h", want: at(time.December, 2, 14, 0)},
			{text: "next wednesday 2pm", want: at(time.December, 2, 14, 0)},
			{text: "14h lundi", want: nov(30, 14, 0)},
		})
	})

	t.Run("Dates", func(t *testing.T) {
		t.Parallel()
		runWhenCases(t, now, loc, []whenCase{
			{text: "2026-12-01 09:30", want: dec1},
			{text: "2026-12-01T09:30", want: dec1},
			{text: "2026-12-1 9:30", want: dec1},
			{text: "01/12/2026 9h30", want: dec1},
			{text: "1/12/26 9h30", want: dec1},
			{text: "1/12 9h30", want: dec1},
			{text: "le 1/12 à 9h30", want: dec1},
			{text: "1 déc. 9h30", want: dec1},
			{text: "1 dec 9h30", want: dec1},
			{text: "1er décembre 9h30", want: dec1},
			{text: "1 décembre 2026 9h30", want: dec1},
			{text: "mardi 1er décembre 9h30", want: dec1},
			{text: "mar. 1 déc. à 9h30", want: dec1},
			{text: "dec 1 9:30am", want: dec1},
			{text: "Dec 1st 9:30 am", want: dec1},
			{text: "December 1, 2026 9:30", want: dec1},
			{text: "Tuesday, December 1, 2026 9:30", want: dec1},
			{text: "9h30 le 1 déc", want: dec1},
			{text: "2026-12-01", want: at(time.December, 1, 9, 0)},
			{text: "1 déc", want: at(time.December, 1, 9, 0)},
			{text: "1/11", want: time.Date(2027, 11, 1, 9, 0, 0, 0, loc)},       // gone this year: next year
			{text: "mar 14 9am", want: time.Date(2027, 3, 14, 9, 0, 0, 0, loc)}, // English "mar" is March
			{text: "29/02 10h", want: time.Date(2028, 2, 29, 10, 0, 0, 0, loc)}, // the next year it exists
			{text: "25/11 14h", want: nov(25, 14, 0)},                           // today, still ahead
			{text: "2027-01-15 18:00", want: time.Date(2027, 1, 15, 18, 0, 0, 0, loc)},
			{text: "15 janvier 2027 18h", want: time.Date(2027, 1, 15, 18, 0, 0, 0, loc)},
			{text: "août 15 8h", want: time.Date(2027, 8, 15, 8, 0, 0, 0, loc)},
		})
	})

	// A time alone is today while it is still ahead (a minute of grace),
	// else tomorrow.
	t.Run("TimesAlone", func(t *testing.T) {
		t.Parallel()
		runWhenCases(t, now, loc, []whenCase{
			{text: "14h", want: nov(25, 14, 0)},
			{text: "14h30", want: nov(25, 14, 30)},
			{text: "14 h 30", want: nov(25, 14, 30)},
			{text: "14:30", want: nov(25, 14, 30)},
			{text: "2pm", want: nov(25, 14, 0)},
			{text: "2 PM", want: nov(25, 14, 0)},
			{text: "9:30am", want: nov(26, 9, 30)},
			{text: "9h", want: nov(26, 9, 0)},
			{text: "10h", want: nov(25, 10, 0)},
			{text: "09:59", want: nov(25, 9, 59)}, // within the grace
			{text: "09:58", want: nov(26, 9, 58)},
			{text: "midi", want: nov(25, 12, 0)},
			{text: "noon", want: nov(25, 12, 0)},
			{text: "0h", want: nov(26, 0, 0)},
			{text: "23:59", want: nov(25, 23, 59)},
		})
	})

	t.Run("Past", func(t *testing.T) {
		t.Parallel()
		runWhenCases(t, now, loc, []whenCase{
			{text: "aujourd'hui 9h", err: ErrWhenPast},
			{text: "aujourd'hui", err: ErrWhenPast}, // 09:00, gone
			{text: "today 9:58", err: ErrWhenPast},
			{text: "2026-11-24 10:00", err: ErrWhenPast},
			{text: "24/11/2026 18h", err: ErrWhenPast},
			{text: "01/01/2020 9h", err: ErrWhenPast},
			{text: "mardi 24 novembre 2026 9h", err: ErrWhenPast},
		})
	})

	t.Run("Unknown", func(t *testing.T) {
		t.Parallel()
		runWhenCases(t, now, loc, []whenCase{
			{text: "", err: ErrWhenUnknown},
			{text: "   ", err: ErrWhenUnknown},
			{text: "bientôt", err: ErrWhenUnknown},
			{text: "asap", err: ErrWhenUnknown},
			{text: "31/02/2027 9h", err: ErrWhenUnknown},
			{text: "31/02 9h", err: ErrWhenUnknown},
			{text: "30 février", err: ErrWhenUnknown},
			{text: "2026-13-01 9h", err: ErrWhenUnknown},
			{text: "0/12 9h", err: ErrWhenUnknown},
			{text: "demain 25h", err: ErrWhenUnknown},
			{text: "demain 24h", err: ErrWhenUnknown},
			{text: "14h60", err: ErrWhenUnknown},
			{text: "14:5", err: ErrWhenUnknown},
			{text: "13pm", err: ErrWhenUnknown},
			{text: "0am", err: ErrWhenUnknown},
			{text: "14", err: ErrWhenUnknown},
			{text: "dans", err: ErrWhenUnknown},
			{text: "+", err: ErrWhenUnknown},
			{text: "+2x", err: ErrWhenUnknown},
			{text: "+30m2h", err: ErrWhenUnknown}, // units largest first
			{text: "+2h2h", err: ErrWhenUnknown},
			{text: "+99999h", err: ErrWhenUnknown},
			{text: "-2h", err: ErrWhenUnknown},
			{text: "dans -2h", err: ErrWhenUnknown},
			{text: "demain 9h30 peut-être", err: ErrWhenUnknown},
			{text: "lundi lundi", err: ErrWhenUnknown},
			{text: "demain demain", err: ErrWhenUnknown},
			{text: "ce 14h", err: ErrWhenUnknown},
			{text: "lundi 1er décembre 9h30", err: ErrWhenUnknown}, // 1 December is a Tuesday
			{text: "demain #9h", err: ErrWhenUnknown},
			{text: "demain 9h30 ⏰", err: ErrWhenUnknown},
		})
	})
}

// Across the daylight-saving changes in Paris: Sunday 28 March 2027
// (02:00 CET → 03:00 CEST, 02:30 never happens) and Sunday 25 October 2026
// (03:00 CEST → 02:00 CET, 02:30 happens twice).
func TestParseWhenDaylightSaving(t *testing.T) {
	t.Parallel()
	loc := whenParis(t)
	utc := func(y int, mo time.Month, d, h, m int) time.Time { return time.Date(y, mo, d, h, m, 0, 0, time.UTC) }

	t.Run("SpringForward", func(t *testing.T) {
		t.Parallel()
		// Saturday 27 March 2027, 10:00 CET = 09:00Z.
		now := time.Date(2027, 3, 27, 10, 0, 0, 0, loc)
		runWhenCases(t, now, loc, []whenCase{
			{text: "demain 9h30", want: utc(2027, 3, 28, 7, 30)}, // 09:30 CEST
			{text: "+24h", want: utc(2027, 3, 28, 9, 0)},         // 24 real hours: 11:00 CEST
			{text: "+1j", want: utc(2027, 3, 28, 8, 0)},          // a calendar day: 10:00 CEST
			{text: "dimanche 3h", want: utc(2027, 3, 28, 1, 0)},  // 03:00 CEST, the first minute of summer
			{text: "dimanche 1h59", want: utc(2027, 3, 28, 0, 59)},
			{text: "dimanche 2h30", err: ErrWhenNonexistent},
			{text: "dimanche 2h", err: ErrWhenNonexistent},
			{text: "2027-03-28 02:30", err: ErrWhenNonexistent},
			{text: "28/03/2027 2h30", err: ErrWhenNonexistent},
			{text: "sunday 2:30am", err: ErrWhenNonexistent},
		})
		// Saturday 27 March 2027, 02:30 CET: one calendar day later is a
		// wall time that does not exist.
		runWhenCases(t, time.Date(2027, 3, 27, 2, 30, 0, 0, loc), loc, []whenCase{
			{text: "dans 1 jour", err: ErrWhenNonexistent},
			{text: "in 24 hours", want: utc(2027, 3, 28, 1, 30)}, // 03:30 CEST
		})
		// Sunday 28 March 2027, 01:00 CET: 02:30 today is ahead but does not
		// exist; 03:30 today is an hour and a half away.
		runWhenCases(t, time.Date(2027, 3, 28, 1, 0, 0, 0, loc), loc, []whenCase{
			{text: "2h30", err: ErrWhenNonexistent},
			{text: "3h30", want: utc(2027, 3, 28, 1, 30)},
			{text: "+2h", want: utc(2027, 3, 28, 2, 0)}, // 04:00 CEST
		})
	})

	t.Run("FallBack", func(t *testing.T) {
		t.Parallel()
		// Saturday 24 October 2026, 10:00 CEST = 08:00Z.
		now := time.Date(2026, 10, 24, 10, 0, 0, 0, loc)
		runWhenCases(t, now, loc, []whenCase{
			{text: "demain 9h30", want: utc(2026, 10, 25, 8, 30)},   // 09:30 CET
			{text: "+24h", want: utc(2026, 10, 25, 8, 0)},           // 24 real hours: 09:00 CET
			{text: "+1j", want: utc(2026, 10, 25, 9, 0)},            // a calendar day: 10:00 CET
			{text: "dimanche 2h30", want: utc(2026, 10, 25, 0, 30)}, // the first 02:30, CEST
			{text: "2026-10-25 02:30", want: utc(2026, 10, 25, 0, 30)},
			{text: "25/10 2h59", want: utc(2026, 10, 25, 0, 59)},
			{text: "dimanche 3h", want: utc(2026, 10, 25, 2, 0)}, // 03:00 CET
			{text: "dimanche 1h59", want: utc(2026, 10, 24, 23, 59)},
		})
		// Sunday 25 October 2026 between the two 02:30s (00:45Z, 02:45
		// CEST): the first has passed; the second is not offered.
		runWhenCases(t, time.Date(2026, 10, 25, 0, 45, 0, 0, time.UTC), loc, []whenCase{
			{text: "aujourd'hui 2h30", err: ErrWhenPast},
			{text: "2h30", want: utc(2026, 10, 26, 1, 30)}, // tomorrow, CET
		})
	})
}

// FuzzParseWhen: whatever people type, ParseWhen does not panic, and a time
// it accepts is never more than a minute before now.
func FuzzParseWhen(f *testing.F) {
	for _, s := range []string{
		"maintenant", "now", "+2h", "+30m", "+1h30", "+2j", "+2d", "dans 30 min", "dans 1 h 30",
		"in 2 hours", "in an hour", "aujourd'hui 14h", "today 2pm", "demain 9h30", "demain à 9h30",
		"demain matin", "demain midi", "tomorrow 9:30am", "tomorrow at 09:30", "tomorrow noon",
		"lundi 14h", "lun. 14h", "mardi prochain 9h", "next monday 14:00", "monday 2pm", "mon 14:00",
		"2026-12-01 09:30", "2026-12-01T09:30", "01/12/2026 9h30", "1/12 9h30", "1 déc. 9h30",
		"1 décembre 2026 9h30", "dec 1 9:30am", "December 1, 2026 9:30", "14h", "14h30", "14:30",
		"2pm", "9:30am", "29/02", "31/02", "dimanche 2h30", "2027-03-28 02:30", "2026-10-25 02:30",
		"+9999sem 9999j 9999h 9999m", "0000-01-01", "9999-12-31 23:59", "mar 14", "ce soir", "tonight",
		"", "+", "dans", "le le le", "à", "12 a", "1/1/1",
	} {
		f.Add(s, int64(0))
		f.Add(s, int64(2*365*24*60+123)) // another season, another weekday
	}
	loc := whenParis(f)
	base := time.Date(2026, 11, 25, 10, 0, 0, 0, loc)
	f.Fuzz(func(t *testing.T, text string, minutes int64) {
		now := base.Add(time.Duration(minutes%(5*366*24*60)) * time.Minute)
		got, err := ParseWhen(text, now, loc)
		if err != nil {
			if !errors.Is(err, ErrWhenUnknown) && !errors.Is(err, ErrWhenPast) && !errors.Is(err, ErrWhenNonexistent) {
				t.Fatalf("ParseWhen(%q): unexpected error %v", text, err)
			}
			return
		}
		if got.Before(now.Add(-time.Minute)) {
			t.Fatalf("ParseWhen(%q) at %s = %s, before now", text, now, got)
		}
	})
}
