package commands

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestSlackToPlain(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, in, want string }{
		{"PlainTextIsKept", "Bonjour à tous !", "Bonjour à tous !"},
		{"AmpersandIsDecoded", "Tom &amp; Jerry", "Tom & Jerry"},
		{"AnglesAreDecoded", "1 &lt; 2 &gt; 0", "1 < 2 > 0"},
		{"EscapesAreDecodedOnce", "&amp;lt; stays &amp;gt;", "&lt; stays &gt;"},
		{"LabelledLinkKeepsLabelAndURL", "<https://x.y|label>", "label https://x.y"},
		{"BareLink", "<https://x.y>", "https://x.y"},
		{"HTTPLink", "<http://x.y/a>", "http://x.y/a"},
		{"LinkLabelledWithItsOwnURL", "<https://x.y|x.y>", "https://x.y"},
		{"LinkWithEscapedQuery", "<https://x.y/?a=1&amp;b=2|x.y/?a=1&amp;b=2>", "https://x.y/?a=1&b=2"},
		{"MailtoIsTheAddress", "<mailto:a@b.c|a@b.c>", "a@b.c"},
		{"ChannelIsItsName", "<#C123|general>", "general"},
		{"UserIsTheirName", "<@U1|bob>", "bob"},
		{"UnmatchedAngleIsKept", "a <b", "a <b"},
		{"LoneClosingAngleIsKept", "a > b", "a > b"},
		{"Mixed", "Voir <https://x.y|le site> et <https://z.w> &amp; co, merci <@U1|bob> !",
			"Voir le site https://x.y et https://z.w & co, merci bob !"},
		{"NewlinesAreKept", "ligne 1\n<https://x.y>\nligne 3", "ligne 1\nhttps://x.y\nligne 3"},
		{"Empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := SlackToPlain(tt.in); got != tt.want {
				t.Errorf("SlackToPlain(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestEscape(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"a<b>&c &amp;": "a&lt;b&gt;&amp;c &amp;amp;",
		"":             "",
		"Déjà vu ! <3": "Déjà vu ! &lt;3",
		"« été » & 🐈":  "« été » &amp; 🐈",
		"rien à faire": "rien à faire",
	} {
		if got := Escape(in); got != want {
			t.Errorf("Escape(%q) = %q, want %q", in, got, want)
		}
	}
	// What the bot shows is what a person typed: escape undoes SlackToPlain.
	for _, in := range []string{"Tom &amp; Jerry", "1 &lt; 2", "a &gt; b"} {
		if got := Escape(SlackToPlain(in)); got != in {
			t.Errorf("Escape(SlackToPlain(%q)) = %q", in, got)
		}
	}
}

func TestParsePostID(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want int64 // 0: an error
	}{
		{"12", 12}, {" 12 ", 12}, {"#12", 12}, {"# 12", 12}, {"n°12", 12}, {"N°12", 12}, {"n° 12", 12},
		{"no 12", 12}, {"No12", 12}, {"007", 7}, {"9223372036854775807", 9223372036854775807},
		{"", 0}, {"abc", 0}, {"#", 0}, {"n°", 0}, {"0", 0}, {"-3", 0}, {"12a", 0}, {"1.5", 0},
		{"12 13", 0}, {"9223372036854775808", 0}, {"douze", 0},
	}
	for _, tt := range tests {
		got, err := ParsePostID(tt.in)
		if tt.want == 0 {
			if err == nil {
				t.Errorf("ParsePostID(%q) = %d, want an error", tt.in, got)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParsePostID(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
		}
	}
}

func TestExcerpt(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		n    int
		want string
	}{
		{"ShortTextIsKept", "Bonjour", 10, "Bonjour"},
		{"ExactlyNIsKept", "0123456789", 10, "0123456789"},
		{"SpacesAndNewlinesCollapse", "  Bonjour\n\n  tout\tle monde  ", 60, "Bonjour tout le monde"},
		{"LongWordIsCutWithEllipsis", "abcdefghijklmnop", 10, "abcdefghij…"},
		{"CutsOnASpace", "Bonjour tout le monde, voici", 20, "Bonjour tout le…"},
		{"DropsPunctuationBeforeTheEllipsis", "Bonjour, tout le monde", 9, "Bonjour…"},
		{"CountsRunesNotBytes", strings.Repeat("é", 11), 10, strings.Repeat("é", 10) + "…"},
		{"KeepsEmojiWhole", strings.Repeat("🐱", 12), 10, strings.Repeat("🐱", 10) + "…"},
		{"IgnoresASpaceInTheFirstHalf", "aaaa aaaaaaaa", 10, "aaaa aaaaa…"},
		{"IgnoresASpaceInTheFirstHalfOfAccentedText", "éééé éééééééé", 10, "éééé ééééé…"},
		{"CutsOnASpaceInAccentedText", "Été à Noël, déjà ça", 15, "Été à Noël…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := Excerpt(tt.in, tt.n)
			if got != tt.want {
				t.Errorf("Excerpt(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
			}
			if !utf8.ValidString(got) {
				t.Errorf("Excerpt(%q, %d) = %q: not UTF-8", tt.in, tt.n, got)
			}
			if c := utf8.RuneCountInString(got); c > tt.n+1 {
				t.Errorf("Excerpt(%q, %d) has %d characters", tt.in, tt.n, c)
			}
		})
	}
}

func TestFormatTime(t *testing.T) {
	t.Parallel()
	cat := NewCatalog()
	loc := paris(t)
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	at := func(y int, m time.Month, d, h, min int) time.Time { return time.Date(y, m, d, h, min, 0, 0, loc) }
	wed := at(2026, 6, 10, 10, 0) // a Wednesday in summer time
	tests := []struct {
		name   string
		t, now time.Time
		loc    *time.Location
		fr, en string
	}{
		{"Today", at(2026, 6, 10, 14, 30), wed, loc,
			"aujourd'hui 14:30 (Europe/Paris)", "today 14:30 (Europe/Paris)"},
		{"EarlierToday", at(2026, 6, 10, 0, 5), wed, loc,
			"aujourd'hui 00:05 (Europe/Paris)", "today 00:05 (Europe/Paris)"},
		{"Tomorrow", at(2026, 6, 11, 9, 30), wed, loc,
			"demain 09:30 (Europe/Paris)", "tomorrow 09:30 (Europe/Paris)"},
		{"Yesterday", at(2026, 6, 9, 18, 0), wed, loc,
			"hier 18:00 (Europe/Paris)", "yesterday 18:00 (Europe/Paris)"},
		{"NextWeek", at(2026, 6, 16, 9, 30), wed, loc,
			"mar. 16 juin 09:30 (Europe/Paris)", "Tue 16 Jun 09:30 (Europe/Paris)"},
		{"LastWeek", at(2026, 6, 1, 12, 0), wed, loc,
			"lun. 1 juin 12:00 (Europe/Paris)", "Mon 1 Jun 12:00 (Europe/Paris)"},
		{"AnInstantInUTCIsShownInTheZone", time.Date(2026, 6, 10, 22, 30, 0, 0, time.UTC), wed, loc,
			"demain 00:30 (Europe/Paris)", "tomorrow 00:30 (Europe/Paris)"},
		{"JustAfterMidnightIsTomorrow", at(2026, 6, 11, 0, 1), at(2026, 6, 10, 23, 59), loc,
			"demain 00:01 (Europe/Paris)", "tomorrow 00:01 (Europe/Paris)"},
		{"NextYearNamesTheYear", at(2027, 1, 5, 9, 30), at(2026, 12, 30, 10, 0), loc,
			"mar. 5 janv. 2027 09:30 (Europe/Paris)", "Tue 5 Jan 2027 09:30 (Europe/Paris)"},
		{"TomorrowInTheNextYearNeedsNoYear", at(2027, 1, 1, 9, 0), at(2026, 12, 31, 12, 0), loc,
			"demain 09:00 (Europe/Paris)", "tomorrow 09:00 (Europe/Paris)"},
		{"AnotherZoneIsNamed", time.Date(2026, 6, 10, 14, 0, 0, 0, time.UTC), wed, ny,
			"aujourd'hui 10:00 (America/New_York)", "today 10:00 (America/New_York)"},
		{"UTCIsNamed", time.Date(2026, 6, 10, 14, 0, 0, 0, time.UTC), wed, time.UTC,
			"aujourd'hui 14:00 (UTC)", "today 14:00 (UTC)"},
		// Sunday 29 March 2026: 02:00 CET becomes 03:00 CEST, a 23-hour day.
		{"SpringForwardSameDay", at(2026, 3, 29, 3, 30), at(2026, 3, 29, 1, 0), loc,
			"aujourd'hui 03:30 (Europe/Paris)", "today 03:30 (Europe/Paris)"},
		{"SpringForwardDayBefore", at(2026, 3, 29, 9, 30), at(2026, 3, 28, 23, 0), loc,
			"demain 09:30 (Europe/Paris)", "tomorrow 09:30 (Europe/Paris)"},
		{"SpringForwardDayAfter", at(2026, 3, 30, 0, 30), at(2026, 3, 29, 1, 0), loc,
			"demain 00:30 (Europe/Paris)", "tomorrow 00:30 (Europe/Paris)"},
		{"SpringForwardTwoDays", at(2026, 3, 30, 9, 30), at(2026, 3, 28, 9, 30), loc,
			"lun. 30 mars 09:30 (Europe/Paris)", "Mon 30 Mar 09:30 (Europe/Paris)"},
		// Sunday 25 October 2026: 03:00 CEST becomes 02:00 CET, a 25-hour day.
		{"FallBackDayAfter", at(2026, 10, 26, 0, 10), at(2026, 10, 25, 0, 30), loc,
			"demain 00:10 (Europe/Paris)", "tomorrow 00:10 (Europe/Paris)"},
		{"FallBackDayBefore", at(2026, 10, 24, 23, 50), at(2026, 10, 25, 23, 50), loc,
			"hier 23:50 (Europe/Paris)", "yesterday 23:50 (Europe/Paris)"},
		{"FallBackKeepsTheWallClock", at(2026, 10, 25, 9, 30), at(2026, 10, 24, 9, 30), loc,
			"demain 09:30 (Europe/Paris)", "tomorrow 09:30 (Europe/Paris)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := cat.FormatTime(French, tt.t, tt.now, tt.loc); got != tt.fr {
				t.Errorf("FormatTime(fr) = %q, want %q", got, tt.fr)
			}
			if got := cat.FormatTime(English, tt.t, tt.now, tt.loc); got != tt.en {
				t.Errorf("FormatTime(en) = %q, want %q", got, tt.en)
			}
		})
	}
}

func TestFormatSince(t *testing.T) {
	t.Parallel()
	cat := NewCatalog()
	now := time.Date(2026, 6, 10, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		ago    time.Duration
		fr, en string
	}{
		{"JustNowIsOneMinute", 0, "1 min", "1 min"},
		{"SecondsAreOneMinute", 30 * time.Second, "1 min", "1 min"},
		{"FutureIsOneMinute", -time.Hour, "1 min", "1 min"},
		{"Minutes", 5*time.Minute + 59*time.Second, "5 min", "5 min"},
		{"LastMinuteOfTheHour", 59 * time.Minute, "59 min", "59 min"},
		{"OneHour", time.Hour, "1 h", "1 h"},
		{"HoursUpToTwoDays", 47*time.Hour + 59*time.Minute, "47 h", "47 h"},
		{"TwoDays", 48 * time.Hour, "2 j", "2 d"},
		{"AWeek", 7*24*time.Hour + 5*time.Hour, "7 j", "7 d"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := cat.FormatSince(French, now.Add(-tt.ago), now); got != tt.fr {
				t.Errorf("FormatSince(fr, %v) = %q, want %q", tt.ago, got, tt.fr)
			}
			if got := cat.FormatSince(English, now.Add(-tt.ago), now); got != tt.en {
				t.Errorf("FormatSince(en, %v) = %q, want %q", tt.ago, got, tt.en)
			}
		})
	}
}

func TestJoinWords(t *testing.T) {
	t.Parallel()
	cat := NewCatalog()
	tests := []struct {
		names  []string
		fr, en string
	}{
		{nil, "", ""},
		{[]string{"Mastodon"}, "Mastodon", "Mastodon"},
		{[]string{"Mastodon", "Bluesky"}, "Mastodon et Bluesky", "Mastodon and Bluesky"},
		{[]string{"Mastodon", "Bluesky", "X"}, "Mastodon, Bluesky et X", "Mastodon, Bluesky and X"},
	}
	for _, tt := range tests {
		if got := cat.JoinWords(French, tt.names); got != tt.fr {
			t.Errorf("JoinWords(fr, %q) = %q, want %q", tt.names, got, tt.fr)
		}
		if got := cat.JoinWords(English, tt.names); got != tt.en {
			t.Errorf("JoinWords(en, %q) = %q, want %q", tt.names, got, tt.en)
		}
	}
}
