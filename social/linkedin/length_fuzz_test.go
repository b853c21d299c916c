package linkedin

import (
	"strings"
	"testing"
)

// FuzzLength: Length does not panic, the limit is 3,000, and the count is
// between 1 and the number of bytes for any text (0 for nothing). LinkedIn
// counts code points of the text as approved, links in full (it has no URL
// rule), before the little escaping, so appending a character adds exactly
// 1, whatever it is: a reserved character (escaped when published), a
// combining mark, a joiner.
func FuzzLength(f *testing.F) {
	for _, s := range []string{
		"", "Bonjour", "Café crème", "Cafe\u0301", "日本語", "🎉", "👨\u200d👩\u200d👧\u200d👦", "🇫🇷",
		"https://example.com/" + strings.Repeat("a", 200), "#catweete #C# ##x", `|{}@[]()<>#\*_~`,
		"@[Name](urn:li:organization:1)", "{hashtag|\\#|tag}", "\xff\xfe", "\xe2\x82", strings.Repeat("é", 3000),
	} {
		for _, c := range []rune{'a', ' ', '#', '\\', '@', '\u0301', '\u200D', '🏽', '\x00', -1} {
			f.Add(s, c)
		}
	}
	li, err := New(Config{Token: testToken, AuthorURN: testOrg}) // setupOffline's
	if err != nil {
		f.Fatal(err)
	}

	f.Fuzz(func(t *testing.T, s string, c rune) {
		n, limit := li.Length(s)
		if limit != MaxCharacters {
			t.Fatalf("Length(%q) limit = %d, want %d", s, limit, MaxCharacters)
		}
		if n < 0 || n > len(s) || (s != "") != (n > 0) {
			t.Fatalf("Length(%q) = %d for %d bytes", s, n, len(s))
		}
		sc := s + string(c)
		if m, _ := li.Length(sc); m != n+1 {
			t.Fatalf("Length(%q) = %d, Length(%q) = %d: appending %q must add 1", s, n, sc, m, string(c))
		}
	})
}
