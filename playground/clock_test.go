package playground

import (
	"testing"
	"time"
)

func TestParseSpeed(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		want float64
		ok   bool
	}{
		{"", 1, true}, {"1", 1, true}, {"60", 60, true}, {"2.5", 2.5, true},
		{"0.5", 0, false}, {"0", 0, false}, {"-3", 0, false}, {"vite", 0, false}, {"NaN", 0, false}, {"1e9", 0, false},
	} {
		got, err := ParseSpeed(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("ParseSpeed(%q) = %v, %v; want %v (ok %v)", tc.in, got, err, tc.want, tc.ok)
		}
	}
}

func TestClockRunsFaster(t *testing.T) {
	t.Parallel()
	now := Clock(3600) // an hour a second
	start := now()
	time.Sleep(50 * time.Millisecond)
	if elapsed := now().Sub(start); elapsed < 150*time.Second || elapsed > time.Hour {
		t.Errorf("50 ms at speed 3600 = %s of the clock, want about 3 minutes", elapsed)
	}
	if drift := start.Sub(time.Now()).Abs(); drift > time.Minute {
		t.Errorf("the clock starts %s away from the real time", drift)
	}
}
