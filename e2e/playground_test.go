package e2e

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// playgroundRun is the built binary run with no Slack configuration at
// all: it starts the playground, its own stand-in for Slack, and the test
// drives it as the page does.
type playgroundRun struct {
	t      *testing.T
	base   string // http://127.0.0.1:<port>
	cmd    *exec.Cmd
	logs   *lockedBuffer
	exited chan struct{}
	err    error
	http   *http.Client
}

// startPlayground runs the binary with only CATWEETE_DB and
// CATWEETE_HTTP_ADDR, on a fresh database, and waits for the line that
// gives the page's address.
func startPlayground(t *testing.T) *playgroundRun {
	t.Helper()
	return startPlaygroundOn(t, filepath.Join(t.TempDir(), "catweete.db"))
}

// startPlaygroundOn is startPlayground on the database at dbPath.
func startPlaygroundOn(t *testing.T, dbPath string) *playgroundRun {
	t.Helper()
	addr := freeAddr(t)
	r := &playgroundRun{t: t, base: "http://" + addr, logs: &lockedBuffer{}, exited: make(chan struct{}),
		http: &http.Client{Timeout: 10 * time.Second}}
	r.cmd = exec.Command(binary)
	r.cmd.Dir = filepath.Dir(dbPath)
	r.cmd.Env = []string{"CATWEETE_DB=" + dbPath, "CATWEETE_HTTP_ADDR=" + addr}
	r.cmd.Stderr = r.logs
	stdout, err := r.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := r.cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", binary, err)
	}
	announced := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			line := sc.Text()
			r.logs.Write([]byte(line + "\n")) //nolint:errcheck // a buffer
			if strings.HasPrefix(line, "catweete playground: open ") {
				select {
				case announced <- line:
				default:
				}
			}
		}
	}()
	go func() {
		r.err = r.cmd.Wait()
		close(r.exited)
	}()
	t.Cleanup(func() {
		stopPlayground(r)
		if t.Failed() {
			t.Logf("catweete's log (%s):\n%s", dbPath, short(r.logs.String(), 20000))
		}
	})
	select {
	case line := <-announced:
		if want := "catweete playground: open " + r.base + "/"; line != want {
			t.Errorf("stdout says %q, want %q", line, want)
		}
	case <-r.exited:
		t.Fatalf("catweete exited before the playground was up (%v); its log:\n%s", r.err, r.logs.String())
	case <-time.After(30 * time.Second):
		t.Fatalf("no \"catweete playground: open\" line within 30 s; the log:\n%s", r.logs.String())
	}
	return r
}

// stopPlayground sends r SIGTERM and waits for a clean exit, 10 s at most.
func stopPlayground(r *playgroundRun) {
	r.t.Helper()
	select {
	case <-r.exited:
		return
	default:
	}
	r.cmd.Process.Signal(syscall.SIGTERM) //nolint:errcheck // it may have just exited
	select {
	case <-r.exited:
		if r.err != nil {
			r.t.Errorf("catweete exited with %v after SIGTERM", r.err)
		}
	case <-time.After(10 * time.Second):
		r.cmd.Process.Kill() //nolint:errcheck // it may have just exited
		<-r.exited
		r.t.Errorf("catweete did not stop within 10 s of SIGTERM")
	}
}

// post sends a request of the page and decodes the answer.
func (r *playgroundRun) post(path string, body any) map[string]any {
	r.t.Helper()
	data, _ := json.Marshal(body)
	resp, err := r.http.Post(r.base+path, "application/json", bytes.NewReader(data))
	if err != nil {
		r.t.Fatalf("POST %s: %v", path, err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		r.t.Fatalf("POST %s: answer is not JSON: %v", path, err)
	}
	if resp.StatusCode != http.StatusOK || out["ok"] != true {
		r.t.Fatalf("POST %s %s = %d %v", path, data, resp.StatusCode, out)
	}
	return out
}

// pgMessage is a message of GET /pg/state (playground/API.md).
type pgMessage struct {
	Channel      string `json:"channel"`
	TS           string `json:"ts"`
	User         string `json:"user"`
	Text         string `json:"text"`
	Blocks       []any  `json:"blocks"`
	ThreadTS     string `json:"thread_ts"`
	ReplyCount   int    `json:"reply_count"`
	EphemeralFor string `json:"ephemeral_for"`
	Edited       bool   `json:"edited"`
}

func (r *playgroundRun) messages() []pgMessage {
	r.t.Helper()
	resp, err := r.http.Get(r.base + "/pg/state")
	if err != nil {
		r.t.Fatalf("GET /pg/state: %v", err)
	}
	defer resp.Body.Close()
	var s struct {
		Messages []pgMessage `json:"messages"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&s); err != nil {
		r.t.Fatalf("GET /pg/state: %v", err)
	}
	return s.Messages
}

// waitMessage waits until f finds a message in /pg/state.
func (r *playgroundRun) waitMessage(what string, timeout time.Duration, f func(pgMessage, []pgMessage) bool) pgMessage {
	r.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		all := r.messages()
		for _, m := range all {
			if f(m, all) {
				return m
			}
		}
		if time.Now().After(deadline) {
			var b strings.Builder
			for _, m := range all {
				b.WriteString("  " + m.Channel + " " + m.TS + " " + m.User + " thread=" + m.ThreadTS + " " + short(m.Text, 120) + "\n")
			}
			r.t.Fatalf("no %s within %s; the messages:\n%s", what, timeout, b.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// playgroundEvents reads GET /pg/events until the stream ends.
type playgroundEvents struct {
	mu     sync.Mutex
	events []map[string]any
	ended  chan struct{}
}

func (r *playgroundRun) listen() *playgroundEvents {
	r.t.Helper()
	resp, err := (&http.Client{}).Get(r.base + "/pg/events")
	if err != nil {
		r.t.Fatalf("GET /pg/events: %v", err)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		r.t.Fatalf("GET /pg/events: Content-Type %q", ct)
	}
	ev := &playgroundEvents{ended: make(chan struct{})}
	go func() {
		defer close(ev.ended)
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			if data, ok := strings.CutPrefix(sc.Text(), "data: "); ok {
				var e map[string]any
				if json.Unmarshal([]byte(data), &e) == nil {
					ev.mu.Lock()
					ev.events = append(ev.events, e)
					ev.mu.Unlock()
				}
			}
		}
	}()
	return ev
}

func (ev *playgroundEvents) sawMessage(channel, ts string) bool {
	ev.mu.Lock()
	defer ev.mu.Unlock()
	for _, e := range ev.events {
		if m, _ := e["message"].(map[string]any); e["type"] == "message" && m["channel"] == channel && m["ts"] == ts {
			return true
		}
	}
	return false
}

// buttonOf returns the block id of the button actionID in blocks.
func buttonOf(blocks []any, actionID string) (string, bool) {
	for _, b := range blocks {
		block, _ := b.(map[string]any)
		elems, _ := block["elements"].([]any)
		for _, e := range elems {
			if el, _ := e.(map[string]any); el["action_id"] == actionID {
				id, _ := block["block_id"].(string)
				return id, id != ""
			}
		}
	}
	return "", false
}

// TestPlaygroundWithoutSlack: with no Slack configuration, the binary
// serves the page and plays Slack for the very bot it runs. A draft makes
// a card in #approbations, an approval publishes it on the sandbox network
// with its link in the card's thread, and a mention is answered in its
// thread.
func TestPlaygroundWithoutSlack(t *testing.T) {
	t.Parallel()
	r := startPlayground(t)

	resp, err := r.http.Get(r.base + "/")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") ||
		!strings.Contains(strings.ToLower(string(page)), "<html") {
		t.Fatalf("GET / = %d %s, %d bytes; want the page", resp.StatusCode, resp.Header.Get("Content-Type"), len(page))
	}
	events := r.listen()

	// A draft, by the author, in #general.
	r.post("/pg/send", map[string]any{"user": "UAUTHOR", "channel": "CGENERAL", "text": "/catweete brouillon Bonjour"})
	card := r.waitMessage("approval card in CAPPROVALS", 5*time.Second, func(m pgMessage, _ []pgMessage) bool {
		_, hasApprove := buttonOf(m.Blocks, "approve")
		return m.Channel == "CAPPROVALS" && m.User == "UBOT" && m.ThreadTS == "" && hasApprove && strings.Contains(m.Text, "Bonjour")
	})
	r.waitMessage("the author's private confirmation", 5*time.Second, func(m pgMessage, _ []pgMessage) bool {
		return m.Channel == "CGENERAL" && m.User == "UBOT" && m.EphemeralFor == "UAUTHOR"
	})

	// The approval, by the first approver, on the card.
	block, _ := buttonOf(card.Blocks, "approve")
	r.post("/pg/action", map[string]any{"user": "UAPPROVER1", "channel": "CAPPROVALS", "message_ts": card.TS,
		"block_id": block, "action_id": "approve"})
	link := r.base + "/pg/network/posts/"
	r.waitMessage("the sandbox link in the card's thread", 10*time.Second, func(m pgMessage, _ []pgMessage) bool {
		return m.Channel == "CAPPROVALS" && m.ThreadTS == card.TS && m.User == "UBOT" && strings.Contains(m.Text, link)
	})
	updated := r.waitMessage("the card updated in place", 5*time.Second, func(m pgMessage, _ []pgMessage) bool {
		_, stillApprovable := buttonOf(m.Blocks, "approve")
		return m.Channel == "CAPPROVALS" && m.TS == card.TS && m.Edited && !stillApprovable
	})
	if updated.Text == card.Text || updated.ReplyCount < 1 {
		t.Errorf("updated card = %q with %d replies; want a new state and its thread", updated.Text, updated.ReplyCount)
	}

	// The network tab shows the post.
	resp, err = r.http.Get(r.base + "/pg/network")
	if err != nil {
		t.Fatal(err)
	}
	var posts []struct {
		URL, Text string
		Metrics   map[string]any
	}
	json.NewDecoder(resp.Body).Decode(&posts) //nolint:errcheck // checked below
	resp.Body.Close()
	if len(posts) != 1 || posts[0].Text != "Bonjour" || !strings.HasPrefix(posts[0].URL, link) || posts[0].Metrics["impressions"] == nil {
		t.Errorf("GET /pg/network = %+v; want the published post with its figures", posts)
	}

	// A colleague asks.
	out := r.post("/pg/send", map[string]any{"user": "UCOLLEAGUE", "channel": "CGENERAL", "text": "@catweete alors ça tweete ?"})
	asked, _ := out["ts"].(string)
	if asked == "" {
		t.Fatalf("/pg/send of a mention = %v; want its ts", out)
	}
	answer := r.waitMessage("the answer in the mention's thread", 5*time.Second, func(m pgMessage, _ []pgMessage) bool {
		return m.Channel == "CGENERAL" && m.User == "UBOT" && m.ThreadTS == asked && m.EphemeralFor == ""
	})
	if answer.Text == "" {
		t.Error("the bot's answer is empty")
	}

	if !events.sawMessage("CAPPROVALS", card.TS) {
		t.Error("the page's event stream never carried the card")
	}

	// A stop ends the page's stream too, and the process exits cleanly.
	start := time.Now()
	if err := r.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-r.exited:
		if r.err != nil {
			t.Errorf("catweete exited with %v after SIGTERM", r.err)
		}
		if took := time.Since(start); took > 5*time.Second {
			t.Errorf("catweete took %s to stop with a page connected", took)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("catweete did not stop within 10 s of SIGTERM")
	}
	select {
	case <-events.ended:
	case <-time.After(2 * time.Second):
		t.Error("the event stream outlived the process")
	}
	logs := r.logs.String()
	for _, bad := range []string{"panic", "DATA RACE", "fatal error", "level=ERROR"} {
		if i := strings.Index(logs, bad); i >= 0 {
			t.Errorf("the log holds %q:\n%s", bad, short(logs[max(i-300, 0):], 1500))
		}
	}
}
