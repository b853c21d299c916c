package mastodon

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/rivo/uniseg"
)

// Mastodon's defaults, used until LoadInstance has read the instance's own.
const (
	defaultMaxCharacters    = 500
	defaultCharactersPerURL = 23
)

// Length returns how long Mastodon considers text and the instance's limit,
// so a draft can be checked before it is approved rather than refused (422)
// when it is due.
//
// It counts as Mastodon's StatusLengthValidator does (app/validators/
// status_length_validator.rb): every URL with a scheme counts
// characters_reserved_per_url (23) whatever its length; a mention
// @user@domain counts as @user; and the result is measured in extended
// grapheme clusters (Ruby's String#each_grapheme_cluster), not code points,
// so "é" counts 1 whether it is precomposed or e + U+0301, and a family emoji
// joined with ZWJ counts 1.
//
// The limit is configuration.statuses.max_characters, 500 until LoadInstance
// has read it. Length is safe to call concurrently with LoadInstance.
func (c *Client) Length(text string) (count, limit int) {
	c.mu.RLock()
	l := c.limits
	c.mu.RUnlock()
	return countLength(text, l.charactersPerURL), l.maxCharacters
}

// countLength rewrites text as Mastodon does before counting (each URL
// replaced by perURL x's, each remote mention shortened to its local part)
// and counts the grapheme clusters of the result. Rewriting, rather than
// adding up per-entity counts, keeps Mastodon's behaviour at the edges, e.g.
// a combining mark right after a URL.
func countLength(text string, perURL int) int {
	placeholder := strings.Repeat("x", perURL)
	var b strings.Builder
	b.Grow(len(text))
	copied := 0      // text[:copied] has been written to b
	prev := rune(-1) // the rune before i in the original text; -1 at the start
	for i := 0; i < len(text); {
		if end := urlEnd(text, i, prev); end > i {
			b.WriteString(text[copied:i])
			b.WriteString(placeholder)
			copied, i = end, end
			prev, _ = utf8.DecodeLastRuneInString(text[:end])
			continue
		}
		if text[i] == '@' {
			if user, end, ok := mention(text, i, prev); end > i {
				if ok {
					b.WriteString(text[copied:i])
					b.WriteString("@" + user)
					copied = end
				}
				// Like Ruby's String#scan, a refused match is skipped
				// whole: the search resumes after it.
				i = end
				prev, _ = utf8.DecodeLastRuneInString(text[:end])
				continue
			}
		}
		r, size := utf8.DecodeRuneInString(text[i:])
		prev = r
		i += size
	}
	b.WriteString(text[copied:])
	return uniseg.GraphemeClusterCount(b.String())
}

// urlEnd returns the end of the URL that starts at text[i], or i if none
// does. prev is the rune before i (-1 at the start of the text).
//
// It follows twitter-text's valid_url as Mastodon redefines it: a scheme, a
// host, an optional port, a path of anything but spaces, <, >, ( ) and ?
// (balanced parentheses allowed) that does not end in punctuation such as
// . , ; : ! ? ' " ] or @, and an optional ASCII query. The host check is a
// simplification of twitter-text's list of top-level domains: the last label
// must be letters (at least two) or punycode.
func urlEnd(text string, i int, prev rune) int {
	// valid_url_preceding_chars: not glued to a word, a mention, a cashtag
	// or a hashtag.
	switch {
	case prev >= 0 && prev < utf8.RuneSelf && isASCIIAlnum(byte(prev)),
		prev == '@', prev == '＠', prev == '$', prev == '#', prev == '＃':
		return i
	}
	// The schemes Mastodon recognises (its override of twitter-text's
	// valid_url, config/initializers/twitter_regex.rb). Only URLs written
	// with a scheme count as 23: Mastodon extracts them with
	// extract_url_without_protocol: false, so "example.com" counts as typed.
	j := -1
	for _, s := range [...]string{"https://", "http://", "dat://", "dweb://", "ipfs://", "ipns://", "ssb://", "gopher://", "gemini://"} {
		if len(text)-i >= len(s) && strings.EqualFold(text[i:i+len(s)], s) {
			j = i + len(s)
			break
		}
	}
	if j < 0 {
		return i
	}

	// Host: labels of letters, digits, marks, '-' and '_', separated by dots.
	hostStart := j
	for j < len(text) {
		r, size := utf8.DecodeRuneInString(text[j:])
		if !(r == '.' || r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)) {
			break
		}
		j += size
	}
	for j > hostStart && (text[j-1] == '.' || text[j-1] == '-' || text[j-1] == '_') {
		j--
	}
	if !validHost(text[hostStart:j]) {
		return i
	}

	// Port.
	if j+1 < len(text) && text[j] == ':' && isASCIIDigit(text[j+1]) {
		j++
		for j < len(text) && isASCIIDigit(text[j]) {
			j++
		}
	}

	// Path: the longest run of path characters and balanced parentheses that
	// ends on a character allowed to end a URL.
	if j < len(text) && text[j] == '/' {
		j++
		end := j
		for k := j; k < len(text); {
			if text[k] == '(' {
				pe, ok := balancedParens(text, k)
				if !ok {
					break
				}
				k, end = pe, pe
				continue
			}
			r, size := utf8.DecodeRuneInString(text[k:])
			if !isPathChar(r) {
				break
			}
			k += size
			if isPathEndChar(r) {
				end = k
			}
		}
		j = end
	}

	// Query: twitter-text's ASCII query characters, ending on one of
	// [a-z0-9_&=#/-]; a lone "?" is punctuation, not part of the URL.
	if j < len(text) && text[j] == '?' {
		end := j
		for k := j + 1; k < len(text) && isQueryChar(text[k]); k++ {
			if isQueryEndChar(text[k]) {
				end = k + 1
			}
		}
		j = end
	}
	return j
}

// validHost approximates twitter-text's valid_domain for a host that follows
// a scheme: at least two labels, the last being a plausible top-level domain.
func validHost(host string) bool {
	labels := strings.Split(host, ".")
	if len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if l == "" {
			return false
		}
	}
	tld := labels[len(labels)-1]
	if strings.HasPrefix(strings.ToLower(tld), "xn--") && len(tld) > 4 {
		return true
	}
	if utf8.RuneCountInString(tld) < 2 {
		return false
	}
	for _, r := range tld {
		if !unicode.IsLetter(r) && !unicode.Is(unicode.Mn, r) {
			return false
		}
	}
	return true
}

// balancedParens matches twitter-text's valid_url_balanced_parens at
// text[i] == '(': a non-empty group with at most one nested level. It returns
// the index after the closing parenthesis.
func balancedParens(text string, i int) (int, bool) {
	k := i + 1
	general := func() int { // consumes path characters, returns how many bytes
		start := k
		for k < len(text) {
			r, size := utf8.DecodeRuneInString(text[k:])
			if !isPathChar(r) {
				break
			}
			k += size
		}
		return k - start
	}
	n := general()
	if k < len(text) && text[k] == '(' {
		k++
		if general() == 0 || k >= len(text) || text[k] != ')' {
			return i, false
		}
		k++
		general()
	} else if n == 0 {
		return i, false
	}
	if k >= len(text) || text[k] != ')' {
		return i, false
	}
	return k + 1, true
}

// isPathChar is Mastodon's valid_general_url_path_chars.
func isPathChar(r rune) bool {
	return !unicode.Is(unicode.White_Space, r) && !strings.ContainsRune("<>()?", r) && r != utf8.RuneError
}

// isPathEndChar is Mastodon's valid_url_path_ending_chars (without the
// balanced parentheses, handled by the caller).
func isPathEndChar(r rune) bool {
	return isPathChar(r) && !strings.ContainsRune(`!*"'「」;:=,.$%[]~&|@`, r)
}

// isQueryChar is twitter-text's valid_url_query_chars.
func isQueryChar(b byte) bool {
	return isASCIIAlnum(b) || strings.IndexByte(`!?*'();:&=+$/%#[]-_.,~|@`, b) >= 0
}

// isQueryEndChar is twitter-text's valid_url_query_ending_chars.
func isQueryEndChar(b byte) bool {
	return isASCIIAlnum(b) || strings.IndexByte(`_&=#/-`, b) >= 0
}

// mention matches Mastodon's Account::MENTION_RE at text[i] == '@':
// (?<![=/[:word:]])@(username)(?:@domain)?, where a username is ASCII
// letters, digits and _ (with . and - inside) and a domain is word characters,
// dots and dashes ending on a word character. It returns the username, the end
// of the match, and whether Mastodon keeps the match as a mention: it refuses
// one followed by another @, a Latin accented letter or "://"
// (twitter-text's end_mention_match). end == i means no match at all.
func mention(text string, i int, prev rune) (user string, end int, ok bool) {
	if prev == '=' || prev == '/' || isWordRune(prev) {
		return "", i, false
	}
	j := i + 1
	for j < len(text) && (isASCIIAlnum(text[j]) || text[j] == '_' || text[j] == '.' || text[j] == '-') {
		j++
	}
	for j > i+1 && (text[j-1] == '.' || text[j-1] == '-') {
		j--
	}
	if j == i+1 {
		return "", i, false
	}
	user, end = text[i+1:j], j

	if j < len(text) && text[j] == '@' {
		k := j + 1
		for k < len(text) {
			r, size := utf8.DecodeRuneInString(text[k:])
			if r != '.' && r != '-' && !isWordRune(r) {
				break
			}
			k += size
		}
		for k > j+1 && (text[k-1] == '.' || text[k-1] == '-') {
			k--
		}
		if utf8.RuneCountInString(text[j+1:k]) >= 2 {
			end = k
		}
	}

	rest := text[end:]
	if strings.HasPrefix(rest, "://") {
		return user, end, false
	}
	if r, _ := utf8.DecodeRuneInString(rest); r == '@' || r == '＠' || isLatinAccent(r) {
		return user, end, false
	}
	return user, end, true
}

// isWordRune is Ruby's [[:word:]] on a UTF-8 string: letters, marks, decimal
// digits and connector punctuation.
func isWordRune(r rune) bool {
	return r >= 0 && (unicode.IsLetter(r) || unicode.IsMark(r) || unicode.Is(unicode.Nd, r) || unicode.Is(unicode.Pc, r))
}

// isLatinAccent is twitter-text's LATIN_ACCENTS.
func isLatinAccent(r rune) bool {
	switch {
	case r >= 0x00C0 && r <= 0x00D6, r >= 0x00D8 && r <= 0x00F6, r >= 0x00F8 && r <= 0x024F,
		r == 0x0253, r == 0x0254, r == 0x0256, r == 0x0257, r == 0x0259, r == 0x025B,
		r == 0x0263, r == 0x0268, r == 0x026F, r == 0x0272, r == 0x0289, r == 0x028B,
		r == 0x02BB, r >= 0x0300 && r <= 0x036F, r >= 0x1E00 && r <= 0x1EFF:
		return true
	}
	return false
}

func isASCIIAlnum(b byte) bool {
	return isASCIIDigit(b) || (b|0x20) >= 'a' && (b|0x20) <= 'z'
}

func isASCIIDigit(b byte) bool { return b >= '0' && b <= '9' }
