package playground

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
)

// TestImportsNeitherBotNorItsParts keeps the playground honest: it reaches
// the bot only over HTTP, as Slack does, so it must not link the bot's
// code (DESIGN.md §2). It may use the standard library, slack-go, and the
// sandbox network for its network tab.
func TestImportsNeitherBotNorItsParts(t *testing.T) {
	t.Parallel()
	out, err := exec.Command("go", "list", "-deps", "-json=ImportPath,Standard", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	allowed := map[string]bool{"catweete/playground": true, "catweete/social": true, "catweete/social/sandbox": true}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	seen := 0
	for dec.More() {
		var pkg struct {
			ImportPath string
			Standard   bool
		}
		if err := dec.Decode(&pkg); err != nil {
			t.Fatal(err)
		}
		seen++
		switch {
		case pkg.Standard:
		case pkg.ImportPath == "catweete" || strings.HasPrefix(pkg.ImportPath, "catweete/"):
			if !allowed[pkg.ImportPath] {
				t.Errorf("playground depends on %s; it may reach catweete's bot only over HTTP", pkg.ImportPath)
			}
		case strings.HasPrefix(pkg.ImportPath, "github.com/slack-go/slack"), pkg.ImportPath == "github.com/gorilla/websocket":
		default:
			t.Errorf("playground depends on %s; it imports only the standard library, slack-go and the sandbox", pkg.ImportPath)
		}
	}
	if seen < 10 {
		t.Fatalf("go list listed %d packages; the check saw nothing", seen)
	}
}
