package bluesky

import (
	"fmt"
	"testing"
)

func TestLinkFacets(t *testing.T) {
	t.Parallel()
	// link is a facet expected at byte offsets [start, end) linking uri.
	type link struct {
		start, end int
		uri        string
	}
	tests := []struct {
		name string
		text string
		want []link
	}{
		{"NoLink", "Ça tweete !", nil},
		{"AloneInTheText", "https://example.com", []link{{0, 19, "https://example.com"}}},
		{"AfterAccents", "Café é https://a.fr", []link{{9, 21, "https://a.fr"}}},
		{"AfterAnEmoji", "🎉 https://a.fr", []link{{5, 17, "https://a.fr"}}},
		{"AfterAZWJFamily", "👨‍👩‍👧‍👦 https://a.fr", []link{{26, 38, "https://a.fr"}}},
		{"AfterAFlagAndCJK", "🇫🇷日本 https://a.fr", []link{{15, 27, "https://a.fr"}}},
		{"AccentedPath", "Voir https://exemple.fr/été", []link{{5, 29, "https://exemple.fr/été"}}},
		{"TrailingPeriodIsText", "Voir https://example.com/blog.", []link{{5, 29, "https://example.com/blog"}}},
		{"TrailingPunctuationRun", "Quoi ?! https://example.com/a?!...", []link{{8, 29, "https://example.com/a"}}},
		{"TrailingCommaAndColon", "https://a.fr, https://b.fr: fin", []link{{0, 12, "https://a.fr"}, {14, 26, "https://b.fr"}}},
		{"TrailingEllipsisAndGuillemets", "« https://a.fr/x » et https://b.fr…", []link{{3, 17, "https://a.fr/x"}, {24, 36, "https://b.fr"}}},
		{"GluedGuillemets", "«https://a.fr/x»", []link{{2, 16, "https://a.fr/x"}}},
		{"InParentheses", "(https://a.fr/x)", []link{{1, 15, "https://a.fr/x"}}},
		{"InParenthesesWithPeriod", "(voir https://a.fr/x).", []link{{6, 20, "https://a.fr/x"}}},
		{"BalancedParenthesesAreKept", "https://en.wikipedia.org/wiki/Go_(langage)", []link{{0, 42, "https://en.wikipedia.org/wiki/Go_(langage)"}}},
		{"BalancedInsideParentheses", "(https://en.wikipedia.org/wiki/Go_(langage))", []link{{1, 43, "https://en.wikipedia.org/wiki/Go_(langage)"}}},
		{"InSquareBrackets", "[https://a.fr/x]", []link{{1, 15, "https://a.fr/x"}}},
		{"BalancedSquareBracketsAreKept", "https://a.fr/x[1]", []link{{0, 17, "https://a.fr/x[1]"}}},
		{"InBraces", "{https://a.fr/x}", []link{{1, 15, "https://a.fr/x"}}},
		{"InQuotes", `"https://a.fr/x"`, []link{{1, 15, "https://a.fr/x"}}},
		{"InAngleBrackets", "<https://a.fr/x>", []link{{1, 15, "https://a.fr/x"}}},
		{"QueryAndFragment", "https://a.fr/p?q=1&r=2#top", []link{{0, 26, "https://a.fr/p?q=1&r=2#top"}}},
		{"TrailingSlashKept", "https://a.fr/dossier/", []link{{0, 21, "https://a.fr/dossier/"}}},
		{"PortAndUppercaseScheme", "HTTP://LOCALHOST:8080/X", []link{{0, 23, "HTTP://LOCALHOST:8080/X"}}},
		{"ThenAnEmoji", "https://a.fr🎉 bravo", []link{{0, 12, "https://a.fr"}}},
		{"ThenJapanesePunctuation", "詳細はhttps://a.jp/x。続き", []link{{9, 23, "https://a.jp/x"}}},
		{"AfterANewline", "Titre\nhttps://a.fr", []link{{6, 18, "https://a.fr"}}},
		{"SchemeGluedToAWordIsText", "xhttps://a.fr et ahttp://b.fr", nil},
		{"SchemeAloneIsText", "https:// et http://.", nil},
		{"NoSchemeIsText", "example.com et www.example.com", nil},
		{"OtherSchemeIsText", "ftp://a.fr mailto:x@a.fr", nil},
		{"BadEscapeIsText", "https://a.fr/%zz", nil},
		{"URLInsideURLIsOne", "https://web.archive.org/web/2024/https://a.fr/", []link{{0, 46, "https://web.archive.org/web/2024/https://a.fr/"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got []link
			for _, f := range linkFacets(tt.text) {
				if len(f.Features) != 1 || f.Features[0].Type != "app.bsky.richtext.facet#link" {
					t.Errorf("facet = %+v, want one link feature", f)
					continue
				}
				got = append(got, link{f.Index.ByteStart, f.Index.ByteEnd, f.Features[0].URI})
				// The offsets are bytes: they cut the URI out of the text.
				if s := tt.text[f.Index.ByteStart:f.Index.ByteEnd]; s != f.Features[0].URI {
					t.Errorf("text[%d:%d] = %q, want the URI %q", f.Index.ByteStart, f.Index.ByteEnd, s, f.Features[0].URI)
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("linkFacets(%q) =\n %v\nwant\n %v", tt.text, got, tt.want)
			}
		})
	}
}
