package bot

import (
	"testing"

	"catweete/workflows"
)

func TestDiffText(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, before, after, want string
	}{
		{"WordReplaced", "Le chat dort", "Le chien dort", "Le ~chat~*chien* dort"},
		{"WordsAdded", "Bonjour", "Bonjour à tous", "Bonjour *à tous*"},
		{"WordsAddedInside", "Notre site est en ligne", "Notre nouveau site est en ligne", "Notre *nouveau* site est en ligne"},
		{"WordsRemoved", "Bonjour à tous", "Bonjour", "Bonjour ~à tous~"},
		{"FirstWordRemoved", "Super nouvelle !", "nouvelle !", "~Super~ nouvelle !"},
		{"Unchanged", "Rien ne change", "Rien ne change", "Rien ne change"},
		{"Escaped", "1 < 2", "1 < 2 & 3 > 2", "1 &lt; 2 *&amp; 3 &gt; 2*"},
		{"EscapedRemoval", "a <@U123> & <!here>", "a", "a ~&lt;@U123&gt; &amp; &lt;!here&gt;~"},
		{"Everything", "", "Tout neuf", "*Tout neuf*"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := DiffText(workflows.Diff(tc.before, tc.after)); got != tc.want {
				t.Errorf("DiffText(Diff(%q, %q)) = %q, want %q", tc.before, tc.after, got, tc.want)
			}
		})
	}
}

func TestDiffTextRuns(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		ops  []workflows.DiffOp
		want string
	}{
		{"SpacesStayOutsideTheMarks", []workflows.DiffOp{{Kind: workflows.DiffKeep, Text: "a"}, {Kind: workflows.DiffAdd, Text: "  b c  "}, {Kind: workflows.DiffKeep, Text: "d"}}, "a  *b c*  d"},
		{"RemovedSpacesAreDropped", []workflows.DiffOp{{Kind: workflows.DiffKeep, Text: "a"}, {Kind: workflows.DiffRemove, Text: " \n"}, {Kind: workflows.DiffKeep, Text: "b"}}, "ab"},
		{"AddedSpacesAreKeptPlain", []workflows.DiffOp{{Kind: workflows.DiffKeep, Text: "a"}, {Kind: workflows.DiffAdd, Text: " "}, {Kind: workflows.DiffKeep, Text: "b"}}, "a b"},
		{"Nothing", nil, ""},
	} {
		if got := DiffText(tc.ops); got != tc.want {
			t.Errorf("%s: DiffText = %q, want %q", tc.name, got, tc.want)
		}
	}
}
