package e2e

import (
	"database/sql"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// runBackup runs `catweete backup target` in dir with only CATWEETE_DB set.
func runBackup(t *testing.T, dir, dbPath, target string) (string, error) {
	t.Helper()
	cmd := exec.Command(binary, "backup", target)
	cmd.Dir = dir
	cmd.Env = []string{"CATWEETE_DB=" + dbPath}
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// postsWithText counts the posts holding text in the database at path.
func postsWithText(t *testing.T, path, text string) int {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+path+"?_busy_timeout=5000")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM posts WHERE instr(text, ?) > 0`, text).Scan(&n); err != nil {
		t.Fatalf("counting posts in %s: %v", path, err)
	}
	return n
}

// draftOnPlayground drafts text as the author and waits for its card.
func draftOnPlayground(r *playgroundRun, text string) {
	r.t.Helper()
	r.post("/pg/send", map[string]any{"user": "UAUTHOR", "channel": "CGENERAL", "text": "/catweete brouillon " + text})
	r.waitMessage("the approval card of "+text, 5*time.Second, func(m pgMessage, _ []pgMessage) bool {
		return m.Channel == "CAPPROVALS" && m.User == "UBOT" && m.ThreadTS == "" && strings.Contains(m.Text, text)
	})
}

// TestBackupRestore: `catweete backup` copies the database of a catweete
// that is serving, with only CATWEETE_DB set; it will not overwrite; and a
// catweete started on the restored copy serves, with the drafts made before
// the backup and none made after it.
func TestBackupRestore(t *testing.T) {
	t.Parallel()
	liveDir := t.TempDir()
	live := filepath.Join(liveDir, "catweete.db")
	r := startPlaygroundOn(t, live)
	before := "Avant la sauvegarde " + randomHex(4)
	draftOnPlayground(r, before)

	// The backup, while the first catweete serves, to a relative path.
	backupDir := t.TempDir()
	out, err := runBackup(t, backupDir, live, "copy.db")
	if err != nil {
		t.Fatalf("catweete backup: %v\n%s", err, out)
	}
	if !strings.Contains(out, "copy.db") {
		t.Errorf("catweete backup said %q; want it to name the copy", out)
	}
	copyPath := filepath.Join(backupDir, "copy.db")
	entries, _ := os.ReadDir(backupDir)
	if len(entries) != 1 || entries[0].Name() != "copy.db" {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("the backup directory holds %v; want copy.db alone", names)
	}
	// A second backup to the same file is refused and leaves it alone.
	first, err := os.ReadFile(copyPath)
	if err != nil {
		t.Fatal(err)
	}
	if out, err := runBackup(t, backupDir, live, "copy.db"); err == nil || !strings.Contains(out, "will not overwrite") {
		t.Errorf("a second catweete backup to copy.db: %v, %q; want a refusal", err, out)
	}
	if again, _ := os.ReadFile(copyPath); string(again) != string(first) {
		t.Error("the refused backup changed copy.db")
	}

	// What comes after the backup is not in it.
	after := "Après la sauvegarde " + randomHex(4)
	draftOnPlayground(r, after)
	stopPlayground(r)

	// The restore: a catweete started on the copy, put where its database
	// goes.
	restoredDir := t.TempDir()
	restored := filepath.Join(restoredDir, "catweete.db")
	src, err := os.Open(copyPath)
	if err != nil {
		t.Fatal(err)
	}
	dst, err := os.OpenFile(restored, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(dst, src); err != nil {
		t.Fatal(err)
	}
	src.Close()
	if err := dst.Close(); err != nil {
		t.Fatal(err)
	}
	r2 := startPlaygroundOn(t, restored)
	resp, err := r2.http.Get(r2.base + "/healthz")
	if err != nil {
		t.Fatalf("GET /healthz on the restored copy: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /healthz on the restored copy = %s", resp.Status)
	}

	// The bot serves the draft made before the backup from the restored
	// database.
	r2.post("/pg/send", map[string]any{"user": "UAUTHOR", "channel": "CGENERAL", "text": "/catweete en-attente"})
	answer := r2.waitMessage("the pending list naming the draft", 5*time.Second, func(m pgMessage, _ []pgMessage) bool {
		return m.Channel == "CGENERAL" && m.User == "UBOT" && m.EphemeralFor == "UAUTHOR" && strings.Contains(m.Text, "(1)")
	})
	if !strings.Contains(answer.Text, before) || strings.Contains(answer.Text, after) {
		t.Errorf("the restored catweete lists %q; want the draft made before the backup, and only it", answer.Text)
	}
	stopPlayground(r2)
	if n := postsWithText(t, restored, before); n != 1 {
		t.Errorf("the restored database holds %d post(s) %q; want 1", n, before)
	}
	if n := postsWithText(t, restored, after); n != 0 {
		t.Errorf("the restored database holds %d post(s) %q, drafted after the backup; want 0", n, after)
	}
	if n := postsWithText(t, live, after); n != 1 {
		t.Errorf("the live database holds %d post(s) %q; want 1", n, after)
	}
	for name, logs := range map[string]string{"the live catweete": r.logs.String(), "the restored catweete": r2.logs.String()} {
		for _, bad := range []string{"panic", "DATA RACE", "fatal error", "level=ERROR"} {
			if i := strings.Index(logs, bad); i >= 0 {
				t.Errorf("the log of %s holds %q:\n%s", name, bad, short(logs[max(i-300, 0):], 1500))
			}
		}
	}
}
