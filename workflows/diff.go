package workflows

// DiffOp is one run of words in a diff: kept, removed or added.
type DiffOp struct {
	Kind DiffKind
	Text string
}

// DiffKind says whether a run was kept, removed or added.
type DiffKind int

// Kinds of diff runs.
const (
	DiffKeep DiffKind = iota
	DiffRemove
	DiffAdd
)

// maxDiffCells bounds the work of the word diff; beyond it the diff is the
// whole old text removed and the whole new one added, which is still true.
const maxDiffCells = 4_000_000

// Diff compares two texts word by word (a longest common subsequence over
// words and the spaces between them), which is what an approver wants to
// see of an edit: what changed, in place.
func Diff(before, after string) []DiffOp {
	a, b := words(before), words(after)
	if len(a)*len(b) > maxDiffCells {
		return compact([]DiffOp{{DiffRemove, before}, {DiffAdd, after}})
	}
	// lcs[i][j] is the length of the longest common subsequence of a[i:] and b[j:].
	lcs := make([][]int, len(a)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(b)+1)
	}
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var ops []DiffOp
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] == b[j]:
			ops = append(ops, DiffOp{DiffKeep, a[i]})
			i, j = i+1, j+1
		case lcs[i+1][j] >= lcs[i][j+1]:
			ops = append(ops, DiffOp{DiffRemove, a[i]})
			i++
		default:
			ops = append(ops, DiffOp{DiffAdd, b[j]})
			j++
		}
	}
	for ; i < len(a); i++ {
		ops = append(ops, DiffOp{DiffRemove, a[i]})
	}
	for ; j < len(b); j++ {
		ops = append(ops, DiffOp{DiffAdd, b[j]})
	}
	return compact(ops)
}

// words splits text into words and the runs of space between them, so that
// joining them gives the text back.
func words(text string) []string {
	var out []string
	start := 0
	inSpace := false
	for i, r := range text {
		space := r == ' ' || r == '\n' || r == '\t'
		if i > start && space != inSpace {
			out = append(out, text[start:i])
			start = i
		}
		inSpace = space
	}
	if start < len(text) {
		out = append(out, text[start:])
	}
	return out
}

// compact merges neighbouring runs of the same kind and drops empty ones.
func compact(ops []DiffOp) []DiffOp {
	var out []DiffOp
	for _, op := range ops {
		if op.Text == "" {
			continue
		}
		if n := len(out); n > 0 && out[n-1].Kind == op.Kind {
			out[n-1].Text += op.Text
			continue
		}
		out = append(out, op)
	}
	return out
}
