package mastodon

import (
	"strings"
	"testing"
	"unicode"
)

// lastWord is what follows text's last white space: neither a URL nor a
// mention holds white space, so what follows a character can change how
// the text counts from there on only.
func lastWord(text string) string {
	cut := 0
	for i, r := range text {
		if unicode.IsSpace(r) {
			cut = i + len(string(r))
		}
	}
	return text[cut:]
}

// FuzzLength: Length does not panic, the limit is the default 500, and any
// text counts at least 1 (nothing at all counts 0). Appending a character c
// to s changes the count as Mastodon's rules allow, and no more:
//
//   - Only the last word can count less: a URL becoming one (23 whatever
//     its length) or ceasing to be one, a remote mention @user@domain
//     shortened to @user or refused, never hold white space, so
//     count(s+c) ≥ count(s) − count(last word of s).
//   - Without "://" or "@" in the last word, there is no URL or mention to
//     make or unmake (a scheme needs a host after it, a mention a name):
//     the count is in grapheme clusters, and c either joins the last one
//     or starts one, so it grows by 0 or 1.
func FuzzLength(f *testing.F) {
	for _, s := range []string{
		"", "Bonjour", "Café crème, ça tweete", "Cafe\u0301", "日本語", "🎉", "👍🏽", "👨\u200d👩\u200d👧\u200d👦", "🇫🇷", "1️⃣",
		"http://x.org", "https://example.com/" + strings.Repeat("a", 200), "HTTPS://EXAMPLE.COM/Page",
		"Lisez https://example.com/a/very/long/path?utm_source=slack&x=1 !", "Voir https://example.com/blog.",
		`"https://example.com/a", dit-elle`, "(https://example.com/a)", "https://en.wikipedia.org/wiki/Go_(programming_language)",
		"https://example.com/?", "https://example.com:8443/a#top", "https://exemple.fr/été", "https://example.com🎉",
		"https://a.com https://b.com", "gemini://example.org/x", "ftp://example.org", "example.com/abc",
		"xhttps://example.com/abcdefghij", "https:// rien", "http://localhost/x", "https://a.b", "https://a.bc",
		"https://xn--bcher-kva.ch", "https://a.b/(c(d)e)f", "@alice", "@alice@mastodon.social", "Merci @alice@mastodon.social !",
		"cc @bob@example.org.", "@zoe@café.example", "@zoé@café.example", "contact@example.com", "@alice@mastodon.social@x",
		"@alice@example.com://x", "https://mastodon.social/@alice@example.org", "a=@alice@example.org", "@u@d", "@a.b-c",
		"\xff@x", "https:/", "https:",
	} {
		for _, c := range []rune{'a', 'o', '.', '/', ':', '@', '1', ' ', ')', '?', 'é', '\u0301', '\u200D', '🏽', '🇷', '＠', -1} {
			f.Add(s, c)
		}
	}
	m, err := New(Config{BaseURL: "https://mastodon.example", Token: "offline-token"}) // setupOffline's
	if err != nil {
		f.Fatal(err)
	}

	f.Fuzz(func(t *testing.T, s string, c rune) {
		n, limit := m.Length(s)
		if limit != defaultMaxCharacters {
			t.Fatalf("Length(%q) limit = %d, want %d", s, limit, defaultMaxCharacters)
		}
		if n < 0 || (s != "") != (n > 0) {
			t.Fatalf("Length(%q) = %d", s, n)
		}
		sc := s + string(c)
		after, _ := m.Length(sc)

		word := lastWord(s)
		w, _ := m.Length(word)
		if after < n-w {
			t.Fatalf("Length(%q) = %d, but Length(%q) = %d: more than its last word %q (%d) was lost", sc, after, s, n, word, w)
		}
		if !strings.Contains(word, "://") && !strings.Contains(word, "@") {
			if d := after - n; d < 0 || d > 1 {
				t.Fatalf("Length(%q) = %d, Length(%q) = %d: %q, with no URL or mention about, changed it by %d", s, n, sc, after, string(c), d)
			}
		}
	})
}
