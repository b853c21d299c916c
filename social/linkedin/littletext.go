package linkedin

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// reserved is the set of characters that LinkedIn's "little" text format
// (the Posts API's commentary field) reserves for its elements and
// templates. Its documentation says: "All reserved characters need to be
// escaped with a backslash, even if those characters are not used in one of
// the supported elements or templates"; unescaped, LinkedIn accepts the post
// and silently drops the text from the first one on.
// https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/little-text-format
const reserved = `|{}@[]()<>#\*_~`

// littleText turns an approved plain text into the little format, so that
// LinkedIn shows exactly the text that was approved:
//
//   - every reserved character is preceded by a backslash, URLs included (the
//     grammar has no exception for them, and an escape decodes to the very
//     character, so the published text, which LinkedIn links, is unchanged);
//   - a hashtag (#, then letters, marks and digits, with at least one letter,
//     not glued to a preceding word or inside a URL) becomes the documented
//     HashtagTemplate {hashtag|\#|tag}, so it stays a clickable hashtag
//     instead of the literal text "#tag";
//   - "@" is always escaped: a mention needs the member's or organization's
//     URN (@[Name](urn:li:…)), which a text typed in Slack does not carry.
func littleText(text string) string {
	var b strings.Builder
	b.Grow(len(text) + len(text)/8)
	prev := rune(-1) // the rune before i; -1 at the start
	for i := 0; i < len(text); {
		if end := urlEnd(text, i, prev); end > i {
			escapeTo(&b, text[i:end])
			prev, _ = utf8.DecodeLastRuneInString(text[:end])
			i = end
			continue
		}
		if text[i] == '#' {
			if tag := hashtag(text[i+1:], prev); tag != "" {
				b.WriteString(`{hashtag|\#|`)
				b.WriteString(tag)
				b.WriteByte('}')
				i += 1 + len(tag)
				prev, _ = utf8.DecodeLastRuneInString(tag)
				continue
			}
		}
		r, size := utf8.DecodeRuneInString(text[i:])
		if r < utf8.RuneSelf && strings.IndexByte(reserved, byte(r)) >= 0 {
			b.WriteByte('\\')
		}
		b.WriteString(text[i : i+size])
		prev = r
		i += size
	}
	return b.String()
}

// escapeTo writes s with every reserved character escaped.
func escapeTo(b *strings.Builder, s string) {
	for i := 0; i < len(s); i++ {
		if strings.IndexByte(reserved, s[i]) >= 0 {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
}

// hashtag returns the tag that follows a '#' (rest is the text after it), or
// "" when that '#' does not start a hashtag: glued to a word ("C#", "n°#3"),
// doubled ("##"), or followed by no letter ("#1" is a rank, not a tag).
// The tag stops at anything but a letter, a mark or a digit; in particular at
// "_", which is reserved and stays outside the template, escaped.
func hashtag(rest string, prev rune) string {
	if prev >= 0 && (isWordRune(prev) || prev == '#' || prev == '&') {
		return ""
	}
	end, letters := 0, 0
	for end < len(rest) {
		r, size := utf8.DecodeRuneInString(rest[end:])
		switch {
		case unicode.IsLetter(r):
			letters++
		case unicode.IsMark(r) || unicode.IsDigit(r):
		default:
			return tagOrNothing(rest[:end], letters)
		}
		end += size
	}
	return tagOrNothing(rest[:end], letters)
}

func tagOrNothing(tag string, letters int) string {
	if letters == 0 {
		return ""
	}
	return tag
}

// urlEnd returns the end of the URL that starts at text[i], or i if none
// does: http:// or https:// (any case), not glued to a preceding word, up to
// the next white space.
func urlEnd(text string, i int, prev rune) int {
	if prev >= 0 && isWordRune(prev) {
		return i
	}
	j := -1
	for _, scheme := range [...]string{"https://", "http://"} {
		if len(text)-i > len(scheme) && strings.EqualFold(text[i:i+len(scheme)], scheme) {
			j = i + len(scheme)
			break
		}
	}
	if j < 0 {
		return i
	}
	for j < len(text) {
		r, size := utf8.DecodeRuneInString(text[j:])
		if unicode.IsSpace(r) {
			break
		}
		j += size
	}
	return j
}

// isWordRune reports whether r belongs to a word: a letter, a mark, a digit
// or an underscore.
func isWordRune(r rune) bool {
	return r == '_' || unicode.IsLetter(r) || unicode.IsMark(r) || unicode.IsDigit(r)
}
