package x

import (
	"unicode/utf8"

	"github.com/rivo/uniseg"
	"golang.org/x/text/unicode/norm"
)

// twitter-text's configuration v3 (config/v3.json in
// github.com/twitter/twitter-text), which X applies to every post.
const (
	// MaxWeightedLength is the longest post X accepts, in weighted
	// characters (maxWeightedTweetLength).
	MaxWeightedLength = 280
	// scale: weights are hundredths of a character.
	scale = 100
	// defaultWeight is the weight of a code point outside weightedRanges,
	// and of a whole emoji sequence.
	defaultWeight = 200
	// transformedURLLength is what any link counts once X has wrapped it in
	// a t.co link, whatever its own length.
	transformedURLLength = 23
)

// weightedRanges are v3's ranges of code points that weigh 100 (one
// character): Latin, Greek, Cyrillic, Arabic, Hebrew, Indic scripts… up to
// U+10FF, and the spaces and punctuation of General Punctuation. Everything
// else, CJK included, weighs 200.
var weightedRanges = [...]struct{ lo, hi rune }{
	{0x0000, 0x10FF},
	{0x2000, 0x200D},
	{0x2010, 0x201F},
	{0x2032, 0x2037},
}

// Length returns how long X considers text, and X's limit, so that a draft
// can be checked before it is approved rather than refused when it is due.
//
// It counts as twitter-text's parseTweet does with configuration v3: the
// text is normalized to NFC first; every link counts 23 whatever its length
// (see extractURLs for what is a link); an emoji sequence (a ZWJ family, a
// flag, a skin tone, a keycap…) counts 2 in all; any other code point
// counts 1 in the ranges of weightedRanges and 2 elsewhere. The count is
// the weighted sum divided by the scale, 100.
func (c *Client) Length(text string) (count, limit int) {
	return weightedLength(text), MaxWeightedLength
}

// weightedLength is Length's count.
func weightedLength(text string) int {
	t := norm.NFC.String(text)
	w, last := 0, 0
	for _, u := range extractURLs(t) {
		w += segmentWeight(t[last:u.start]) + transformedURLLength*scale
		last = u.end
	}
	w += segmentWeight(t[last:])
	return w / scale
}

// segmentWeight weighs text that holds no link, one grapheme cluster at a
// time: a cluster that is an emoji sequence weighs defaultWeight, any other
// the sum of its code points' weights (so "e" + U+0301 that NFC could not
// compose still counts 2, as in twitter-text).
func segmentWeight(s string) int {
	w, state := 0, -1
	for s != "" {
		var cluster string
		cluster, s, _, state = uniseg.FirstGraphemeClusterInString(s, state)
		if isEmojiSequence(cluster) {
			w += defaultWeight
			continue
		}
		for _, r := range cluster {
			w += runeWeight(r)
		}
	}
	return w
}

// runeWeight is a code point's weight in configuration v3.
func runeWeight(r rune) int {
	for _, rg := range weightedRanges {
		if r >= rg.lo && r <= rg.hi {
			return scale
		}
	}
	return defaultWeight
}

// isEmojiSequence reports whether a grapheme cluster of several code points
// is one emoji for twitter-text v3 (emojiParsingEnabled), which then counts
// it 2 in all. A single code point needs no such test: an emoji above
// U+10FF weighs 2 anyway, and the default-text symbols below it (©, ®,
// digits) are emoji only with U+FE0F or a keycap, hence several code points.
//
// twitter-text matches clusters against the emoji list of its
// twemoji-parser; this approximation accepts a cluster that starts with a
// pictograph and holds an emoji joiner or modifier (ZWJ, U+FE0F, a skin
// tone, tag characters, a second regional indicator for a flag), a keycap
// sequence (#, * or a digit, then U+20E3), and ©/® with U+FE0F. It counts
// ZWJ sequences newer than twitter-text's list as one emoji, as X does today.
func isEmojiSequence(cluster string) bool {
	first, size := utf8.DecodeRuneInString(cluster)
	if size == len(cluster) {
		return false
	}
	var keycap, vs16, joined bool
	for _, r := range cluster[size:] {
		switch {
		case r == 0x20E3:
			keycap = true
		case r == 0xFE0F:
			vs16 = true
		case r == 0x200D, // zero width joiner
			r >= 0x1F3FB && r <= 0x1F3FF, // skin tones
			r >= 0xE0020 && r <= 0xE007F, // tags (subdivision flags)
			r >= 0x1F1E6 && r <= 0x1F1FF: // regional indicators (flags)
			joined = true
		}
	}
	switch {
	case first == '#' || first == '*' || first >= '0' && first <= '9':
		return keycap
	case first == 0x00A9 || first == 0x00AE:
		return vs16
	case isPictograph(first):
		return vs16 || joined || keycap
	}
	return false
}

// isPictograph approximates Unicode's Extended_Pictographic: the symbol
// blocks where emoji live (‼ ⁉, letterlike symbols to Miscellaneous Symbols
// and Arrows, 〰 〽 ㊗ ㊙, and the supplementary emoji planes' blocks).
func isPictograph(r rune) bool {
	switch {
	case r == 0x203C, r == 0x2049,
		r >= 0x2100 && r <= 0x2BFF,
		r == 0x3030, r == 0x303D, r == 0x3297, r == 0x3299,
		r >= 0x1F000 && r <= 0x1FAFF:
		return true
	}
	return false
}
