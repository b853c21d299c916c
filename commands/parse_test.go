package commands

import (
	"testing"
)

func TestParse(t *testing.T) {
	t.Parallel()
	r := parseRouter(t)
	tests := []struct {
		name string
		text string
		want Parsed
	}{
		// Help.
		{"EmptyTextIsHelp", "", Parsed{Name: CmdHelp}},
		{"BlankTextIsHelp", " \n\t ", Parsed{Name: CmdHelp}},
		{"BareMentionIsHelp", "<@UBOT>", Parsed{Name: CmdHelp}},
		{"BareLabelledMentionIsHelp", "<@UBOT|catweete>  ", Parsed{Name: CmdHelp}},
		{"HelpIsEnglish", "help", Parsed{Name: CmdHelp, Lang: English}},
		{"AideIsFrench", "aide", Parsed{Name: CmdHelp, Lang: French}},
		{"HelpInCapitalsIsHelp", "HELP", Parsed{Name: CmdHelp, Lang: English}},
		{"MentionThenAide", "<@UBOT> aide", Parsed{Name: CmdHelp, Lang: French}},
		{"LabelledMentionThenHelp", "<@UBOT|catweete> help", Parsed{Name: CmdHelp, Lang: English}},
		{"MentionWithoutSpaceThenHelp", "<@UBOT>help", Parsed{Name: CmdHelp, Lang: English}},
		{"NonBreakingSpaceAfterMention", "<@UBOT>\u00a0aide", Parsed{Name: CmdHelp, Lang: French}},

		// The phrase within a longer sentence.
		{"PhraseAfterAGreeting", "Salut <@UBOT>, alors ça tweete ?", Parsed{Name: CmdStatus, Lang: French}},
		{"PhraseWithAnEmoji", "Alors, ça tweete ? :eyes:", Parsed{Name: CmdStatus, Lang: French}},
		{"EnglishPhraseInASentence", "hey, how's it going?", Parsed{Name: CmdStatus, Lang: English}},
		{"WordTweeteAloneIsNotAPhrase", "tweete", Parsed{Unknown: "tweete"}},

		// Drafts keep their text as typed.
		{"DraftKeepsCaseAndPunctuation", "draft Notre NOUVEAU site est en ligne !!!",
			Parsed{Name: CmdDraft, Args: "Notre NOUVEAU site est en ligne !!!", Lang: English}},
		{"BrouillonIsFrench", "brouillon Bonjour à tous",
			Parsed{Name: CmdDraft, Args: "Bonjour à tous", Lang: French}},
		{"DraftInCapitals", "DRAFT Hello", Parsed{Name: CmdDraft, Args: "Hello", Lang: English}},
		{"DraftKeepsNewlines", "draft Ligne un\n\nLigne deux\n- puce",
			Parsed{Name: CmdDraft, Args: "Ligne un\n\nLigne deux\n- puce", Lang: English}},
		{"DraftOnItsOwnLine", "brouillon\nTexte sur la ligne suivante",
			Parsed{Name: CmdDraft, Args: "Texte sur la ligne suivante", Lang: French}},
		{"DraftKeepsSlackLinks", "draft Lisez <https://example.com/a?b=1&amp;c=2|notre article> !",
			Parsed{Name: CmdDraft, Args: "Lisez <https://example.com/a?b=1&amp;c=2|notre article> !", Lang: English}},
		{"DraftKeepsBareURLs", "brouillon https://Example.com/Path?Q=1",
			Parsed{Name: CmdDraft, Args: "https://Example.com/Path?Q=1", Lang: French}},
		{"MentionThenDraft", "<@UBOT> brouillon Ça tweete, et ça se voit.",
			Parsed{Name: CmdDraft, Args: "Ça tweete, et ça se voit.", Lang: French}},
		{"DraftWhoseTextIsAStatusPhrase", "brouillon alors ça tweete ?",
			Parsed{Name: CmdDraft, Args: "alors ça tweete ?", Lang: French}},
		{"DraftWithMentionsInside", "draft Merci <@U2> et <#C1|general>",
			Parsed{Name: CmdDraft, Args: "Merci <@U2> et <#C1|general>", Lang: English}},
		{"DraftWithoutText", "draft", Parsed{Name: CmdDraft, Lang: English}},
		{"DraftFollowedByBlanks", "brouillon   \n ", Parsed{Name: CmdDraft, Lang: French}},
		{"ProposerIsFrenchDraft", "proposer Hop", Parsed{Name: CmdDraft, Args: "Hop", Lang: French}},
		{"SuggestIsEnglishDraft", "suggest Hop", Parsed{Name: CmdDraft, Args: "Hop", Lang: English}},

		// Status words.
		{"StatusIsNeutral", "status", Parsed{Name: CmdStatus}},
		{"StatusInCapitals", "STATUS", Parsed{Name: CmdStatus}},
		{"StatutIsFrench", "statut", Parsed{Name: CmdStatus, Lang: French}},
		{"EtatWithAccentIsFrench", "état", Parsed{Name: CmdStatus, Lang: French}},
		{"EtatWithoutAccentIsFrench", "etat", Parsed{Name: CmdStatus, Lang: French}},
		{"EtatInCapitals", "ÉTAT", Parsed{Name: CmdStatus, Lang: French}},

		// Lists.
		{"QueueIsNeutral", "queue", Parsed{Name: CmdQueue}},
		{"FileIsFrench", "file", Parsed{Name: CmdQueue, Lang: French}},
		{"PendingIsEnglish", "pending", Parsed{Name: CmdPending, Lang: English}},
		{"EnAttenteIsFrench", "en-attente", Parsed{Name: CmdPending, Lang: French}},
		{"EnAttenteInCapitals", "En-Attente", Parsed{Name: CmdPending, Lang: French}},
		{"AttenteIsFrench", "attente", Parsed{Name: CmdPending, Lang: French}},

		// Cancel.
		{"CancelTakesANumber", "cancel 12", Parsed{Name: CmdCancel, Args: "12", Lang: English}},
		{"AnnulerTakesAHashNumber", "annuler #12", Parsed{Name: CmdCancel, Args: "#12", Lang: French}},
		{"MentionThenAnnuler", "<@UBOT|catweete> annuler n°3", Parsed{Name: CmdCancel, Args: "n°3", Lang: French}},
		{"CancelWithoutNumber", "cancel", Parsed{Name: CmdCancel, Lang: English}},

		// Whole status phrases, however they are typed.
		{"AlorsCaTweete", "alors ça tweete ?", Parsed{Name: CmdStatus, Lang: French}},
		{"AlorsCommaCaTweeteNoSpace", "Alors, ça tweete?", Parsed{Name: CmdStatus, Lang: French}},
		{"AlorsCaTweeteShouted", "ALORS CA TWEETE", Parsed{Name: CmdStatus, Lang: French}},
		{"AlorsCaTweeteNoBreakSpace", "alors ça tweete\u00a0?", Parsed{Name: CmdStatus, Lang: French}},
		{"AlorsCaTweeteNarrowNoBreakSpace", "Alors ça tweete\u202f?", Parsed{Name: CmdStatus, Lang: French}},
		{"AlorsCaTweeteDecomposedAccent", "alors c\u0327a tweete ?", Parsed{Name: CmdStatus, Lang: French}},
		{"AlorsCaTweeteManyMarks", "alors… ça tweete ?!", Parsed{Name: CmdStatus, Lang: French}},
		{"MentionThenAlorsCaTweete", "<@UBOT> alors ça tweete ?", Parsed{Name: CmdStatus, Lang: French}},
		{"LabelledMentionThenAlorsCaTweete", "<@UBOT|catweete>   Alors, ça tweete ?", Parsed{Name: CmdStatus, Lang: French}},
		{"CaTweete", "ça tweete ?", Parsed{Name: CmdStatus, Lang: French}},
		{"CaTweet", "ça tweet ?", Parsed{Name: CmdStatus, Lang: French}},
		{"QuoiDeNeuf", "quoi de neuf ?", Parsed{Name: CmdStatus, Lang: French}},
		{"QuoiDeNeufCapitalized", "Quoi de neuf", Parsed{Name: CmdStatus, Lang: French}},
		{"OuEnEstOn", "Où en est-on ?", Parsed{Name: CmdStatus, Lang: French}},
		{"HowsItGoing", "how's it going?", Parsed{Name: CmdStatus, Lang: English}},
		{"HowsItGoingTypographicApostrophe", "How’s it going", Parsed{Name: CmdStatus, Lang: English}},
		{"HowsItGoingNoApostrophe", "hows it going", Parsed{Name: CmdStatus, Lang: English}},
		{"HowIsItGoing", "How is it going?", Parsed{Name: CmdStatus, Lang: English}},
		{"MentionThenHowsItGoing", "<@UBOT> How's it going?!", Parsed{Name: CmdStatus, Lang: English}},
		{"WhatsNew", "What’s new?", Parsed{Name: CmdStatus, Lang: English}},
		{"IsItTweeting", "is it tweeting?", Parsed{Name: CmdStatus, Lang: English}},

		// Unknown words.
		{"UnknownWord", "tweete", Parsed{Unknown: "tweete"}},
		{"UnknownWordKeepsTheRest", "publish Hello there", Parsed{Unknown: "publish", Args: "Hello there"}},
		{"UnknownWordAfterMention", "<@UBOT> bonjour !", Parsed{Unknown: "bonjour", Args: "!"}},
		{"UnknownWordKeepsItsCase", "Publiée", Parsed{Unknown: "Publiée"}},
		{"HalfAPhraseIsUnknown", "alors", Parsed{Unknown: "alors"}},
		{"UnclosedMentionIsUnknown", "<@UBOT help", Parsed{Unknown: "<@UBOT", Args: "help"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := r.Parse(tt.text); got != tt.want {
				t.Errorf("Parse(%q) = %+v, want %+v", tt.text, got, tt.want)
			}
		})
	}
}

// A slash command carries the text alone; a mention carries the bot's
// mention first. Both must mean the same.
func TestParseSlashCommandAndMentionAgree(t *testing.T) {
	t.Parallel()
	r := parseRouter(t)
	for _, text := range []string{
		"help", "aide", "draft Bonjour <https://x.y|site>\nFin", "statut", "queue", "file",
		"en-attente", "pending", "annuler #12", "alors ça tweete ?", "How’s it going", "bonjour",
	} {
		t.Run(text, func(t *testing.T) {
			t.Parallel()
			slash := r.Parse(text)
			for _, mention := range []string{"<@UBOT> " + text, "<@UBOT|catweete> " + text, "<@UBOT>\n" + text} {
				if got := r.Parse(mention); got != slash {
					t.Errorf("Parse(%q) = %+v, but the slash command gives %+v", mention, got, slash)
				}
			}
		})
	}
}

func TestParseLang(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]Lang{
		"en": English, " EN ": English, "En": English,
		"fr": French, "": French, "de": French, "english": French,
	} {
		if got := ParseLang(in); got != want {
			t.Errorf("ParseLang(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestFold(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"Alors, ça tweete ?", "alors ca tweete"},
		{"ALORS CA TWEETE", "alors ca tweete"},
		{"How’s it going?", "how's it going"},
		{"en-attente", "en-attente"},
		{"  beaucoup   d'espaces  ", "beaucoup d'espaces"},
		{"?!", ""},
		{"ÉTAT", "etat"},
	}
	for _, tt := range tests {
		if got := fold(tt.in); got != tt.want {
			t.Errorf("fold(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
