package bluesky

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzLength: Length does not panic, the limit is 300, and the count is
// between 1 and the number of code points for any text (0 for nothing).
// Bluesky counts grapheme clusters and has no URL rule (a link counts
// every character it has), so appending a character c never makes the
// count smaller: c joins the last cluster or starts one, +0 or +1.
func FuzzLength(f *testing.F) {
	for _, s := range []string{
		"", "Bonjour", "Café crème", "Cafe\u0301", "日本語", "🎉", "👍🏽", "👨\u200d👩\u200d👧\u200d👦", "🇫🇷", "🇫🇷🇫", "1️⃣",
		"https://example.com/" + strings.Repeat("a", 200), "@brand.bsky.social", "#catweete", "\r", "\xff\xfe",
		"क्ष", "ᄀ", "각", "\u0600", "a\u200d", strings.Repeat("é", 300),
	} {
		for _, c := range []rune{'a', ' ', '\n', '\u0301', '\u200D', '\uFE0F', '🏽', '🇷', 'ᅡ', 'ᆨ', 'ष', '\u094D', -1} {
			f.Add(s, c)
		}
	}
	bsky, err := New(Config{PDSURL: "https://pds.example", Handle: testHandle, AppPassword: testPassword}) // setupOffline's
	if err != nil {
		f.Fatal(err)
	}

	f.Fuzz(func(t *testing.T, s string, c rune) {
		n, limit := bsky.Length(s)
		if limit != maxGraphemes {
			t.Fatalf("Length(%q) limit = %d, want %d", s, limit, maxGraphemes)
		}
		if n < 0 || n > utf8.RuneCountInString(s) || (s != "") != (n > 0) {
			t.Fatalf("Length(%q) = %d for %d code points", s, n, utf8.RuneCountInString(s))
		}
		sc := s + string(c)
		if m, _ := bsky.Length(sc); m != n && m != n+1 {
			t.Fatalf("Length(%q) = %d, Length(%q) = %d: appending %q must add 0 or 1", s, n, sc, m, string(c))
		}
	})
}
