package bluesky

import (
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"
)

// facet is an app.bsky.richtext.facet: a range of the text and what it is.
// Bluesky shows a URL in a post as a link only when a facet says so
// (https://docs.bsky.app/docs/advanced-guides/post-richtext).
type facet struct {
	Index    byteSlice `json:"index"`
	Features []feature `json:"features"`
}

// byteSlice is a facet's range: UTF-8 byte offsets into the text, start
// inclusive, end exclusive. Not characters and not UTF-16 units: "Café 🎉 "
// is 11 bytes before what follows it.
type byteSlice struct {
	ByteStart int `json:"byteStart"`
	ByteEnd   int `json:"byteEnd"`
}

// feature is a facet's meaning; catweete writes only links.
type feature struct {
	Type string `json:"$type"`
	URI  string `json:"uri"`
}

const linkFeature = "app.bsky.richtext.facet#link"

// linkFacets returns a link facet for every http or https URL in text, in
// order, nil when there is none.
//
// It follows the detection of Bluesky's own client (@atproto/api's
// detectFacets: a URL starts a word and runs to the next space, and
// punctuation that ends a sentence is not part of it) with three
// refinements: trailing punctuation is stripped repeatedly ("…)." and »
// too) and a closing bracket only when it is unbalanced, so
// https://en.wikipedia.org/wiki/Go_(programming_language) keeps its ")";
// non-ASCII punctuation, symbols and format characters end a URL (a "。" or
// an emoji glued to it); and a URL may follow an opening quote or a
// Chinese or Japanese character, scripts written without spaces. Only
// URLs with a scheme are linked: "example.com" is left as typed.
func linkFacets(text string) []facet {
	var facets []facet
	for i := 0; i < len(text); {
		n := schemeLen(text[i:])
		if n == 0 || !urlMayStartAfter(text[:i]) {
			_, size := utf8.DecodeRuneInString(text[i:])
			i += size
			continue
		}
		end := i + n
		for end < len(text) {
			r, size := utf8.DecodeRuneInString(text[end:])
			if endsURL(r) {
				break
			}
			end += size
		}
		next := end
		end = trimTrailing(text, i, end)
		if u := text[i:end]; isLink(u) {
			facets = append(facets, facet{
				Index:    byteSlice{ByteStart: i, ByteEnd: end},
				Features: []feature{{Type: linkFeature, URI: u}},
			})
		}
		i = next
	}
	return facets
}

// schemeLen returns the length of an "http://" or "https://" (any case) at
// the start of s, 0 when there is none.
func schemeLen(s string) int {
	for _, scheme := range [...]string{"https://", "http://"} {
		if len(s) >= len(scheme) && strings.EqualFold(s[:len(scheme)], scheme) {
			return len(scheme)
		}
	}
	return 0
}

// urlMayStartAfter reports whether a URL may start right after before: at
// the start of the text, after a space or an opening bracket or quote, or
// after a Han, Hiragana or Katakana character; not glued to a word
// ("xhttps://…") or to other punctuation.
func urlMayStartAfter(before string) bool {
	r, _ := utf8.DecodeLastRuneInString(before)
	switch {
	case before == "", unicode.IsSpace(r):
		return true
	case strings.ContainsRune("([{<\"'«‹“‘„「『（【", r):
		return true
	case unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana):
		return true
	}
	return false
}

// endsURL reports whether r cannot be part of a URL as people type one:
// spaces and controls, the ASCII characters RFC 3986 excludes that are
// usually around a URL rather than in it (< > " and `), and non-ASCII
// punctuation, symbols (emoji) and format characters (ZWJ, direction marks).
func endsURL(r rune) bool {
	if r < utf8.RuneSelf {
		return r <= ' ' || r == 0x7f || strings.ContainsRune(`<>"`+"`", r)
	}
	return unicode.IsSpace(r) || unicode.IsPunct(r) || unicode.IsSymbol(r) ||
		unicode.Is(unicode.Cf, r) || unicode.IsControl(r) || r == utf8.RuneError
}

// trimTrailing returns end moved back over the punctuation that ends the
// sentence rather than the URL text[start:end]: . , ; : ! ? ' * and the
// like, and a closing bracket that has no opening one in the URL. The
// characters a URL often ends with (/ - _ # % & @) are kept.
func trimTrailing(text string, start, end int) int {
	for end > start {
		r, size := utf8.DecodeLastRuneInString(text[start:end])
		u := text[start:end]
		switch {
		case r == ')':
			if strings.Count(u, "(") >= strings.Count(u, ")") {
				return end
			}
		case r == ']':
			if strings.Count(u, "[") >= strings.Count(u, "]") {
				return end
			}
		case r == '}':
			if strings.Count(u, "{") >= strings.Count(u, "}") {
				return end
			}
		case strings.ContainsRune("/-_#%&@", r):
			return end
		case !unicode.IsPunct(r):
			return end
		}
		end -= size
	}
	return end
}

// isLink reports whether u, a candidate found by linkFacets, is a URL with a
// host: the PDS refuses a post whose facet holds an invalid URI, so a
// doubtful candidate is left as plain text.
func isLink(u string) bool {
	p, err := url.Parse(u)
	return err == nil && (strings.EqualFold(p.Scheme, "http") || strings.EqualFold(p.Scheme, "https")) &&
		p.Host != "" && p.Hostname() != ""
}
