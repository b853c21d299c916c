package x

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Links in a post, found as twitter-text's extractUrlsWithIndices finds them
// (js/src/extractUrlsWithIndices.js and js/src/regexp/extractUrl.js in
// github.com/twitter/twitter-text): X wraps each in a 23-character t.co
// link, so each counts 23.
//
// A link is
//
//	[http:// or https://] domain [:port] [/path] [?query]
//
// not glued to a letter, a digit, @, $ or # before it. The domain is labels
// separated by dots, ending in a top-level domain. What follows the domain
// stops where twitter-text stops: a path is made of ASCII letters and
// digits, Latin accented letters, Cyrillic, !*';:=+,.$/%#[]-–_~@|& and
// balanced parentheses, and does not end on punctuation ("example.com/a."
// leaves the period out); a query is ASCII and ends on a letter, a digit or
// one of -_&=#/.
//
// What is simplified, and why:
//   - With a scheme, any top-level domain that looks like one counts
//     (letters, at least two, or xn-- punycode), rather than only those of
//     twitter-text's list of some 1,500: every real link has a real
//     top-level domain, and X's own list is newer than any copy.
//   - Without a scheme (example.com, t.co/abc), the top-level domain must be
//     in the list of tld.go: every country code and the common generic
//     ones, so that "fichier.txt" or "main.go" stay text. As in
//     twitter-text, a bare name.cc (a country code other than .co and .tv)
//     is a link only with a path: "exemple.fr" is text, "exemple.fr/a" a link.
//   - IP addresses are not links, as in twitter-text's extraction.
//   - Without a scheme, only the ASCII domain at the end of a run of
//     letters is a link ("詳細はexample.com" → example.com); twitter-text
//     also finds several ASCII domains in one such run, which we do not.

// span is a link found in a text: text[start:end], in bytes.
type span struct{ start, end int }

// maxURLLength is twitter-text's MAX_URL_LENGTH, in UTF-16 code units,
// scheme included (a link without one is measured with "https://").
const maxURLLength = 4096

// maxLabelLength is the longest DNS label, in ASCII (punycode for others):
// a longer label makes the whole match text, not a link.
const maxLabelLength = 63

// extractURLs returns the links in text, in order.
func extractURLs(text string) []span {
	if !strings.Contains(text, ".") {
		return nil
	}
	var spans []span
	prev := rune(-1) // the rune before i; -1 at the start of the text
	lastEnd := -1    // end of the last match: twitter-text's pattern consumes the character before a link, so none starts right there
	for i := 0; i < len(text); {
		if i != lastEnd && precedesURL(prev) {
			if m, ok := matchURL(text, i, prev); ok {
				if m.valid {
					spans = append(spans, span{m.urlStart, m.urlEnd})
				}
				// Like the global regular expression, resume after the
				// whole match, even one that was not kept as a link.
				lastEnd = m.end
				prev, _ = utf8.DecodeLastRuneInString(text[:m.end])
				i = m.end
				continue
			}
		}
		r, size := utf8.DecodeRuneInString(text[i:])
		prev = r
		i += size
	}
	return spans
}

// precedesURL is twitter-text's validUrlPrecedingChars: anything but an
// ASCII letter or digit, @, $, # (and their full-width forms) or an invalid
// character; directional marks are allowed.
func precedesURL(prev rune) bool {
	switch {
	case prev < 0:
		return true
	case prev < utf8.RuneSelf && isASCIIAlnum(byte(prev)),
		prev == '@', prev == '＠', prev == '$', prev == '#', prev == '＃',
		prev == 0xFFFE, prev == 0xFEFF, prev == 0xFFFF:
		return false
	}
	return true
}

// match is what the pattern matched at a position.
type match struct {
	end              int // end of the whole match, where scanning resumes
	urlStart, urlEnd int // the link, when valid
	valid            bool
}

// matchURL matches a link at text[i]. ok is false when nothing matches
// there; a match that twitter-text then refuses (a label too long, a bare
// short domain…) is ok but not valid.
func matchURL(text string, i int, prev rune) (m match, ok bool) {
	scheme := ""
	for _, s := range [...]string{"https://", "http://"} {
		if len(text)-i >= len(s) && strings.EqualFold(text[i:i+len(s)], s) {
			scheme = text[i : i+len(s)]
			break
		}
	}
	d, ok := matchDomain(text, i+len(scheme), scheme != "")
	if !ok {
		return match{}, false
	}
	k := d.end
	if k+1 < len(text) && text[k] == ':' && isASCIIDigit(text[k+1]) {
		for k++; k < len(text) && isASCIIDigit(text[k]); k++ {
		}
	}
	pathStart := k
	if k < len(text) && text[k] == '/' {
		k = pathEnd(text, k+1)
	}
	hasPath := k > pathStart
	if k < len(text) && text[k] == '?' {
		k = queryEnd(text, k)
	}
	m = match{end: k, urlStart: i, urlEnd: k}

	if !d.labelsFit(text) {
		return m, true
	}
	measured := scheme
	if measured == "" {
		measured = "https://"
	}
	if len(measured)+utf16Len(text[i:k]) > maxURLLength {
		return m, true
	}
	if scheme != "" {
		if n, slug, ok := tcoPrefix(text[i:k]); ok {
			// A t.co link stops at its slug, which is at most 40 long.
			if slug > 40 {
				return m, true
			}
			m.urlEnd = i + n
		}
		m.valid = true
		return m, true
	}

	// Without a scheme: not after - _ . or /, and only the ASCII domain
	// that ends the matched one.
	if prev == '-' || prev == '_' || prev == '.' || prev == '/' {
		return m, true
	}
	start, labels := d.asciiTail(text)
	if labels < 2 {
		return m, true
	}
	m.urlStart = start
	if !hasPath {
		m.urlEnd = d.end
		tld := asciiLower(text[d.tldStart:d.end])
		if labels == 2 && countryCodes[tld] && tld != "co" && tld != "tv" {
			return m, true
		}
	}
	m.valid = true
	return m, true
}

// domain is a matched domain: labels separated by dots, the last of which
// starts with a top-level domain that ends at end.
type domain struct {
	labels   []span // all but the last are whole labels
	tldStart int
	end      int
}

// matchDomain matches twitter-text's validDomain at text[j]: subdomains
// (letters, digits, - and _ inside), a name (letters, digits, - inside) and
// a top-level domain, taking the longest such run of labels. withScheme
// selects the top-level domain rule (see extractURLs).
func matchDomain(text string, j int, withScheme bool) (domain, bool) {
	labels := scanLabels(text, j)
	for n := len(labels); n >= 2; n-- {
		if !wellFormed(text, labels[:n-1]) {
			continue
		}
		last := labels[n-1]
		t := tldLength(text, last, withScheme)
		if t <= 0 {
			continue
		}
		return domain{labels: labels[:n-1], tldStart: last.start, end: last.start + t}, true
	}
	return domain{}, false
}

// scanLabels returns the runs of domain characters, - and _ separated by
// single dots, from text[j].
func scanLabels(text string, j int) []span {
	var labels []span
	for {
		k := j
		for k < len(text) {
			r, size := utf8.DecodeRuneInString(text[k:])
			if r != '-' && r != '_' && !isDomainChar(r) {
				break
			}
			k += size
		}
		if k == j {
			return labels
		}
		labels = append(labels, span{j, k})
		if k >= len(text) || text[k] != '.' {
			return labels
		}
		j = k + 1
	}
}

// wellFormed reports whether every label starts and ends with a domain
// character, with - inside, and _ inside too except in the last one (the
// name before the top-level domain).
func wellFormed(text string, labels []span) bool {
	for n, l := range labels {
		s := text[l.start:l.end]
		first, _ := utf8.DecodeRuneInString(s)
		last, _ := utf8.DecodeLastRuneInString(s)
		if !isDomainChar(first) || !isDomainChar(last) {
			return false
		}
		if n == len(labels)-1 && strings.Contains(s, "_") {
			return false
		}
	}
	return true
}

// tldLength returns how many bytes of the label l are a top-level domain,
// or 0. As in twitter-text, the top-level domain may not be followed by an
// ASCII letter or digit, @, + or -.
func tldLength(text string, l span, withScheme bool) int {
	s := text[l.start:l.end]
	followed := func(n int) bool {
		var r rune
		switch {
		case n < len(s):
			r, _ = utf8.DecodeRuneInString(s[n:])
		case l.end < len(text):
			r, _ = utf8.DecodeRuneInString(text[l.end:])
		default:
			return false
		}
		return r < utf8.RuneSelf && isASCIIAlnum(byte(r)) || r == '@' || r == '+' || r == '-'
	}
	if len(s) > 4 && strings.EqualFold(s[:4], "xn--") {
		n := 4
		for n < len(s) && (isASCIIAlnum(s[n]) || s[n] == '-') {
			n++
		}
		if n > 4 && !followed(n) {
			return n
		}
		return 0
	}
	if withScheme {
		// Letters and marks, starting with a letter, at least two.
		n, runes := 0, 0
		for n < len(s) {
			r, size := utf8.DecodeRuneInString(s[n:])
			if !unicode.IsLetter(r) && !(runes > 0 && unicode.IsMark(r)) {
				break
			}
			n += size
			runes++
		}
		if runes >= 2 && !followed(n) {
			return n
		}
		return 0
	}
	// Without a scheme, the longest listed top-level domain that starts
	// the label (the longest in the list is far under 64 bytes). Only ASCII
	// is folded, so that byte offsets stay those of s.
	lower := asciiLower(s[:min(len(s), 64)])
	for n := len(lower); n > 0; n-- {
		if n < len(s) && !utf8.RuneStart(s[n]) {
			continue
		}
		if (topLevelDomains[lower[:n]] || countryCodes[lower[:n]]) && !followed(n) {
			return n
		}
	}
	return 0
}

// asciiLower lower-cases the ASCII letters of s and leaves every other
// byte as it is.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// labelsFit is twitter-text's isValidUrl: every label of the domain, and
// its top-level domain, is 1 to 63 characters long once punycode-encoded.
func (d domain) labelsFit(text string) bool {
	for _, l := range d.labels {
		if n := punycodeLength(text[l.start:l.end]); n < 1 || n > maxLabelLength {
			return false
		}
	}
	n := punycodeLength(text[d.tldStart:d.end])
	return n >= 1 && n <= maxLabelLength
}

// asciiTail returns where the ASCII domain that ends d starts (twitter-text's
// validAsciiDomain: labels of ASCII letters, digits, - and Latin accented
// letters) and how many labels it has, its top-level domain included.
func (d domain) asciiTail(text string) (start, labels int) {
	start, labels = d.tldStart, 1
	for n := len(d.labels) - 1; n >= 0; n-- {
		l := d.labels[n]
		s := text[l.start:l.end]
		k := len(s)
		for k > 0 {
			r, size := utf8.DecodeLastRuneInString(s[:k])
			if !isASCIIDomainRune(r) {
				break
			}
			k -= size
		}
		if k == len(s) {
			return start, labels // this label ends with something else
		}
		start, labels = l.start+k, labels+1
		if k > 0 {
			return start, labels // the ASCII run starts inside this label
		}
	}
	return start, labels
}

// isASCIIDomainRune is a character of twitter-text's validAsciiDomain labels.
func isASCIIDomainRune(r rune) bool {
	return r < utf8.RuneSelf && (isASCIIAlnum(byte(r)) || r == '-') || isLatinAccent(r)
}

// isDomainChar is twitter-text's validDomainChars: anything but ASCII
// punctuation, spaces, Unicode punctuation and invalid characters.
func isDomainChar(r rune) bool {
	switch {
	case r < utf8.RuneSelf:
		return isASCIIAlnum(byte(r))
	case r == utf8.RuneError, unicode.IsSpace(r), unicode.IsPunct(r),
		r == 0x180E, r >= 0x2000 && r <= 0x200A, // spaces twitter-text adds
		r == 0xFFFE, r == 0xFEFF, r == 0xFFFF, r >= 0x202A && r <= 0x202E: // invalid characters
		return false
	}
	return true
}

// pathEnd returns the end of a path whose first character after "/" is at
// text[k]: the longest run of path characters and balanced parentheses,
// cut back to its last character allowed to end a path (twitter-text's
// validUrlPath).
func pathEnd(text string, k int) int {
	end := k
	for p := k; p < len(text); {
		if text[p] == '(' {
			q, ok := balancedParens(text, p)
			if !ok {
				break
			}
			p, end = q, q
			continue
		}
		r, size := utf8.DecodeRuneInString(text[p:])
		if !isPathChar(r) {
			break
		}
		p += size
		if isPathEndChar(r) {
			end = p
		}
	}
	return end
}

// balancedParens matches twitter-text's validUrlBalancedParens at
// text[p] == '(': path characters in parentheses, with at most one nested
// pair. It returns the index after the closing parenthesis.
func balancedParens(text string, p int) (int, bool) {
	run := func(k int) int { // end of the run of path characters from k
		for k < len(text) {
			r, size := utf8.DecodeRuneInString(text[k:])
			if !isPathChar(r) {
				break
			}
			k += size
		}
		return k
	}
	q := run(p + 1)
	if q < len(text) && text[q] == ')' && q > p+1 {
		return q + 1, true
	}
	if q < len(text) && text[q] == '(' {
		r := run(q + 1)
		if r > q+1 && r < len(text) && text[r] == ')' {
			s := run(r + 1)
			if s < len(text) && text[s] == ')' {
				return s + 1, true
			}
		}
	}
	return p, false
}

// queryEnd returns the end of a query at text[k] == '?': the longest run of
// query characters cut back to its last ending character; k itself (no
// query) when there is none, so that a lone "?" stays text.
func queryEnd(text string, k int) int {
	end := k
	for p := k + 1; p < len(text) && isQueryChar(text[p]); p++ {
		if isQueryEndChar(text[p]) {
			end = p + 1
		}
	}
	return end
}

// tcoPrefix matches twitter-text's validTcoUrl, https?://t.co/<slug>, at
// the start of u, returning the match's length and the slug's.
func tcoPrefix(u string) (n, slug int, ok bool) {
	for _, s := range [...]string{"https://t.co/", "http://t.co/"} {
		if len(u) >= len(s) && strings.EqualFold(u[:len(s)], s) {
			n = len(s)
			for n < len(u) && isASCIIAlnum(u[n]) {
				n++
			}
			if n == len(s) {
				return 0, 0, false
			}
			return n, n - len(s), true
		}
	}
	return 0, 0, false
}

// isPathChar is twitter-text's validGeneralUrlPathChars.
func isPathChar(r rune) bool {
	if r < utf8.RuneSelf {
		return isASCIIAlnum(byte(r)) || strings.ContainsRune("!*';:=+,.$/%#[]-_~@|&", r)
	}
	return r == 0x2013 || isCyrillic(r) || isLatinAccent(r)
}

// isPathEndChar is twitter-text's validUrlPathEndingChars (without the
// balanced parentheses, handled by the caller).
func isPathEndChar(r rune) bool {
	if r < utf8.RuneSelf {
		return isASCIIAlnum(byte(r)) || strings.ContainsRune("+-=_#/", r)
	}
	return isCyrillic(r) || isLatinAccent(r)
}

// isQueryChar is twitter-text's validUrlQueryChars.
func isQueryChar(b byte) bool {
	return isASCIIAlnum(b) || strings.IndexByte("!?*'@();:&=+$/%#[]-_.,~|", b) >= 0
}

// isQueryEndChar is twitter-text's validUrlQueryEndingChars.
func isQueryEndChar(b byte) bool {
	return isASCIIAlnum(b) || strings.IndexByte("-_&=#/", b) >= 0
}

func isCyrillic(r rune) bool { return r >= 0x0400 && r <= 0x04FF }

// isLatinAccent is twitter-text's latinAccentChars.
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

// utf16Len is the length of s in UTF-16 code units, as JavaScript measures.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n++
		if r >= 0x10000 {
			n++
		}
	}
	return n
}
