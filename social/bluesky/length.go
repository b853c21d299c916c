package bluesky

import (
	"strings"

	"github.com/rivo/uniseg"
)

// Length returns how long Bluesky considers text and its limit, so a draft
// can be checked before it is approved rather than refused when it is due.
//
// Bluesky counts extended grapheme clusters (the post lexicon's
// maxGraphemes: 300), what a reader sees as one character: "é" counts 1
// whether precomposed or e + U+0301, a family emoji joined with ZWJ counts
// 1, a flag counts 1. Unlike Mastodon or X, a URL counts every character it
// has: catweete publishes the text as approved, without shortening links.
//
// The lexicon also caps the text at 3,000 UTF-8 bytes, which only a text
// heavy in emoji sequences reaches within 300 graphemes; Publish refuses
// such a text too.
func (c *Client) Length(text string) (count, limit int) {
	return uniseg.GraphemeClusterCount(text), maxGraphemes
}

// tidAlphabet is base32-sortable, the alphabet of TIDs.
const tidAlphabet = "234567abcdefghijklmnopqrstuvwxyz"

// validTID reports whether s is a TID, the record key type of Bluesky posts
// (https://atproto.com/specs/tid): 13 characters of base32-sortable, the
// first in 2-7 or a-j because the top bit of the 64-bit value is 0.
func validTID(s string) bool {
	if len(s) != 13 {
		return false
	}
	for i := 0; i < len(s); i++ {
		j := strings.IndexByte(tidAlphabet, s[i])
		if j < 0 || (i == 0 && j >= 16) {
			return false
		}
	}
	return true
}
