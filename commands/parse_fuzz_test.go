package commands

import (
	"strings"
	"testing"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"

	"catweete/workflows"
)

// FuzzParse: whatever people type, Parse does not panic; it depends on the
// text alone (routers built alike answer the same: each has maps of its
// own, so an answer that hangs on a map's iteration order shows here); the
// text of a slash command and the same text after the bot's mention (how a
// mention arrives) parse alike; and what it returns is well formed: a known
// command (its language French, English or unsaid) or the unknown first
// word, and arguments without surrounding white space.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"", " \n\t ", "help", "aide", "HELP", "<@UBOT>", "<@UBOT|catweete>  ", "<@UBOT>help", "<@UBOT>\u00a0aide",
		"Salut <@UBOT>, alors ça tweete ?", "Alors, ça tweete ? :eyes:", "hey, how's it going?", "tweete",
		"draft Notre NOUVEAU site est en ligne !!!", "brouillon Bonjour à tous", "DRAFT Hello",
		"draft Ligne un\n\nLigne deux\n- puce", "brouillon\nTexte sur la ligne suivante",
		"draft Lisez <https://example.com/a?b=1&amp;c=2|notre article> !", "brouillon alors ça tweete ?",
		"draft Merci <@U2> et <#C1|general>", "proposer Hop", "suggest Hop", "status", "statut", "état", "ÉTAT",
		"etat", "queue", "file", "pending", "en-attente", "En-Attente", "attente", "cancel 12", "annuler #12",
		"<@UBOT|catweete> annuler n°3", "programmer 3 demain 9h30", "schedule 3 next monday 14:00", "créneaux",
		"slots", "comptes", "accounts", "portée semaine", "reach 2026-01-01 2026-01-31", "digest",
		"alors c\u0327a tweete ?", "Alors ça tweete\u202f?", "alors… ça tweete ?!", "How’s it going", "What’s new?",
		"is it tweeting?", "Où en est-on ?", "quoi de neuf", "publish Hello there", "<@UBOT> bonjour !",
		"Publiée", "alors", "<@UBOT help", "<@U1> <@U2|x> file", "<<@>>", "\u200bfile", "\xff\xfe aide",
		"ﬁle", "ﬁ", "Ǆ", "İ", "\u0301aide", "a\u0301\u0302\u0303",
	} {
		f.Add(s)
	}
	// parseRouter's: Parse never calls the Service.
	routers := make([]*Router, 12)
	for i := range routers {
		var err error
		if routers[i], err = New(Config{Service: &workflows.Service{}}); err != nil {
			f.Fatal(err)
		}
	}
	r := routers[0]
	names := make(map[string]bool)
	for _, d := range r.Definitions() {
		names[d.Name] = true
	}

	f.Fuzz(func(t *testing.T, text string) {
		p := r.Parse(text)
		for _, other := range routers[1:] {
			if again := other.Parse(text); again != p {
				t.Fatalf("Parse(%q) = %+v, and %+v from another router", text, p, again)
			}
		}
		for _, mention := range []string{"<@UBOT> " + text, "<@UBOT|catweete> " + text, "<@UBOT>\n" + text} {
			if got := r.Parse(mention); got != p {
				t.Fatalf("Parse(%q) = %+v, but Parse(%q) = %+v", mention, got, text, p)
			}
		}
		switch {
		case p.Name == "" && p.Unknown == "":
			t.Fatalf("Parse(%q) = %+v: neither a command nor an unknown word", text, p)
		case p.Name != "" && (!names[p.Name] || p.Unknown != ""):
			t.Fatalf("Parse(%q) = %+v: not one of the commands", text, p)
		case p.Lang != "" && p.Lang != French && p.Lang != English:
			t.Fatalf("Parse(%q) = %+v: language %q", text, p, p.Lang)
		case p.Args != strings.TrimSpace(p.Args):
			t.Fatalf("Parse(%q) = %+v: arguments not trimmed", text, p)
		}
	})
}

// FuzzStripMarks: stripMarks, with its fast path for plain ASCII, removes
// accents exactly as the x/text transform chain NFD → drop Mn → NFC does
// (compared rune by rune: both callers read the result as runes, so an
// invalid byte read as U+FFFD on either side is the same).
func FuzzStripMarks(f *testing.F) {
	for _, s := range []string{
		"", "help", "Alors, ça tweete ?", "alors c\u0327a tweete ?", "ÉTAT", "créneaux", "aujourd’hui",
		"\xff\xfe aide", "ﬁle", "Ǆ", "İ", "\u0301aide", "a\u0301\u0302\u0303", "한국어", "ḱ\u0323", "e\u0308\u0301",
	} {
		f.Add(s)
	}
	reference := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	f.Fuzz(func(t *testing.T, s string) {
		want, _, err := transform.String(reference, s)
		if err != nil {
			want = s
		}
		if got := stripMarks(s); string([]rune(got)) != string([]rune(want)) {
			t.Fatalf("stripMarks(%q) = %q, want %q", s, got, want)
		}
	})
}
