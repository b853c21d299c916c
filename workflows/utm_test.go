package workflows

import "testing"

func TestTagger(t *testing.T) {
	t.Parallel()
	on, off := NewTagger(true), NewTagger(false)
	for _, tt := range []struct {
		name    string
		tagger  *Tagger
		text    string
		network string
		want    string
	}{
		{"LinkTaggedWithTheNetworkAndPostID", on, "Voir https://exemple.fr/page", "mastodon",
			"Voir https://exemple.fr/page?utm_source=mastodon&utm_medium=social&utm_campaign=post-7"},
		{"CampaignMarkerNamesTheCampaignAndIsRemoved", on, "Soldes ! https://exemple.fr #campagne:hiver26 à bientôt", "linkedin",
			"Soldes ! https://exemple.fr?utm_source=linkedin&utm_medium=social&utm_campaign=hiver26 à bientôt"},
		{"EnglishMarker", on, "#campaign:launch New site https://x.io/a", "x",
			"New site https://x.io/a?utm_source=x&utm_medium=social&utm_campaign=launch"},
		{"ExistingQueryKept", on, "https://exemple.fr/p?id=3&lang=fr", "bluesky",
			"https://exemple.fr/p?id=3&lang=fr&utm_source=bluesky&utm_medium=social&utm_campaign=post-7"},
		{"FragmentStaysLast", on, "https://exemple.fr/p#section", "facebook",
			"https://exemple.fr/p?utm_source=facebook&utm_medium=social&utm_campaign=post-7#section"},
		{"TrailingPunctuationIsNotTheLink", on, "Lisez https://exemple.fr/a.", "x",
			"Lisez https://exemple.fr/a?utm_source=x&utm_medium=social&utm_campaign=post-7."},
		{"ParenthesesAroundALink", on, "(voir https://exemple.fr/a)", "x",
			"(voir https://exemple.fr/a?utm_source=x&utm_medium=social&utm_campaign=post-7)"},
		{"TeamsOwnTagsKept", on, "https://exemple.fr/?utm_source=newsletter", "x",
			"https://exemple.fr/?utm_source=newsletter"},
		{"TwoLinks", on, "https://a.fr et https://b.fr", "x",
			"https://a.fr?utm_source=x&utm_medium=social&utm_campaign=post-7 et https://b.fr?utm_source=x&utm_medium=social&utm_campaign=post-7"},
		{"OffOnlyRemovesTheMarker", off, "Soldes https://exemple.fr #campagne:hiver", "x", "Soldes https://exemple.fr"},
		{"NoLinkNoChange", on, "Bonjour à tous\nà demain", "x", "Bonjour à tous\nà demain"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := tt.tagger.Text(tt.text, tt.network, 7); got != tt.want {
				t.Fatalf("Text = %q\nwant   %q", got, tt.want)
			}
		})
	}
}
