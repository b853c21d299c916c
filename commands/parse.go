// Package commands is catweete's command language: it turns what people
// type — `/catweete draft …`, `@catweete alors ça tweete ?` — into typed
// requests, runs one handler per command, and words every answer in the
// person's language from one message catalog.
package commands

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Lang is a reply language.
type Lang string

// The languages catweete speaks; French first.
const (
	French  Lang = "fr"
	English Lang = "en"
)

// ParseLang reads "fr" or "en"; anything else is French.
func ParseLang(s string) Lang {
	if strings.EqualFold(strings.TrimSpace(s), string(English)) {
		return English
	}
	return French
}

// Parsed is a command line understood.
type Parsed struct {
	// Name is the command's canonical name (CmdHelp, CmdDraft, …); empty
	// when the text named no known command.
	Name string
	// Args is the rest of the text, as typed (case and formatting kept).
	Args string
	// Lang is the language the person used, when the words said it; empty
	// when they could be either (then the team's default applies).
	Lang Lang
	// Unknown is the first word, when it named no command.
	Unknown string
}

// Parse reads the text of a slash command or of a mention (with the bot's
// own mention already removed): one parser for both, so `/catweete queue`
// and `@catweete queue` mean the same. Whole phrases come first ("alors ça
// tweete ?", "how's it going?"), then the first word names the command.
func (r *Router) Parse(text string) Parsed {
	text = strings.TrimSpace(stripLeadingMentions(text))
	if text == "" {
		return Parsed{Name: CmdHelp}
	}
	if p, ok := r.phrases[fold(text)]; ok {
		return p
	}
	word, rest := splitWord(text)
	alias, ok := r.aliases[fold(word)]
	if !ok {
		// "Salut @catweete, alors ça tweete ?" asks the same thing as the
		// bare phrase.
		if p, ok := r.phraseWithin(fold(text)); ok {
			return p
		}
		return Parsed{Unknown: word, Args: rest}
	}
	return Parsed{Name: alias.name, Args: rest, Lang: alias.lang}
}

// stripLeadingMentions removes user mentions (<@U123>, <@U123|name>) at
// the start of a mention's text.
func stripLeadingMentions(text string) string {
	for {
		text = strings.TrimLeft(text, " \t\n\u00a0")
		if !strings.HasPrefix(text, "<@") {
			return text
		}
		end := strings.IndexByte(text, '>')
		if end < 0 {
			return text
		}
		text = text[end+1:]
	}
}

func splitWord(text string) (word, rest string) {
	i := strings.IndexFunc(text, unicode.IsSpace)
	if i < 0 {
		return text, ""
	}
	return text[:i], strings.TrimSpace(text[i:])
}

// fold makes what people type comparable: lower case, accents and
// punctuation gone, typographic apostrophes made plain, spaces collapsed.
// "Alors, ça tweete ?" and "alors ca tweete" fold alike.
func fold(s string) string {
	folded := stripMarks(s)
	var b strings.Builder
	space := false
	for _, r := range strings.ToLower(folded) {
		switch {
		case r == '\'' || r == '’' || r == '‘' || r == '`':
			b.WriteRune('\'')
			space = false
		case r == '-' || r == '_':
			b.WriteRune(r)
			space = false
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
			space = false
		case unicode.IsSpace(r) || unicode.IsPunct(r) || unicode.IsSymbol(r):
			if !space && b.Len() > 0 {
				b.WriteByte(' ')
				space = true
			}
		}
	}
	return strings.TrimSpace(b.String())
}

// stripMarks removes accents: the text decomposed (NFD), its nonspacing
// marks dropped, recomposed (NFC). Plain ASCII has none, and is most of
// what people type after the slash command, so it is returned as it is:
// this runs on every request, and the general path costs a few
// allocations.
func stripMarks(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return s
	}
	decomposed := norm.NFD.String(s)
	var b strings.Builder
	b.Grow(len(decomposed))
	for _, r := range decomposed {
		if !unicode.Is(unicode.Mn, r) {
			b.WriteRune(r)
		}
	}
	return norm.NFC.String(b.String())
}

// phraseWithin finds a status phrase among the words of folded text. When
// several are there ("quoi de neuf ? what's new?"), the first one said
// wins (the longest at the same place), whatever the map's order: the
// answer's language must not change from one run to the next.
func (r *Router) phraseWithin(folded string) (Parsed, bool) {
	padded := " " + folded + " "
	best, bestAt, bestLen := Parsed{}, -1, 0
	for phrase, p := range r.phrases {
		at := strings.Index(padded, " "+phrase+" ")
		if at < 0 {
			continue
		}
		if bestAt < 0 || at < bestAt || (at == bestAt && len(phrase) > bestLen) {
			best, bestAt, bestLen = p, at, len(phrase)
		}
	}
	return best, bestAt >= 0
}
