package workflows

import (
	"net/url"
	"regexp"
	"strconv"
	"strings"
)

// campaignMarker finds "#campagne:<name>" or "#campaign:<name>" in a draft:
// the team names the campaign in the text, and the marker itself is never
// published.
func campaignMarker() *regexp.Regexp {
	return regexp.MustCompile(`(?i)(^|\s)#(?:campagne|campaign):([\p{L}\p{N}_.-]+)`)
}

// linkPattern finds http(s) links; trailing punctuation is trimmed after.
func linkPattern() *regexp.Regexp {
	return regexp.MustCompile(`https?://[^\s<>"]+`)
}

// Tagger adds campaign tags to the links of a post, so that the team's web
// analytics credit each network: utm_source=<network>, utm_medium=social,
// utm_campaign=<campaign>.
type Tagger struct {
	enabled bool
	marker  *regexp.Regexp
	link    *regexp.Regexp
}

// NewTagger returns a Tagger; a disabled one only removes the campaign
// marker.
func NewTagger(enabled bool) *Tagger {
	return &Tagger{enabled: enabled, marker: campaignMarker(), link: linkPattern()}
}

// Campaign returns the campaign named in text, or "post-<id>".
func (t *Tagger) Campaign(text string, postID int64) string {
	if m := t.marker.FindStringSubmatch(text); m != nil {
		return m[2]
	}
	return "post-" + strconv.FormatInt(postID, 10)
}

// Tags reports whether Text adds campaign tags to text: tagging is on and
// the text has a link.
func (t *Tagger) Tags(text string) bool {
	return t.enabled && t.link.MatchString(text)
}

// Text returns what is published on network: the campaign marker removed
// and, when tagging is on, every link tagged. A link that already carries a
// utm_source keeps the team's own tags.
func (t *Tagger) Text(text, network string, postID int64) string {
	campaign := t.Campaign(text, postID)
	text = t.marker.ReplaceAllString(text, "$1")
	text = strings.Join(strings.FieldsFunc(text, func(r rune) bool { return r == ' ' }), " ")
	text = strings.ReplaceAll(strings.ReplaceAll(text, " \n", "\n"), "\n ", "\n")
	text = strings.TrimSpace(text)
	if !t.enabled {
		return text
	}
	return t.link.ReplaceAllStringFunc(text, func(link string) string {
		core, tail := trimLinkTail(link)
		return tagLink(core, network, campaign) + tail
	})
}

// trimLinkTail separates the punctuation that ends a sentence, not a link:
// "voir https://x.fr/a." links to https://x.fr/a. A closing parenthesis
// stays when the link opened one.
func trimLinkTail(link string) (core, tail string) {
	end := len(link)
	for end > 0 {
		c := link[end-1]
		if strings.IndexByte(".,;:!?'\"»", c) >= 0 {
			end--
			continue
		}
		if c == ')' && strings.Count(link[:end], "(") < strings.Count(link[:end], ")") {
			end--
			continue
		}
		break
	}
	return link[:end], link[end:]
}

func tagLink(link, network, campaign string) string {
	u, err := url.Parse(link)
	if err != nil || u.Host == "" {
		return link
	}
	q := u.Query()
	if q.Has("utm_source") {
		return link
	}
	// Appended by hand rather than re-encoded, so that the rest of the
	// link stays exactly as the team wrote it.
	tags := "utm_source=" + url.QueryEscape(network) + "&utm_medium=social&utm_campaign=" + url.QueryEscape(campaign)
	fragment := ""
	if i := strings.IndexByte(link, '#'); i >= 0 {
		link, fragment = link[:i], link[i:]
	}
	sep := "?"
	if strings.Contains(link, "?") {
		sep = "&"
		if strings.HasSuffix(link, "?") || strings.HasSuffix(link, "&") {
			sep = ""
		}
	}
	return link + sep + tags + fragment
}
