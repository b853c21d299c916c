package x

import (
	"strings"
	"testing"
)

// Cases marked "conformance" are twitter-text's own
// (conformance/validate.yml, WeightedTweetsWithDiscountedEmojiCounterTest,
// the v3 configuration), with their expected weightedLength.
func TestLength(t *testing.T) {
	t.Parallel()
	c := setupOffline(t)

	family := "👨\u200d👩\u200d👧\u200d👦"
	cjk := "あいうえおかきくけこ"
	dash := strings.Repeat("xxxxxxxxxx-", 24) // 264 characters
	superlong := "https://" + strings.Repeat("somesuperlongurl", 249) + ".com/foo "
	punct := " ‐ ‑ ‒ – — ― ‖  ‗ ‘ ’ ‚ ‛ “ ” „ ‟ ′ ″ ‴ ‵ ‶ ‷"
	tests := []struct {
		name string
		text string
		want int
	}{
		{"Empty", "", 0},
		{"ASCIIAtTheLimit", strings.Repeat("a", 280), 280},
		{"ASCIIOverTheLimit", strings.Repeat("a", 281), 281},
		{"AccentedLatin", "Café crème, ça tweete", 21},

		// conformance
		{"RegularTweetWithURL", "Hi http://test.co", 26},
		{"JustURL", "http://test.co", 23},
		{"LongTweet", "285 chars-" + dash + "xxxxxxxxxx-", 285},
		{"LongTweetWithURLInTheMiddle", "285 chars- http://www.twitter.com/jack " + dash, 299},
		{"LongTweetWithURLAtTheEnd", dash + " http://www.twitter.com/jack ", 289},
		{"TenURLs", strings.Repeat("https://www.twitter.com/aloha ", 10), 240},
		{"CJKWeighsTwo", "the" + strings.Repeat("故人西辞黄鹤楼，", 20), 323},
		{"DecomposedAIsOneCharacter", "A\u0301B", 2},
		{"PrecomposedShinIsThreeAfterNFC", "A\uFB2C", 4},
		{"NormalizedCharacterPastTheLimit", "282 chars-" + dash + "xxxxxA\u0301x", 281},
		{"MixOfSingleAndDoubleWordCharacters", "H🐱☺" + family, 7},
		{"EmojiInAndOutOfTheBMP", "😷👾😡🔥💩", 10},
		{"SkinToneAndZWJSequence", "🙋🏽👨\u200d🎤", 4},
		{"GeneralPunctuationWeighsOne", "This is a tweet with general punctuation characters: \u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200A\u200B" + punct, 110},
		{"GeneralPunctuationWithZWNJAndZWJ", "This is a tweet with general punctuation characters: \u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200A\u200B\u200C\u200D" + punct, 112},
		{"LongURLWithInvalidDomainLabelsAndShortURL", "Long url with invalid domain labels and a short url: " + strings.Repeat(superlong, 3) + "https://validurl.com", 12079},
		{"SixtyFourCharacterLabelIsText", "randomurlrandomurlrandomurlrandomurlrandomurlrandomurlrandomurls.com", 68},
		{"CJKLabelPast63InPunycodeIsText", strings.Repeat(cjk, 12) + " http://" + strings.Repeat(cjk, 5) + "あいう.com", 358},
		{"CJKLabelWithin63InPunycodeIsAURL", strings.Repeat(cjk, 12) + " http://" + strings.Repeat(cjk, 5) + "あい.com", 264},
		{"HundredFortyFamilies", strings.Repeat(family, 140), 280},
		{"Unicode10Emoji", "Unicode 10.0 emoji: 🤪; 🧕; 🧕🏾; 🏴\U000E0067\U000E0062\U000E0065\U000E006E\U000E0067\U000E007F", 34},
		{"Unicode9Emoji", "Unicode 9.0 emoji: 🤠; 💃; 💃🏾", 29},
		{"InvalidCharactersStillWeigh", "ABC\u202A\uFFFFABC\uFFFE", 12},
		{"DirectionalMarksAroundAURL", "\u2066\u202Ahttp://foobar.پاکستان/\u202C\u2069", 31},

		// Weights.
		{"CJK", "日本語", 6},
		{"Hangul", "트위터", 6},
		{"ArabicWeighsOne", "مرحبا", 5},
		{"CombiningMarkAfterNFC", "Cafe\u0301", 4},
		{"CombiningMarkThatDoesNotCompose", "q\u0301", 2},
		{"QuotesAndDashesWeighOne", "‘’“”–—", 6},
		{"PrimesWeighOne", "′″", 2},
		{"EllipsisWeighsTwo", "…", 2},
		{"EuroWeighsTwo", "€", 2},
		{"IdeographicSpaceWeighsTwo", "\u3000", 2},

		// Emoji: a sequence counts 2 in all.
		{"EmojiOutsideBMP", "🎉", 2},
		{"SkinTone", "👍🏽", 2},
		{"ZWJFamily", family, 2},
		{"ZWJProfessionWithSkinTone", "👩🏽\u200d💻", 2},
		{"Flag", "🇫🇷", 2},
		{"TwoFlags", "🇫🇷🇩🇪", 4},
		{"SubdivisionFlag", "🏴\U000E0067\U000E0062\U000E0073\U000E0063\U000E0074\U000E007F", 2},
		{"KeycapSequence", "1\uFE0F\u20E3", 2},
		{"HashKeycap", "#\uFE0F\u20E3", 2},
		{"RedHeartWithVS16", "❤\uFE0F", 2},
		{"CopyrightAsEmoji", "©\uFE0F", 2},
		{"CopyrightAsText", "©", 1},
		{"DigitAsText", "1", 1},
		{"DigitWithVS16OnlyIsNoKeycap", "1\uFE0F", 3},
		{"TextPresentationIsNoEmoji", "☺\uFE0E", 4},
		{"EmojiAfterText", "Bravo 🎉🎉", 10},

		// Links count 23 whatever their length.
		{"ShortURL", "https://a.co", 23},
		{"LongURL", "https://example.com/" + strings.Repeat("a", 300), 23},
		{"UppercaseScheme", "HTTPS://EXAMPLE.COM/Page", 23},
		{"URLInSentence", "Lisez https://example.com/a/very/long/path?utm_source=slack&x=1 !", 6 + 23 + 2},
		{"URLTrailingPeriodIsText", "Voir https://example.com/blog.", 5 + 23 + 1},
		{"URLInParentheses", "(https://example.com/a)", 1 + 23 + 1},
		{"URLBalancedParentheses", "https://en.wikipedia.org/wiki/Go_(programming_language)", 23},
		{"URLNestedParentheses", "https://example.com/track/We_Up_(Album_Version_(Edited))/", 23},
		{"URLUnbalancedParenthesisIsText", "https://example.com/a_(b", 23 + 2},
		{"URLUnderscoreInSubdomain", "http://test_underscore.twitter.com", 23},
		{"URLUnderscoreInDomainNameIsText", "http://domain-dash_2314352345_dfasd.foo-cow_4352.com", 52},
		{"URLQueryEndingWithHyphen", "https://www.youtube.com/playlist?list=PL0ZPu8XSRTB7wZzn0mLHMvyzVFeRxbWn-", 23},
		{"URLLoneQuestionMarkIsText", "https://example.com/?", 23 + 1},
		{"URLWithPortAndFragment", "https://example.com:8443/a#top", 23},
		{"URLAccentedPath", "https://exemple.fr/été", 23},
		{"URLPathStopsAtCJK", "https://ja.wikipedia.org/wiki/日本", 23 + 4},
		{"URLThenEmoji", "https://example.com🎉", 23 + 2},
		{"TwoURLs", "https://a.com https://b.com", 23 + 1 + 23},
		{"IDNHost", "https://exämple.de/x", 23},
		{"UnicodeSnowmanDomain", "http://☃.net/", 23},
		{"TcoLinkStopsAtItsSlug", "https://t.co/abc123?x=1", 23 + 4},
		{"BareDomain", "example.com", 23},
		{"BareDomainWithPath", "Lire x.com/catweete", 5 + 23},
		{"BareTco", "t.co", 23},
		{"BareSubdomainOfCountryCode", "foo.co.jp", 23},
		{"BareCountryCodeDomainIsText", "exemple.fr", 10},
		{"BareCountryCodeDomainWithPathIsAURL", "exemple.fr/a", 23},
		{"BareDomainAfterCJK", "詳細はexample.com", 6 + 23},
		{"FileNameIsText", "main.go fichier.txt", 19},
		{"EmailIsNotAURL", "contact@example.com", 19},
		{"HashtagIsNotAURL", "#example.com", 12},
		{"FTPIsNotAURL", "ftp://example.org", 17},
		{"HostWithoutTLDIsText", "http://localhost/x", 18},
		{"SchemeGluedToAWordIsText", "xhttps://example.com/abcdefghij", 31},
		{"ComposedAndLinked", "Café crème ☕ https://exemple.fr/été", 11 + 2 + 1 + 23},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, limit := c.Length(tt.text)
			if got != tt.want {
				t.Errorf("Length(%q) = %d, want %d (links: %v)", tt.text, got, tt.want, extractURLs(tt.text))
			}
			if limit != 280 {
				t.Errorf("limit = %d, want 280", limit)
			}
		})
	}
}

func TestPunycode(t *testing.T) {
	t.Parallel()
	// RFC 3492 and IDNA examples.
	for in, want := range map[string]string{
		"bücher":  "bcher-kva",
		"ü":       "tda",
		"☃":       "n3h",
		"münchen": "mnchen-3ya",
		"日本語":     "wgv71a119e",
	} {
		if got := punycode(in); got != want {
			t.Errorf("punycode(%q) = %q, want %q", in, got, want)
		}
	}
}

// setupOffline returns a client whose server is never called.
func setupOffline(t *testing.T) *Client {
	t.Helper()
	c, err := New(Config{APIURL: "https://api.x.example", Token: "offline-token"})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func BenchmarkLength(b *testing.B) {
	c, err := New(Config{Token: "t"})
	if err != nil {
		b.Fatal(err)
	}
	text := "Nouveau billet 🎉 sur le blog : https://blog.example.com/2024/06/un-titre-tres-long — lisez-le, partagez-le ! 👩🏽\u200d💻 #golang"
	b.ReportAllocs()
	for b.Loop() {
		c.Length(text)
	}
}
