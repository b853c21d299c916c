package linkedin

import "testing"

func TestLittleText(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		text string
		want string
	}{
		{"Empty", "", ""},
		{"PlainText", "Bonjour à tous, ça tweete !", "Bonjour à tous, ça tweete !"},
		{"EveryReservedCharacter", `| { } @ [ ] ( ) < > \ * _ ~`, `\| \{ \} \@ \[ \] \( \) \< \> \\ \* \_ \~`},
		{"Parentheses", "Guam (GPA) et 28.6 (CAUTION)", `Guam \(GPA\) et 28.6 \(CAUTION\)`},
		{"BulletPoints", "* Point 1\n* Point 2", "\\* Point 1\n\\* Point 2"},
		{"EmailAddress", "écrivez à equipe@example.com", `écrivez à equipe\@example.com`},
		{"MentionSyntaxIsNotAMention", "@[Acme](urn:li:organization:1)", `\@\[Acme\]\(urn:li:organization:1\)`},
		{"TemplateSyntaxIsNotATemplate", "{hashtag|#|x}", `\{hashtag\|\#\|x\}`},
		{"BackslashBeforeReserved", `a\_b`, `a\\\_b`},
		{"NonASCIIUntouched", "Café 🎉 日本語 ～ ＃", "Café 🎉 日本語 ～ ＃"},

		{"Hashtag", "#Technology", `{hashtag|\#|Technology}`},
		{"HashtagsInSentence", "Vive #Lyon et #Paris2024 !", `Vive {hashtag|\#|Lyon} et {hashtag|\#|Paris2024} !`},
		{"AccentedHashtag", "#programmation #été", `{hashtag|\#|programmation} {hashtag|\#|été}`},
		{"HashtagAfterPunctuation", "(#go)", `\({hashtag|\#|go}\)`},
		{"HashtagStopsAtUnderscore", "#foo_bar", `{hashtag|\#|foo}\_bar`},
		{"HashtagStopsAtHyphen", "#go-lang", `{hashtag|\#|go}-lang`},
		{"NumberIsNotAHashtag", "#1 en France", `\#1 en France`},
		{"HashGluedToWordIsNotAHashtag", "C# et F#", `C\# et F\#`},
		{"DoubleHashIsNotAHashtag", "##titre", `\#\#titre`},
		{"LoneHash", "# titre", `\# titre`},
		{"HashAtEnd", "fin #", `fin \#`},

		{"URLWithoutReserved", "Voir https://example.com/blog/post-1", "Voir https://example.com/blog/post-1"},
		{"URLReservedAreEscaped", "https://en.wikipedia.org/wiki/Go_(langage)", `https://en.wikipedia.org/wiki/Go\_\(langage\)`},
		{"URLFragmentIsNotAHashtag", "https://example.com/#section et #tag", `https://example.com/\#section et {hashtag|\#|tag}`},
		{"URLTilde", "http://example.com/~user", `http://example.com/\~user`},
		{"URLEndsAtSpace", "https://x.example/a_b (lien)", `https://x.example/a\_b \(lien\)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := littleText(tt.text); got != tt.want {
				t.Errorf("littleText(%q) =\n %q\nwant\n %q", tt.text, got, tt.want)
			}
		})
	}
}

func TestLength(t *testing.T) {
	t.Parallel()
	c := setupOffline(t)
	tests := []struct {
		name string
		text string
		want int
	}{
		{"Empty", "", 0},
		{"ASCII", "Bonjour", 7},
		{"Accents", "Café crème", 10},
		{"EmojiIsOneCodePoint", "🎉", 1},
		{"ReservedCountOnceNotEscaped", "(a)", 3},
		{"HashtagCountsAsTyped", "#Lyon", 5},
		{"URLCountsAsTyped", "https://example.com/a", 21},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, limit := c.Length(tt.text)
			if got != tt.want || limit != 3000 {
				t.Errorf("Length(%q) = %d, %d; want %d, 3000", tt.text, got, limit, tt.want)
			}
		})
	}
}
