package workspace

import "testing"

func TestMentionNumbers(t *testing.T) {
	t.Parallel()
	for _, n := range []int64{0, 1, 999_999, 1_000_000, 1_764_000_000_000_123} {
		got, ok := FromTS(TS(n))
		if !ok || got != n {
			t.Errorf("FromTS(TS(%d)) = %d, %v", n, got, ok)
		}
	}
	if got := TS(1_764_000_000_000_123); got != "1764000000.000123" {
		t.Errorf("TS = %q, want 1764000000.000123", got)
	}
	if got := EventID(1_764_000_000_000_123); got != "Ev1764000000000123" {
		t.Errorf("EventID = %q", got)
	}
	for _, ts := range []string{"", "1764000000", "1764000000.123", "x.000001", "1.00000x", "-1.000001"} {
		if n, ok := FromTS(ts); ok {
			t.Errorf("FromTS(%q) = %d, true; want false", ts, n)
		}
	}
}
