package workflows

import (
	"context"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// Pre-flight rules: what an approver should know before saying yes.
const (
	// Posts outside 07:00–22:00, team time, are flagged: few see them, and
	// a mistake waits all night.
	quietFrom = 22
	quietTo   = 7
	// A post this similar to one of the last 30 days is flagged.
	nearDuplicateScore = 0.8
	nearDuplicateDays  = 30
)

// Preflight is what the card warns about.
type Preflight struct {
	// OddHour is set when the post goes out outside 07:00–22:00 in the
	// team's zone.
	OddHour bool
	// NearDuplicate is a post of the last 30 days that says nearly the
	// same thing (0 when none), and how similar it is (0–1).
	NearDuplicate int64
	Similarity    float64
}

// preflight checks post p, going out at `at` (zero when not known yet).
func (s *Service) preflight(ctx context.Context, p Post, at time.Time) Preflight {
	var pf Preflight
	if !at.IsZero() {
		h := at.In(s.loc).Hour()
		pf.OddHour = h >= quietFrom || h < quietTo
	}
	since := s.now().AddDate(0, 0, -nearDuplicateDays)
	recent, err := s.store.PostsSince(ctx, since, 500, StatusPending, StatusChangesRequested, StatusApproved,
		StatusPublishing, StatusPublished, StatusPartial)
	if err != nil {
		s.log.WarnContext(ctx, "pre-flight: recent posts unread", "post_id", p.ID, "err", err)
		return pf
	}
	mine := shingles(p.Text)
	for _, other := range recent {
		if other.ID == p.ID {
			continue
		}
		if score := similarity(mine, shingles(other.Text)); score >= nearDuplicateScore && score > pf.Similarity {
			pf.NearDuplicate, pf.Similarity = other.ID, score
		}
	}
	return pf
}

// shingles are the pairs of successive words of a text, folded (case,
// accents, punctuation), so that a post re-typed with another link or
// another emoji still matches.
func shingles(text string) map[string]bool {
	// Links differ from one post to the next (tracking ids, shorteners)
	// while the words stay: they are left out.
	text = linkPattern().ReplaceAllString(text, " ")
	fold := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	folded, _, err := transform.String(fold, strings.ToLower(text))
	if err != nil {
		folded = strings.ToLower(text)
	}
	var words []string
	words = strings.FieldsFunc(folded, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	set := make(map[string]bool, len(words))
	if len(words) == 1 {
		set[words[0]] = true
	}
	for i := 0; i+1 < len(words); i++ {
		set[words[i]+" "+words[i+1]] = true
	}
	return set
}

// similarity is the Jaccard index of two shingle sets.
func similarity(a, b map[string]bool) float64 {
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	common := 0
	for k := range a {
		if b[k] {
			common++
		}
	}
	return float64(common) / float64(len(a)+len(b)-common)
}
