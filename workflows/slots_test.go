package workflows

import (
	"testing"
	"time"
)

func slotsParis(t testing.TB) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func mustParseSlots(t testing.TB, spec string) Slots {
	t.Helper()
	s, err := ParseSlots(spec)
	if err != nil {
		t.Fatalf("ParseSlots(%q): %v", spec, err)
	}
	return s
}

func TestParseSlots(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ spec, want string }{
		{"mon-fri 09:30,12:30,17:45; sat 11:00", "mon-fri 09:30,12:30,17:45; sat 11:00"},
		{"  MON - FRI   9h30 , 12:30;sat 11h ;", "mon-fri 09:30,12:30; sat 11:00"},
		{"mon-fri09:30;sat11:00", "mon-fri 09:30; sat 11:00"},
		{"lun-ven 09:30; sam 11:00", "mon-fri 09:30; sat 11:00"},
		{"lundi,mercredi 8h", "mon,wed 08:00"},
		{"mon,wed,fri 08:00", "mon,wed,fri 08:00"},
		{"mon wed fri 08:00", "mon,wed,fri 08:00"},
		{"sat,sun 11:00", "sat,sun 11:00"},
		{"fri-mon 10:00", "mon,fri-sun 10:00"}, // a range may wrap
		{"sun-sun 10:00", "sun 10:00"},
		{"daily 09:00", "daily 09:00"},
		{"tous-les-jours 9h", "daily 09:00"},
		{"Tous les jours 9h 18h", "daily 09:00,18:00"},
		{"everyday 07:05", "daily 07:05"},
		{"mon-sun 09:00", "daily 09:00"},
		{"mon-fri 09:30; sat-sun 09:30", "daily 09:30"},
		{"mon 09:30,09:30; mon 08:00", "mon 08:00,09:30"}, // merged, sorted, once each
		{"mon-fri 09:30; wed 12:00", "mon,tue,thu,fri 09:30; wed 09:30,12:00"},
		{"mon-wed 00:00,23:59", "mon-wed 00:00,23:59"},
		{"", ""},
		{" ; ;  ", ""},
	} {
		t.Run(tc.spec, func(t *testing.T) {
			t.Parallel()
			s := mustParseSlots(t, tc.spec)
			if got := s.String(); got != tc.want {
				t.Errorf("ParseSlots(%q).String() = %q; want %q", tc.spec, got, tc.want)
			}
			if s.Empty() != (tc.want == "") {
				t.Errorf("ParseSlots(%q).Empty() = %v", tc.spec, s.Empty())
			}
			if again := mustParseSlots(t, s.String()); again != s {
				t.Errorf("ParseSlots(%q) does not read back its own String %q", tc.spec, s.String())
			}
		})
	}
}

func TestParseSlotsErrors(t *testing.T) {
	t.Parallel()
	const days = "(want mon…sun or lun…dim, a range like mon-fri, a list like mon,wed,fri, or daily)"
	for _, tc := range []struct{ spec, want string }{
		{"sat 25:00", `slots: "sat 25:00": bad time "25:00" (want HH:MM)`},
		{"sat 11:60", `slots: "sat 11:60": bad time "11:60" (want HH:MM)`},
		{"sat 9:3", `slots: "sat 9:3": bad time "9:3" (want HH:MM)`},
		{"sat 930", `slots: "sat 930": bad time "930" (want HH:MM)`},
		{"sat 9h5", `slots: "sat 9h5": bad time "9h5" (want HH:MM)`},
		{"sat 11:00pm", `slots: "sat 11:00pm": bad time "11:00pm" (want HH:MM)`},
		{"mon-fri 09:30; sat 11:00 sun 10:00", `slots: "sat 11:00 sun 10:00": bad time "sun" (want HH:MM; separate groups with ";")`},
		{"sta 11:00", `slots: "sta 11:00": bad day "sta" ` + days},
		{"mon-fri 09:30; xyz-fri 10:00", `slots: "xyz-fri 10:00": bad day "xyz" ` + days},
		{"mon- 09:00", `slots: "mon- 09:00": bad day "mon-" ` + days},
		{"mon-tue-wed 09:00", `slots: "mon-tue-wed 09:00": bad day "mon-tue-wed" ` + days},
		{"weekdays 09:00", `slots: "weekdays 09:00": bad day "weekdays" ` + days},
		{", 09:00", `slots: ", 09:00": bad day "," ` + days},
		{"sat", `slots: "sat": no time (want e.g. "sat 11:00")`},
		{"09:30", `slots: "09:30": no day (want e.g. "mon-fri 09:30")`},
	} {
		t.Run(tc.spec, func(t *testing.T) {
			t.Parallel()
			s, err := ParseSlots(tc.spec)
			if err == nil {
				t.Fatalf("ParseSlots(%q) = %q; want an error", tc.spec, s)
			}
			if err.Error() != tc.want {
				t.Errorf("ParseSlots(%q) error:\n got %s\nwant %s", tc.spec, err, tc.want)
			}
			if !s.Empty() {
				t.Errorf("ParseSlots(%q) returned slots with its error", tc.spec)
			}
		})
	}
}

func TestSlotsNext(t *testing.T) {
	t.Parallel()
	loc := slotsParis(t)
	s := mustParseSlots(t, "mon-fri 09:30,12:30,17:45; sat 11:00")
	at := func(month time.Month, day, h, m int) time.Time { return time.Date(2026, month, day, h, m, 0, 0, loc) }
	// Wednesday 25 November 2026, 10:00 in Paris.
	now := at(time.November, 25, 10, 0)

	t.Run("UpcomingInOrder", func(t *testing.T) {
		t.Parallel()
		want := []time.Time{
			at(time.November, 25, 12, 30), at(time.November, 25, 17, 45),
			at(time.November, 26, 9, 30), at(time.November, 26, 12, 30), at(time.November, 26, 17, 45),
			at(time.November, 27, 9, 30), at(time.November, 27, 12, 30), at(time.November, 27, 17, 45),
			at(time.November, 28, 11, 0), // Saturday
			at(time.November, 30, 9, 30), // Sunday has none
		}
		assertSlotTimes(t, s.Upcoming(now, loc, len(want)), want)
	})

	t.Run("StrictlyAfter", func(t *testing.T) {
		t.Parallel()
		got, ok := s.Next(at(time.November, 25, 12, 30), loc, nil)
		if want := at(time.November, 25, 17, 45); !ok || !got.Equal(want) {
			t.Errorf("Next(12:30) = %s, %v; want %s", got, ok, want)
		}
	})

	t.Run("AfterInAnotherZone", func(t *testing.T) {
		t.Parallel()
		got, ok := s.Next(now.UTC(), loc, nil)
		if want := at(time.November, 25, 12, 30); !ok || !got.Equal(want) || got.Location() != loc {
			t.Errorf("Next(now in UTC) = %s, %v; want %s in Paris", got, ok, want)
		}
	})

	t.Run("TakenSlotsAreSkipped", func(t *testing.T) {
		t.Parallel()
		booked := map[int64]bool{
			at(time.November, 25, 12, 30).Unix(): true,
			at(time.November, 25, 17, 45).Unix(): true,
		}
		var asked []time.Time
		got, ok := s.Next(now, loc, func(t time.Time) bool {
			asked = append(asked, t)
			return booked[t.Unix()]
		})
		if want := at(time.November, 26, 9, 30); !ok || !got.Equal(want) {
			t.Errorf("Next = %s, %v; want %s", got, ok, want)
		}
		if len(asked) != 3 {
			t.Errorf("taken was asked about %v; want the two booked slots, then the free one", asked)
		}
	})

	t.Run("AllTaken", func(t *testing.T) {
		t.Parallel()
		calls := 0
		got, ok := s.Next(now, loc, func(time.Time) bool { calls++; return true })
		if ok {
			t.Errorf("Next with every slot taken = %s; want none", got)
		}
		// 61 days from a Wednesday: 8 weeks and 5 days (Wednesday to
		// Sunday), 43 weekdays and 9 Saturdays, minus today's 09:30, gone.
		if want := 43*3 + 9 - 1; calls != want {
			t.Errorf("taken asked %d times; want %d (the 60-day window)", calls, want)
		}
	})

	t.Run("Empty", func(t *testing.T) {
		t.Parallel()
		var empty Slots
		if got, ok := empty.Next(now, loc, nil); ok {
			t.Errorf("empty Next = %s; want none", got)
		}
		if got := empty.Upcoming(now, loc, 5); got != nil {
			t.Errorf("empty Upcoming = %v; want none", got)
		}
		if got := s.Upcoming(now, loc, 0); got != nil {
			t.Errorf("Upcoming(0) = %v; want none", got)
		}
	})

	t.Run("OnlyWithinSixtyDays", func(t *testing.T) {
		t.Parallel()
		sunday := mustParseSlots(t, "dim 10:00")
		got := sunday.Upcoming(now, loc, 100)
		if len(got) != 9 { // 29/11 … 24/01
			t.Fatalf("Upcoming over 60 days = %d slots: %v", len(got), got)
		}
		if last, limit := got[len(got)-1], now.AddDate(0, 0, 61); !last.Before(limit) {
			t.Errorf("last slot %s is beyond the window", last)
		}
	})
}

// Slots are wall times: 09:30 in Paris is 08:30Z in winter and 07:30Z in
// summer; 02:30 does not exist on 28 March 2027 and happens twice on 25
// October 2026, where it is used once, at its first occurrence.
func TestSlotsAcrossDaylightSaving(t *testing.T) {
	t.Parallel()
	loc := slotsParis(t)
	s := mustParseSlots(t, "daily 02:30,09:30")
	utc := func(y int, mo time.Month, d, h, m int) time.Time { return time.Date(y, mo, d, h, m, 0, 0, time.UTC) }

	t.Run("SpringForward", func(t *testing.T) {
		t.Parallel()
		after := time.Date(2027, 3, 26, 0, 0, 0, 0, loc) // Friday
		assertSlotTimes(t, s.Upcoming(after, loc, 7), []time.Time{
			utc(2027, 3, 26, 1, 30), utc(2027, 3, 26, 8, 30), // CET
			utc(2027, 3, 27, 1, 30), utc(2027, 3, 27, 8, 30),
			utc(2027, 3, 28, 7, 30), // Sunday: no 02:30; 09:30 CEST
			utc(2027, 3, 29, 0, 30), utc(2027, 3, 29, 7, 30),
		})
		// Just before the change, the next slot is Sunday 09:30.
		got, ok := s.Next(time.Date(2027, 3, 28, 1, 0, 0, 0, loc), loc, nil)
		if want := utc(2027, 3, 28, 7, 30); !ok || !got.Equal(want) {
			t.Errorf("Next before the change = %s, %v; want %s", got, ok, want)
		}
	})

	t.Run("FallBack", func(t *testing.T) {
		t.Parallel()
		after := time.Date(2026, 10, 23, 0, 0, 0, 0, loc) // Friday
		assertSlotTimes(t, s.Upcoming(after, loc, 8), []time.Time{
			utc(2026, 10, 23, 0, 30), utc(2026, 10, 23, 7, 30), // CEST
			utc(2026, 10, 24, 0, 30), utc(2026, 10, 24, 7, 30),
			utc(2026, 10, 25, 0, 30), // Sunday: the first 02:30 (CEST), once
			utc(2026, 10, 25, 8, 30), // 09:30 CET
			utc(2026, 10, 26, 1, 30), utc(2026, 10, 26, 8, 30),
		})
		// Between the two 02:30s, the slot has passed.
		got, ok := s.Next(utc(2026, 10, 25, 0, 45), loc, nil)
		if want := utc(2026, 10, 25, 8, 30); !ok || !got.Equal(want) {
			t.Errorf("Next between the two 02:30s = %s, %v; want %s", got, ok, want)
		}
		// The first 02:30 booked, the second is not offered instead.
		got, ok = s.Next(utc(2026, 10, 24, 23, 0), loc, func(t time.Time) bool { return t.Equal(utc(2026, 10, 25, 0, 30)) })
		if want := utc(2026, 10, 25, 8, 30); !ok || !got.Equal(want) {
			t.Errorf("Next with the first 02:30 taken = %s, %v; want %s", got, ok, want)
		}
	})
}

func assertSlotTimes(t *testing.T, got, want []time.Time) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d slots %v; want %d %v", len(got), got, len(want), want)
	}
	for i := range want {
		if !got[i].Equal(want[i]) {
			t.Errorf("slot %d = %s (%s); want %s", i, got[i].UTC().Format(time.RFC3339), got[i], want[i].UTC().Format(time.RFC3339))
		}
	}
}

// FuzzParseSlots: no spec makes ParseSlots panic; an accepted schedule
// reads back from its String, and its upcoming slots are in order, after
// `after`, each on one of its wall times.
func FuzzParseSlots(f *testing.F) {
	for _, s := range []string{
		"mon-fri 09:30,12:30,17:45; sat 11:00", "lun-ven 9h30; sam 11h", "fri-mon 10:00",
		"mon,wed,fri 08:00", "daily 02:30,09:30", "tous-les-jours 9h", "tous les jours 23:59",
		"", ";", "sat 25:00", "sta 11:00", "sat", "09:30", "mon--fri 9:00", "mon-", "-mon 9h",
		"mon 9h;;tue 10h", "MON-SUN 00:00", "sun-sat 1h", "mon 9:3", "mon ٠٩:٣٠", "lun 09h00 ,10h",
	} {
		f.Add(s)
	}
	loc := slotsParis(f)
	after := time.Date(2026, 10, 20, 12, 0, 0, 0, loc)
	f.Fuzz(func(t *testing.T, spec string) {
		s, err := ParseSlots(spec)
		if err != nil {
			if !s.Empty() {
				t.Fatalf("ParseSlots(%q) returned slots with error %v", spec, err)
			}
			return
		}
		again, err := ParseSlots(s.String())
		if err != nil || again != s {
			t.Fatalf("ParseSlots(%q).String() = %q reads back as %q, %v", spec, s.String(), again.String(), err)
		}
		prev := after
		for _, slot := range s.Upcoming(after, loc, 20) {
			if !slot.After(prev) {
				t.Fatalf("%q: slot %s not after %s", spec, slot, prev)
			}
			h, m, _ := slot.In(loc).Clock()
			if d := s.week[slot.In(loc).Weekday()]; d[(h*60+m)/64]&(1<<((h*60+m)%64)) == 0 {
				t.Fatalf("%q: slot %s is not in the schedule", spec, slot)
			}
			prev = slot
		}
	})
}
