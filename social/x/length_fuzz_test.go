package x

import (
	"strings"
	"testing"
	"unicode"

	"github.com/rivo/uniseg"
)

// lastWord splits text after its last white space: a link never holds
// white space, so what follows a character can change how the text counts
// from there on only.
func lastWord(text string) string {
	cut := 0
	for i, r := range text {
		if unicode.IsSpace(r) {
			cut = i + len(string(r))
		}
	}
	return text[cut:]
}

// lastCluster is the last user-perceived character of text.
func lastCluster(text string) string {
	var cluster string
	state := -1
	for text != "" {
		cluster, text, _, state = uniseg.FirstGraphemeClusterInString(text, state)
	}
	return cluster
}

// FuzzLength: Length does not panic, the limit is 280, and any text counts
// at least 1 (nothing at all counts 0). Appending a character c to s
// changes the count as X's rules allow, and no more:
//
//   - Only the last word can count less: a link (23 whatever its length)
//     never holds white space, so count(s+c) ≥ count(s) − count(last word
//     of s) + 1 (c itself weighs at least 1).
//   - With no '.' in the last word, there is no link to make or unmake
//     there (every link has a dot). Then a c that starts a new character
//     adds its own weight: 1 or 2 for each code point, and NFC makes at most
//     3 of one, so 1 to 6. A c that joins the last character (a combining
//     mark, a joiner, a skin tone…) can only make it an emoji sequence,
//     which counts 2 in all, so the count falls by at most what the last
//     character counted beyond 2.
func FuzzLength(f *testing.F) {
	family := "👨\u200d👩\u200d👧\u200d👦"
	for _, s := range []string{
		"", "Café crème, ça tweete", "Hi http://test.co", "http://test.co", "https://www.twitter.com/jack ",
		"the故人西辞黄鹤楼，", "A\u0301B", "A\uFB2C", "H🐱☺" + family, "😷👾😡🔥💩", "🙋🏽👨\u200d🎤",
		"\u2000\u2001\u200A\u200B\u200C\u200D", "randomurlrandomurlrandomurlrandomurlrandomurlrandomurlrandomurls.com",
		"https://somesuperlongurlsomesuperlongurl.com/foo", "ABC\u202A\uFFFFABC\uFFFE",
		"\u2066\u202Ahttp://foobar.پاکستان/\u202C\u2069", "Unicode 10.0 emoji: 🤪; 🧕🏾; 🏴\U000E0067\U000E0062\U000E0065\U000E006E\U000E0067\U000E007F",
		"example.com", "exemple.fr", "exemple.fr/a", "t.co/abc", "https://t.co/abcdef", "fichier.txt", "main.go",
		"https://a.bc", "https://example.com/a.", "https://example.com/a(b)c", "https://example.com/?q=1&r=2",
		"https://example.com:8443/x", "詳細はexample.com", "user@example.com", "$example.com", "#example.com",
		"xn--bcher-kva.example", "http://xn--bcher-kva.ch", "1\uFE0F\u20E3", "©\uFE0F", "🇫🇷🇫", "☺\u0301\u0301",
		"\xff\xfe.com", "ᄀ", "𝅘𝅥𝅮", "a.b.c.d.e.f.g.h", "http://" + strings.Repeat("a", 64) + ".com",
	} {
		for _, c := range []rune{'a', '.', '/', 'm', '1', ' ', '\u0301', '\u200D', '\uFE0F', '\u20E3', '🏽', '🇷', 'ᅡ', '\U0001D160', '\uFB2C', -1} {
			f.Add(s, c)
		}
	}
	x, err := New(Config{APIURL: "https://api.x.example", Token: "offline-token"}) // setupOffline's
	if err != nil {
		f.Fatal(err)
	}

	f.Fuzz(func(t *testing.T, s string, c rune) {
		n, limit := x.Length(s)
		if limit != MaxWeightedLength {
			t.Fatalf("Length(%q) limit = %d, want %d", s, limit, MaxWeightedLength)
		}
		if n < 0 || (s != "") != (n > 0) {
			t.Fatalf("Length(%q) = %d", s, n)
		}
		sc := s + string(c)
		m, _ := x.Length(sc)

		word := lastWord(s)
		w, _ := x.Length(word)
		if m < n-w+1 {
			t.Fatalf("Length(%q) = %d, but Length(%q) = %d: more than its last word %q (%d) was lost", sc, m, s, n, word, w)
		}
		if strings.Contains(word+string(c), ".") {
			return // a link may start or end here
		}
		if uniseg.GraphemeClusterCount(sc) == uniseg.GraphemeClusterCount(s)+1 {
			if d := m - n; d < 1 || d > 6 {
				t.Fatalf("Length(%q) = %d, Length(%q) = %d: a new character %q added %d", s, n, sc, m, string(c), d)
			}
			return
		}
		last, _ := x.Length(lastCluster(s))
		if m < n-max(0, last-2) {
			t.Fatalf("Length(%q) = %d, Length(%q) = %d: %q joined the last character %q (%d) and lost more than it counted beyond 2",
				s, n, sc, m, string(c), lastCluster(s), last)
		}
	})
}
