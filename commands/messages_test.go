package commands

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"catweete/storage"
	"catweete/workflows"
)

// verbRE finds the fmt verbs of a message.
var verbRE = regexp.MustCompile(`%[-+# 0-9.]*[a-z]`)

func verbs(s string) []string { return verbRE.FindAllString(s, -1) }

// sourceFiles parses the package's own (non-test) files.
func sourceFiles(t *testing.T) []*ast.File {
	t.Helper()
	paths, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	var files []*ast.File
	for _, p := range paths {
		if strings.HasSuffix(p, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, p, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	return files
}

// keyConstants returns every constant of type Key declared in the
// package, by name, with its value.
func keyConstants(t *testing.T) map[string]Key {
	t.Helper()
	keys := make(map[string]Key)
	for _, f := range sourceFiles(t) {
		for _, decl := range f.Decls {
			gen, ok := decl.(*ast.GenDecl)
			if !ok || gen.Tok != token.CONST {
				continue
			}
			for _, spec := range gen.Specs {
				vs := spec.(*ast.ValueSpec)
				if id, ok := vs.Type.(*ast.Ident); !ok || id.Name != "Key" {
					continue
				}
				for i, name := range vs.Names {
					lit, ok := vs.Values[i].(*ast.BasicLit)
					if !ok {
						t.Fatalf("Key %s is not a string literal", name.Name)
					}
					v, err := strconv.Unquote(lit.Value)
					if err != nil {
						t.Fatal(err)
					}
					keys[name.Name] = Key(v)
				}
			}
		}
	}
	if len(keys) < 50 {
		t.Fatalf("found only %d Key constants: the parse went wrong", len(keys))
	}
	return keys
}

func isPrefix(k Key) bool { return strings.HasSuffix(string(k), ".") }

func TestCatalogHasEveryKeyInBothLanguages(t *testing.T) {
	t.Parallel()
	cat := NewCatalog()
	for name, key := range keyConstants(t) {
		if isPrefix(key) {
			continue
		}
		if !cat.Has(key) {
			t.Errorf("%s (%q) is not in the catalog", name, key)
		}
	}
}

// Keys built from a prefix and a state, an action or an event must exist
// for every state, action and event there is.
func TestCatalogHasEveryPrefixedKey(t *testing.T) {
	t.Parallel()
	cat := NewCatalog()
	var want []Key
	for _, s := range []string{workflows.StatusDraft, workflows.StatusPending, workflows.StatusChangesRequested,
		workflows.StatusApproved, workflows.StatusRejected, workflows.StatusCanceled, workflows.StatusPublishing,
		workflows.StatusPublished, workflows.StatusPartial, workflows.StatusFailed} {
		want = append(want, MsgStatePrefix+Key(s))
	}
	for _, s := range []string{storage.DeliveryWaiting, storage.DeliveryScheduled, storage.DeliveryPublishing,
		storage.DeliveryPublished, storage.DeliveryFailed, storage.DeliveryUnknown, storage.DeliveryCanceled} {
		want = append(want, MsgStatePrefix+"delivery."+Key(s))
	}
	for _, a := range []string{workflows.ActionApprove, workflows.ActionRequestChanges, workflows.ActionReject, workflows.ActionCancel} {
		want = append(want, MsgDecisionPrefix+Key(a))
	}
	for k := workflows.EventApprovalCounted; k <= workflows.EventRetrying; k++ {
		want = append(want, MsgEventPrefix+Key(k.String()))
	}
	for _, k := range want {
		if !cat.Has(k) {
			t.Errorf("%q is not in the catalog", k)
		}
	}
	// And the words for states are words, not the raw status.
	if got := cat.StateName(French, workflows.StatusChangesRequested); got != "modifications demandées" {
		t.Errorf("StateName(fr, changes_requested) = %q", got)
	}
	if got := cat.DeliveryStateName(English, storage.DeliveryUnknown); got != "uncertain: please check" {
		t.Errorf("DeliveryStateName(en, unknown) = %q", got)
	}
	if got := cat.StateName(English, "archived"); got != "archived" {
		t.Errorf("StateName of an unknown state = %q, want it as is", got)
	}
	if got := cat.DeliveryStateName(French, "lost"); got != "lost" {
		t.Errorf("DeliveryStateName of an unknown state = %q, want it as is", got)
	}
}

func TestCatalogMessages(t *testing.T) {
	t.Parallel()
	for key, m := range catalogMessages() {
		fr, en := m[0], m[1]
		if strings.TrimSpace(fr) == "" || strings.TrimSpace(en) == "" {
			t.Errorf("%q: empty message (fr %q, en %q)", key, fr, en)
		}
		if vf, ve := verbs(fr), verbs(en); !slices.Equal(vf, ve) {
			t.Errorf("%q: verbs %v in French, %v in English", key, vf, ve)
		}
		if strings.Contains(en, "n°") {
			t.Errorf("%q: English says n°: %q", key, en)
		}
	}
}

func TestCatalogT(t *testing.T) {
	t.Parallel()
	cat := NewCatalog()
	if got := cat.T(French, MsgCanceled, 3); got != "Post n°3 annulé." {
		t.Errorf("T(fr) = %q", got)
	}
	if got := cat.T(English, MsgCanceled, 3); got != "Post #3 canceled." {
		t.Errorf("T(en) = %q", got)
	}
	if got := cat.T("", MsgCanceled, 3); got != "Post n°3 annulé." {
		t.Errorf("T with no language = %q, want French", got)
	}
	if got := cat.T(French, "no.such.key"); got != "no.such.key" {
		t.Errorf("T of a missing key = %q", got)
	}
	if got := cat.T(French, MsgToday); got != "aujourd'hui" {
		t.Errorf("T without args = %q", got)
	}
}

// Every call cat.T(lang, Key, args...) in the package passes as many
// arguments as its message has verbs; go vet cannot see through T.
func TestCatalogCallsPassEveryArgument(t *testing.T) {
	t.Parallel()
	keys := keyConstants(t)
	messages := catalogMessages()
	calls := 0
	for _, f := range sourceFiles(t) {
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) < 2 || call.Ellipsis.IsValid() {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok || sel.Sel.Name != "T" {
				return true
			}
			id, ok := call.Args[1].(*ast.Ident)
			if !ok {
				return true // a key built at run time
			}
			key, ok := keys[id.Name]
			if !ok {
				return true
			}
			calls++
			m, ok := messages[key]
			if !ok {
				t.Errorf("T(%s): not in the catalog", id.Name)
				return true
			}
			if n := len(verbs(m[0])); n != len(call.Args)-2 {
				t.Errorf("T(%s) passes %d arguments for %d verbs (%q)", id.Name, len(call.Args)-2, n, m[0])
			}
			return true
		})
	}
	if calls < 20 {
		t.Fatalf("found only %d calls of T: the walk went wrong", calls)
	}
}
