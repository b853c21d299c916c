package mastodon

import (
	"strings"
	"testing"
)

func TestLength(t *testing.T) {
	t.Parallel()
	c := setupOffline(t)

	long := "https://example.com/" + strings.Repeat("a", 200)
	tests := []struct {
		name string
		text string
		want int
	}{
		{"Empty", "", 0},
		{"PlainASCII", "Bonjour", 7},
		{"PrecomposedAccents", "Café crème, ça tweete", 21},
		{"DecomposedAccentCountsOnce", "Cafe\u0301", 4},
		{"CJK", "日本語", 3},
		{"EmojiOutsideBMP", "🎉", 1},
		{"EmojiWithSkinTone", "👍🏽", 1},
		{"ZWJFamily", "👨\u200d👩\u200d👧\u200d👦", 1},
		{"Flag", "🇫🇷", 1},
		{"KeycapSequence", "1️⃣", 1},

		{"ShortURL", "http://x.org", 23},
		{"LongURL", long, 23},
		{"UppercaseScheme", "HTTPS://EXAMPLE.COM/Page", 23},
		{"URLInSentence", "Lisez https://example.com/a/very/long/path?utm_source=slack&x=1 !", 6 + 23 + 2},
		{"URLTrailingPeriodIsText", "Voir https://example.com/blog.", 5 + 23 + 1},
		{"URLTrailingCommaAndQuote", `"https://example.com/a", dit-elle`, 1 + 23 + 11},
		{"URLInParentheses", "(https://example.com/a)", 1 + 23 + 1},
		{"URLBalancedParentheses", "https://en.wikipedia.org/wiki/Go_(programming_language)", 23},
		{"URLLoneQuestionMarkIsText", "https://example.com/?", 23 + 1},
		{"URLWithPortAndFragment", "https://example.com:8443/a#top", 23},
		{"URLAccentedPath", "https://exemple.fr/été", 23},
		{"URLThenEmoji", "https://example.com🎉", 23 + 1},
		{"TwoURLs", "https://a.com https://b.com", 23 + 1 + 23},
		{"GeminiURL", "gemini://example.org/x", 23},
		{"FTPIsNotCounted", "ftp://example.org", 17},
		{"NoSchemeIsText", "example.com/abc", 15},
		{"SchemeGluedToWordIsText", "xhttps://example.com/abcdefghij", 31},
		{"SchemeWithoutHostIsText", "https:// rien", 13},
		{"HostWithoutTLDIsText", "http://localhost/x", 18},

		{"LocalMention", "@alice", 6},
		{"RemoteMention", "@alice@mastodon.social", 6},
		{"RemoteMentionInSentence", "Merci @alice@mastodon.social !", 6 + 6 + 2},
		{"RemoteMentionTrailingPeriod", "cc @bob@example.org.", 3 + 4 + 1},
		{"RemoteMentionUnicodeDomain", "@zoe@café.example", 4},
		{"AccentedUsernameIsText", "@zoé@café.example", 17},
		{"EmailIsNotAMention", "contact@example.com", 19},
		{"MentionFollowedByAtIsText", "@alice@mastodon.social@x", 24},
		{"MentionFollowedBySchemeIsText", "@alice@example.com://x", 22},
		{"MentionInsideURL", "https://mastodon.social/@alice@example.org", 23},
		{"MentionAfterEquals", "a=@alice@example.org", 20},

		{"Mixed", "Nouveau billet 🎉 https://blog.example.com/2024/06/un-titre-tres-long par @alice@mastodon.social",
			len("Nouveau billet ") + 1 + 1 + 23 + len(" par ") + 6},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, limit := c.Length(tt.text)
			if got != tt.want {
				t.Errorf("Length(%q) = %d, want %d", tt.text, got, tt.want)
			}
			if limit != 500 {
				t.Errorf("Length(%q) limit = %d, want the default 500", tt.text, limit)
			}
		})
	}
}

func TestLengthAtTheLimit(t *testing.T) {
	t.Parallel()
	c := setupOffline(t)

	// 477 letters and one URL of any length: exactly 500 for Mastodon,
	// although the text is far longer in bytes and in code points.
	text := strings.Repeat("é", 476) + " https://example.com/" + strings.Repeat("z", 300)
	if got, limit := c.Length(text); got != limit {
		t.Errorf("Length = %d, want exactly the limit %d", got, limit)
	}
}

// setupOffline returns a client whose server is never called.
func setupOffline(t *testing.T) *Client {
	t.Helper()
	c, err := New(Config{BaseURL: "https://mastodon.example", Token: "offline-token"})
	if err != nil {
		t.Fatal(err)
	}
	return c
}
