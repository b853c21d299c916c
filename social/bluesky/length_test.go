package bluesky

import (
	"strings"
	"testing"
)

func TestLength(t *testing.T) {
	t.Parallel()
	c := setupOffline(t)
	tests := []struct {
		name string
		text string
		want int
	}{
		{"Empty", "", 0},
		{"PlainASCII", "Bonjour", 7},
		{"PrecomposedAccents", "Café crème, ça tweete", 21},
		{"DecomposedAccentCountsOnce", "Cafe\u0301", 4},
		{"StackedCombiningMarks", "e\u0301\u0302\u0323", 1},
		{"HangulJamoSyllable", "\u1100\u1161\u11a8", 1},
		{"CJK", "日本語のテキスト", 8},
		{"EmojiOutsideBMP", "🎉", 1},
		{"EmojiWithSkinTone", "👍🏽", 1},
		{"ZWJFamily", "👨\u200d👩\u200d👧\u200d👦", 1},
		{"ZWJProfession", "👩🏽\u200d💻", 1},
		{"Flag", "🇫🇷", 1},
		{"TwoFlags", "🇫🇷🇧🇪", 2},
		{"TagSequenceFlag", "🏴\U000E0067\U000E0062\U000E0073\U000E0063\U000E0074\U000E007F", 1},
		{"KeycapSequence", "1️⃣", 1},
		{"CRLFIsOne", "a\r\nb", 3},
		{"URLCountsInFull", "https://example.com/un/long/chemin", 34},
		{"Mixed", "Nouveau 🎉 sur https://a.fr 👨\u200d👩\u200d👧", len("Nouveau ") + 1 + len(" sur https://a.fr ") + 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, limit := c.Length(tt.text)
			if got != tt.want {
				t.Errorf("Length(%q) = %d, want %d", tt.text, got, tt.want)
			}
			if limit != 300 {
				t.Errorf("limit = %d, want 300", limit)
			}
		})
	}
}

func TestLengthAtTheLimit(t *testing.T) {
	t.Parallel()
	c := setupOffline(t)
	tests := []struct {
		name string
		text string
		want int
	}{
		{"300Letters", strings.Repeat("a", 300), 300},
		{"301Letters", strings.Repeat("a", 301), 301},
		// 300 graphemes, though 1,200 code points and 4,800 bytes.
		{"300Families", strings.Repeat("👨\u200d👩\u200d👧\u200d👦", 300), 300},
		{"300DecomposedAccents", strings.Repeat("e\u0301", 300), 300},
		{"301Flags", strings.Repeat("🇫🇷", 301), 301},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got, limit := c.Length(tt.text); got != tt.want || limit != 300 {
				t.Errorf("Length = %d, %d; want %d, 300", got, limit, tt.want)
			}
		})
	}
}

func TestValidTID(t *testing.T) {
	t.Parallel()
	tests := []struct {
		key  string
		want bool
	}{
		{"3jzfcijpj2z2a", true}, // the TID spec's example
		{"7777777777777", true},
		{"2222222222222", true},
		{"jzzzzzzzzzzzz", true}, // largest first character: j
		{"kzzzzzzzzzzzz", false},
		{"3jzfcijpj2z2", false},
		{"3jzfcijpj2z2aa", false},
		{"3JZFCIJPJ2Z2A", false},
		{"3jzfcijpj2z21", false},
		{"3jzfcijpj2z20", false},
		{"3jzfcijpj2z2-", false},
		{"", false},
		{"3jzf cijpj2z2", false},
		{"3jzfcijpj2z2é", false},
	}
	for _, tt := range tests {
		if got := validTID(tt.key); got != tt.want {
			t.Errorf("validTID(%q) = %v, want %v", tt.key, got, tt.want)
		}
	}
}

// setupOffline returns a client whose server is never called.
func setupOffline(t *testing.T) *Client {
	t.Helper()
	c, err := New(Config{PDSURL: "https://pds.example", Handle: testHandle, AppPassword: testPassword})
	if err != nil {
		t.Fatal(err)
	}
	return c
}
