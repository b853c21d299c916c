package e2e

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	_ "github.com/mattn/go-sqlite3" // the "sqlite3" driver, to read the bot's database
)

// Users and channels of the fake workspace.
const (
	approvalChannel = "CAPPROVALS"
	teamChannel     = "CTEAM"
	generalChannel  = "CGENERAL"
	author          = "UAUTHOR"
	approver1       = "UAPPROVER1"
	approver2       = "UAPPROVER2"
	outsider        = "UOUTSIDER"
	colleague       = "UCOLLEAGUE"
	slashCommand    = "/catweete"
)

// ackBudget is how fast Slack wants every request answered.
const ackBudget = 3 * time.Second

// binary is the catweete executable built once for the whole run.
var binary string

func TestMain(m *testing.M) {
	os.Exit(buildAndRun(m))
}

func buildAndRun(m *testing.M) int {
	root, err := filepath.Abs("..")
	if err == nil {
		_, err = os.Stat(filepath.Join(root, "go.mod"))
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e: cannot find the module root:", err)
		return 2
	}
	// CATWEETE_E2E_BINARY runs the tests against a binary built elsewhere
	// (a release, another checkout) instead of building this tree.
	if prebuilt := os.Getenv("CATWEETE_E2E_BINARY"); prebuilt != "" {
		binary = prebuilt
		fmt.Fprintf(os.Stderr, "e2e: using the prebuilt %s\n", binary)
		return m.Run()
	}
	dir, err := os.MkdirTemp("", "catweete-e2e-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 2
	}
	defer os.RemoveAll(dir)
	binary = filepath.Join(dir, "catweete")
	args := []string{"build", "-o", binary}
	// The child is race-checked when the tests are: a data race in the bot
	// then fails the run (see checkLogs).
	if raceEnabled && os.Getenv("CATWEETE_E2E_NORACE") == "" {
		args = append(args, "-race")
	}
	build := exec.Command("go", append(args, ".")...)
	build.Dir = root
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	start := time.Now()
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "e2e: go build failed:", err)
		return 2
	}
	fmt.Fprintf(os.Stderr, "e2e: built %s (race=%v) in %s\n", binary, raceEnabled, time.Since(start).Round(time.Millisecond))
	return m.Run()
}

// secrets are the instance's credentials: random, so that finding one
// anywhere means it leaked.
type secrets struct {
	botToken, signingSecret, mastodonToken string
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b) //nolint:errcheck // never fails
	return hex.EncodeToString(b)
}

func (s secrets) all() map[string]string {
	return map[string]string{"SLACK_BOT_TOKEN": s.botToken, "SLACK_SIGNING_SECRET": s.signingSecret, "MASTODON_TOKEN": s.mastodonToken}
}

// options vary an instance's configuration.
type options struct {
	approvers         string // CATWEETE_APPROVERS
	approvalsRequired string // CATWEETE_APPROVALS_REQUIRED, if set
	groups            map[string][]string
}

// instance is one catweete process with its own fakes, database and port.
type instance struct {
	t       *testing.T
	slack   *fakeSlack
	masto   *fakeMastodon
	secrets secrets
	dir     string
	dbPath  string
	addr    string
	env     []string
	http    *http.Client

	mu       sync.Mutex
	cmd      *exec.Cmd
	exited   chan struct{}
	exitErr  error
	logs     *lockedBuffer
	replies  []string // every body the bot answered Slack's requests with
	counter  atomic.Int64
	starts   int
	sentLogs bool
}

// lockedBuffer collects the child's stderr and stdout.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// startInstance starts fakes and the binary, and waits until it is healthy.
func startInstance(t *testing.T, opt options) *instance {
	t.Helper()
	s := secrets{
		botToken:      "xoxb-e2e-" + randomHex(12),
		signingSecret: randomHex(16),
		mastodonToken: "masto-e2e-" + randomHex(16),
	}
	in := &instance{
		t: t, secrets: s, dir: t.TempDir(), logs: &lockedBuffer{},
		slack: newFakeSlack(t, s.botToken, opt.groups),
		masto: newFakeMastodon(t, s.mastodonToken),
		http:  &http.Client{Timeout: 10 * time.Second},
	}
	in.dbPath = filepath.Join(in.dir, "catweete.db")
	in.addr = freeAddr(t)
	approvers := opt.approvers
	if approvers == "" {
		approvers = approver1 + "," + approver2
	}
	in.env = []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + in.dir,
		"SLACK_BOT_TOKEN=" + s.botToken,
		"SLACK_SIGNING_SECRET=" + s.signingSecret,
		"SLACK_API_URL=" + in.slack.apiURL(),
		"CATWEETE_DB=" + in.dbPath,
		"CATWEETE_HTTP_ADDR=" + in.addr,
		"CATWEETE_APPROVAL_CHANNEL=" + approvalChannel,
		"CATWEETE_APPROVERS=" + approvers,
		"MASTODON_URL=" + in.masto.srv.URL,
		"MASTODON_TOKEN=" + s.mastodonToken,
	}
	if opt.approvalsRequired != "" {
		in.env = append(in.env, "CATWEETE_APPROVALS_REQUIRED="+opt.approvalsRequired)
	}
	t.Cleanup(func() {
		in.kill()
		if t.Failed() {
			in.dumpLogs()
		}
	})
	in.start()
	return in
}

// start runs the binary (again) and waits for GET /healthz.
func (in *instance) start() {
	t := in.t
	t.Helper()
	cmd := exec.Command(binary)
	cmd.Env = in.env
	cmd.Dir = in.dir
	in.mu.Lock()
	in.starts++
	fmt.Fprintf(in.logs, "----- e2e: start #%d -----\n", in.starts)
	in.mu.Unlock()
	cmd.Stdout, cmd.Stderr = in.logs, in.logs
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", binary, err)
	}
	exited := make(chan struct{})
	in.mu.Lock()
	in.cmd, in.exited, in.exitErr = cmd, exited, nil
	in.mu.Unlock()
	go func() {
		err := cmd.Wait()
		in.mu.Lock()
		in.exitErr = err
		in.mu.Unlock()
		close(exited)
	}()

	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := in.http.Get("http://" + in.addr + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		select {
		case <-exited:
			t.Fatalf("catweete exited before it was healthy (%v); its log:\n%s", in.exitErr, in.logs.String())
		case <-time.After(25 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("catweete not healthy after 20 s (last error %v); its log:\n%s", err, in.logs.String())
		}
	}
}

// terminate sends SIGTERM and returns how long the process took to exit
// (at most limit; then it is killed and ok is false).
func (in *instance) terminate(limit time.Duration) (took time.Duration, exitErr error, ok bool) {
	in.mu.Lock()
	cmd, exited := in.cmd, in.exited
	in.mu.Unlock()
	select {
	case <-exited:
		in.mu.Lock()
		defer in.mu.Unlock()
		return 0, in.exitErr, true
	default:
	}
	start := time.Now()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		return 0, err, false
	}
	select {
	case <-exited:
		in.mu.Lock()
		defer in.mu.Unlock()
		return time.Since(start), in.exitErr, true
	case <-time.After(limit):
		in.kill()
		return time.Since(start), nil, false
	}
}

// kill stops the process, if it runs, without ceremony.
func (in *instance) kill() {
	in.mu.Lock()
	cmd, exited := in.cmd, in.exited
	in.mu.Unlock()
	if cmd == nil {
		return
	}
	select {
	case <-exited:
		return
	default:
	}
	cmd.Process.Kill() //nolint:errcheck // it may have just exited
	<-exited
}

func (in *instance) dumpLogs() {
	in.mu.Lock()
	if in.sentLogs {
		in.mu.Unlock()
		return
	}
	in.sentLogs = true
	in.mu.Unlock()
	logs := in.logs.String()
	if len(logs) > 20000 {
		logs = "…" + logs[len(logs)-20000:]
	}
	in.t.Logf("catweete's log:\n%s", logs)
	calls, resps := in.slack.snapshot(0)
	var b strings.Builder
	for _, c := range calls {
		fmt.Fprintf(&b, "  #%d %s %s\n", c.Seq, c.Method, short(c.describe(), 300))
	}
	for _, p := range resps {
		fmt.Fprintf(&b, "  #%d response_url %s %s\n", p.Seq, p.Path, short(p.Raw, 300))
	}
	in.t.Logf("Slack saw:\n%s", b.String())
	for _, s := range in.masto.requests(0) {
		in.t.Logf("Mastodon saw: #%d key=%q auth=%t status=%q → id %s", s.Seq, s.IdempotencyKey,
			s.Authorization == "Bearer "+in.secrets.mastodonToken, short(s.Status, 80), s.ID)
	}
}

func (c apiCall) describe() string {
	if c.JSON != nil {
		b, _ := json.Marshal(c.JSON)
		return string(b)
	}
	return c.Form.Encode()
}

func short(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

// id returns a fresh suffix for trigger ids, response_urls and event ids.
func (in *instance) id(prefix string) string {
	return fmt.Sprintf("%s%d", prefix, in.counter.Add(1))
}

// sign says how a request is signed.
type sign struct {
	none      bool          // no signature headers at all
	secret    string        // if set, sign with this secret instead
	skew      time.Duration // added to now for the timestamp
	signature string        // if set, sent as is
	tamper    bool          // sign one body, send another
}

// ack is the bot's answer to one request.
type ack struct {
	Status int
	Body   string
	Took   time.Duration
	Err    error
}

// post sends one request to the bot, signed as Slack signs it, and records
// the answer. It is safe to call from several goroutines.
func (in *instance) post(path, contentType string, body []byte, header http.Header, s sign) ack {
	ts := strconv.FormatInt(time.Now().Add(s.skew).Unix(), 10)
	req, err := http.NewRequest(http.MethodPost, "http://"+in.addr+path, bytes.NewReader(body))
	if err != nil {
		return ack{Err: err}
	}
	req.Header.Set("Content-Type", contentType)
	for k, vs := range header {
		req.Header[k] = vs
	}
	if !s.none {
		secret := in.secrets.signingSecret
		if s.secret != "" {
			secret = s.secret
		}
		signed := body
		if s.tamper {
			signed = append([]byte(nil), body...)
			signed = append(signed, ' ')
		}
		mac := hmac.New(sha256.New, []byte(secret))
		mac.Write([]byte("v0:" + ts + ":"))
		mac.Write(signed)
		sig := "v0=" + hex.EncodeToString(mac.Sum(nil))
		if s.signature != "" {
			sig = s.signature
		}
		req.Header.Set("X-Slack-Request-Timestamp", ts)
		req.Header.Set("X-Slack-Signature", sig)
	}
	start := time.Now()
	resp, err := in.http.Do(req)
	if err != nil {
		return ack{Err: err, Took: time.Since(start)}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	a := ack{Status: resp.StatusCode, Body: string(b), Took: time.Since(start), Err: err}
	in.mu.Lock()
	in.replies = append(in.replies, a.Body)
	in.mu.Unlock()
	return a
}

// checkAck reports a request not answered 2xx within Slack's 3 s.
func checkAck(t *testing.T, what string, a ack) bool {
	t.Helper()
	switch {
	case a.Err != nil:
		t.Errorf("%s: no answer: %v (after %s)", what, a.Err, a.Took)
	case a.Status < 200 || a.Status > 299:
		t.Errorf("%s: answered %d %q, want 2xx", what, a.Status, short(a.Body, 200))
	case a.Took > ackBudget:
		t.Errorf("%s: answered after %s, want within %s", what, a.Took, ackBudget)
	default:
		return true
	}
	return false
}

// slash is a slash command as sent, with where its answers go.
type slash struct {
	ack
	User, Channel, ResponseURL, TriggerID string
	mark                                  int
}

// command sends `/catweete text` from user in channel.
func (in *instance) command(user, channel, text string) slash {
	n := in.id("")
	c := slash{User: user, Channel: channel, ResponseURL: in.slack.newResponseURL("cmd" + n),
		TriggerID: "trigger-cmd-" + n, mark: in.slack.mark()}
	form := url.Values{
		"token": {"legacy-verification-token"}, "team_id": {"T1"}, "team_domain": {"e2e"},
		"channel_id": {channel}, "channel_name": {"team"}, "user_id": {user}, "user_name": {strings.ToLower(user)},
		"command": {slashCommand}, "text": {text}, "api_app_id": {"A1"},
		"response_url": {c.ResponseURL}, "trigger_id": {c.TriggerID},
	}
	c.ack = in.post("/slack/commands", "application/x-www-form-urlencoded", []byte(form.Encode()), nil, sign{})
	checkAck(in.t, fmt.Sprintf("%s %s", slashCommand, short(text, 40)), c.ack)
	return c
}

// answer is what the person who typed c saw: the ack's text, or the
// first message posted to its response_url (or an ephemeral to them).
func (in *instance) answer(c slash) string {
	in.t.Helper()
	if strings.TrimSpace(c.Body) != "" {
		var m map[string]any
		if json.Unmarshal([]byte(c.Body), &m) == nil {
			if s, ok := m["text"].(string); ok && s != "" {
				return s
			}
		} else {
			return c.Body
		}
	}
	path := mustPath(c.ResponseURL)
	return waitSlack(in, 5*time.Second, "the answer to "+slashCommand, c.mark, func(calls []apiCall, resps []responsePost) (string, bool) {
		for _, p := range resps {
			if p.Path == path {
				return p.text(), true
			}
		}
		for _, call := range calls {
			if call.Method == "chat.postEphemeral" && call.Form.Get("user") == c.User {
				return call.Form.Get("text"), true
			}
		}
		return "", false
	})
}

func mustPath(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		panic(err)
	}
	return p.Path
}

// waitSlack waits until f finds what it looks for in what the fake Slack
// recorded after mark, and fails the test at the deadline.
func waitSlack[T any](in *instance, timeout time.Duration, what string, mark int, f func([]apiCall, []responsePost) (T, bool)) T {
	in.t.Helper()
	v, ok := pollSlack(in, timeout, mark, f)
	if !ok {
		in.t.Fatalf("waited %s for %s: it did not come", timeout, what)
	}
	return v
}

// pollSlack is waitSlack without the failure.
func pollSlack[T any](in *instance, timeout time.Duration, mark int, f func([]apiCall, []responsePost) (T, bool)) (T, bool) {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		changed := in.slack.waitChange()
		if v, ok := f(in.slack.snapshot(mark)); ok {
			return v, true
		}
		select {
		case <-changed:
		case <-deadline.C:
			v, ok := f(in.slack.snapshot(mark))
			return v, ok
		}
	}
}

// waitMastodon waits until f is satisfied by the status requests recorded.
func waitMastodon[T any](in *instance, timeout time.Duration, what string, f func([]statusRequest) (T, bool)) T {
	in.t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		changed := in.masto.waitChange()
		if v, ok := f(in.masto.requests(0)); ok {
			return v
		}
		select {
		case <-changed:
		case <-deadline.C:
			if v, ok := f(in.masto.requests(0)); ok {
				return v
			}
			in.t.Fatalf("waited %s for %s: it did not come", timeout, what)
		}
	}
}

// card is an approval card as the bot posted it.
type card struct {
	Channel, TS string
	Blocks      []any
	Buttons     []button
}

// waitCard waits for the approval card whose text holds marker.
func (in *instance) waitCard(mark int, marker string) card {
	in.t.Helper()
	return waitSlack(in, 5*time.Second, "the approval card of "+marker, mark, func(calls []apiCall, _ []responsePost) (card, bool) {
		for _, c := range calls {
			if c.Method != "chat.postMessage" || c.Form.Get("thread_ts") != "" {
				continue
			}
			blocks := parseBlocks(c.Form.Get("blocks"))
			if !strings.Contains(allText(blocks), marker) {
				continue
			}
			return card{Channel: c.Channel, TS: c.TS, Blocks: blocks, Buttons: findButtons(blocks)}, true
		}
		return card{}, false
	})
}

// button finds the card's button whose action_id starts with prefix.
func (c card) button(t *testing.T, prefix string) button {
	t.Helper()
	for _, b := range c.Buttons {
		if strings.HasPrefix(b.ActionID, prefix) {
			return b
		}
	}
	t.Fatalf("the card has no button whose action_id starts with %q; its buttons: %+v", prefix, c.Buttons)
	return button{}
}

// updates returns the chat.update calls on this card, in order.
func updatesOf(calls []apiCall, c card) []apiCall {
	var out []apiCall
	for _, call := range calls {
		if call.Method == "chat.update" && call.Form.Get("ts") == c.TS {
			out = append(out, call)
		}
	}
	return out
}

// threadOf returns the messages posted in the card's thread.
func threadOf(calls []apiCall, c card) []apiCall {
	var out []apiCall
	for _, call := range calls {
		if call.Method == "chat.postMessage" && call.Form.Get("thread_ts") == c.TS {
			out = append(out, call)
		}
	}
	return out
}

// click is a button click as sent.
type click struct {
	ack
	User, ResponseURL, TriggerID string
	mark                         int
}

// click sends a block_actions payload for button b of card c, by user.
func (in *instance) click(user string, c card, b button) click {
	in.t.Helper()
	k := in.clickRaw(user, c, b)
	checkAck(in.t, fmt.Sprintf("%s clicking %s", user, b.ActionID), k.ack)
	return k
}

// clickRaw is click without checks, safe from any goroutine.
func (in *instance) clickRaw(user string, c card, b button) click {
	n := in.id("")
	k := click{User: user, ResponseURL: in.slack.newResponseURL("click" + n), TriggerID: "trigger-click-" + n, mark: in.slack.mark()}
	payload := map[string]any{
		"type": "block_actions", "team": map[string]any{"id": "T1", "domain": "e2e"},
		"user":       map[string]any{"id": user, "username": strings.ToLower(user), "team_id": "T1"},
		"api_app_id": "A1", "token": "legacy-verification-token", "trigger_id": k.TriggerID,
		"container":    map[string]any{"type": "message", "message_ts": c.TS, "channel_id": c.Channel, "is_ephemeral": false},
		"channel":      map[string]any{"id": c.Channel, "name": "approvals"},
		"message":      map[string]any{"type": "message", "ts": c.TS, "user": "UBOT", "text": "card", "blocks": c.Blocks},
		"response_url": k.ResponseURL,
		"actions": []any{map[string]any{
			"type": "button", "action_id": b.ActionID, "block_id": b.BlockID, "value": b.Value,
			"text": map[string]any{"type": "plain_text", "text": b.Text}, "action_ts": fmt.Sprintf("%d.000100", time.Now().Unix()),
		}},
	}
	k.ack = in.interact(payload)
	return k
}

// interact posts an interactivity payload.
func (in *instance) interact(payload any) ack {
	raw, err := json.Marshal(payload)
	if err != nil {
		panic(err)
	}
	form := url.Values{"payload": {string(raw)}}
	return in.post("/slack/interactivity", "application/x-www-form-urlencoded", []byte(form.Encode()), nil, sign{})
}

// refusal is what the bot told user privately after mark: an ephemeral
// message, or an ephemeral post to responseURL that leaves the original.
func refusalFor(user, responseURL string) func([]apiCall, []responsePost) (string, bool) {
	path := ""
	if responseURL != "" {
		path = mustPath(responseURL)
	}
	return func(calls []apiCall, resps []responsePost) (string, bool) {
		for _, c := range calls {
			if c.Method == "chat.postEphemeral" && c.Form.Get("user") == user {
				return c.Form.Get("text"), true
			}
		}
		for _, p := range resps {
			if p.Path != path {
				continue
			}
			replace, _ := p.Body["replace_original"].(bool)
			if p.Body["response_type"] == "ephemeral" && !replace {
				return p.text(), true
			}
		}
		return "", false
	}
}

// waitRefusal waits for what the bot tells the person who clicked.
func (in *instance) waitRefusal(k click) string {
	in.t.Helper()
	return waitSlack(in, 5*time.Second, "a private answer to "+k.User, k.mark, refusalFor(k.User, k.ResponseURL))
}

// modal is a view the bot opened.
type modal struct {
	TriggerID       string
	CallbackID      string
	PrivateMetadata string
	View            map[string]any
	Inputs          []modalInput
}

type modalInput struct {
	BlockID, ActionID, Type string
	Element                 map[string]any
}

// waitModal waits for views.open with this trigger_id.
func (in *instance) waitModal(mark int, triggerID string) modal {
	in.t.Helper()
	return waitSlack(in, 5*time.Second, "views.open with trigger "+triggerID, mark, func(calls []apiCall, _ []responsePost) (modal, bool) {
		for _, c := range calls {
			if c.Method != "views.open" {
				continue
			}
			if c.JSON["trigger_id"] != triggerID {
				continue
			}
			return parseModal(c.JSON), true
		}
		return modal{}, false
	})
}

func parseModal(j map[string]any) modal {
	m := modal{}
	m.TriggerID, _ = j["trigger_id"].(string)
	m.View, _ = j["view"].(map[string]any)
	m.CallbackID, _ = m.View["callback_id"].(string)
	m.PrivateMetadata, _ = m.View["private_metadata"].(string)
	blocks, _ := m.View["blocks"].([]any)
	for _, b := range blocks {
		bm, _ := b.(map[string]any)
		if bm["type"] != "input" {
			continue
		}
		el, _ := bm["element"].(map[string]any)
		in := modalInput{Element: el}
		in.BlockID, _ = bm["block_id"].(string)
		in.ActionID, _ = el["action_id"].(string)
		in.Type, _ = el["type"].(string)
		m.Inputs = append(m.Inputs, in)
	}
	return m
}

// textInputs are the modal's plain text inputs.
func (m modal) textInputs() []modalInput {
	var out []modalInput
	for _, in := range m.Inputs {
		if in.Type == "plain_text_input" {
			out = append(out, in)
		}
	}
	return out
}

// submit sends the view_submission of m by user, with text in every plain
// text input and every select left at its initial options, as Slack does.
func (in *instance) submit(user string, m modal, text string) ack {
	in.t.Helper()
	values := map[string]any{}
	for _, input := range m.Inputs {
		var v map[string]any
		switch input.Type {
		case "plain_text_input":
			v = map[string]any{"type": input.Type, "value": text}
		case "multi_static_select":
			initial, _ := input.Element["initial_options"].([]any)
			if initial == nil {
				initial = []any{}
			}
			v = map[string]any{"type": input.Type, "selected_options": initial}
		case "datetimepicker":
			v = map[string]any{"type": input.Type, "selected_date_time": nil}
		default:
			v = map[string]any{"type": input.Type}
		}
		values[input.BlockID] = map[string]any{input.ActionID: v}
	}
	view := map[string]any{}
	for k, v := range m.View {
		view[k] = v
	}
	view["id"] = "V" + in.id("")
	view["team_id"] = "T1"
	view["state"] = map[string]any{"values": values}
	view["hash"] = "h" + in.id("")
	payload := map[string]any{
		"type": "view_submission", "team": map[string]any{"id": "T1", "domain": "e2e"},
		"user":       map[string]any{"id": user, "username": strings.ToLower(user), "team_id": "T1"},
		"api_app_id": "A1", "token": "legacy-verification-token", "trigger_id": "trigger-view-" + in.id(""),
		"view": view,
	}
	a := in.interact(payload)
	checkAck(in.t, fmt.Sprintf("%s submitting %s", user, m.CallbackID), a)
	return a
}

// event sends an app_mention event_callback; retry > 0 adds Slack's retry
// headers.
func (in *instance) event(eventID, user, channel, ts, text string, retry int) ack {
	in.t.Helper()
	body, _ := json.Marshal(map[string]any{
		"token": "legacy-verification-token", "team_id": "T1", "api_app_id": "A1", "type": "event_callback",
		"event_id": eventID, "event_time": time.Now().Unix(), "authorizations": []any{map[string]any{"user_id": "UBOT", "is_bot": true}},
		"event": map[string]any{"type": "app_mention", "user": user, "text": text, "ts": ts, "channel": channel, "event_ts": ts},
	})
	var h http.Header
	if retry > 0 {
		h = http.Header{"X-Slack-Retry-Num": {strconv.Itoa(retry)}, "X-Slack-Retry-Reason": {"http_timeout"}}
	}
	a := in.post("/slack/events", "application/json", body, h, sign{})
	checkAck(in.t, "event "+eventID, a)
	return a
}

// count runs a COUNT query on the bot's database file.
func (in *instance) count(query string, args ...any) int {
	in.t.Helper()
	db, err := sql.Open("sqlite3", "file:"+in.dbPath+"?_busy_timeout=5000")
	if err != nil {
		in.t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow(query, args...).Scan(&n); err != nil {
		in.t.Fatalf("%s: %v", query, err)
	}
	return n
}

// value runs a one-value query on the bot's database file.
func (in *instance) value(query string, args ...any) string {
	in.t.Helper()
	db, err := sql.Open("sqlite3", "file:"+in.dbPath+"?_busy_timeout=5000")
	if err != nil {
		in.t.Fatal(err)
	}
	defer db.Close()
	var s sql.NullString
	if err := db.QueryRow(query, args...).Scan(&s); err != nil && !errors.Is(err, sql.ErrNoRows) {
		in.t.Fatalf("%s: %v", query, err)
	}
	return s.String
}

// draft sends `/catweete <verb> text` by the author and returns its card.
func (in *instance) draft(verb, text, marker string) (slash, card) {
	in.t.Helper()
	c := in.command(author, teamChannel, verb+" "+text)
	return c, in.waitCard(c.mark, marker)
}

// waitPublished waits for the link of post marker in the card's thread and
// returns it with the Mastodon request.
func (in *instance) waitPublished(c card, marker string, mark int) (statusRequest, apiCall) {
	in.t.Helper()
	st := waitMastodon(in, 10*time.Second, "the Mastodon status of "+marker, func(rs []statusRequest) (statusRequest, bool) {
		for _, r := range rs {
			if strings.Contains(r.Status, marker) {
				return r, true
			}
		}
		return statusRequest{}, false
	})
	link := statusURL(st.ID)
	msg := waitSlack(in, 10*time.Second, "the link "+link+" in the card's thread", mark, func(calls []apiCall, _ []responsePost) (apiCall, bool) {
		for _, m := range threadOf(calls, c) {
			if strings.Contains(m.Form.Get("text")+allText(parseBlocks(m.Form.Get("blocks"))), link) {
				return m, true
			}
		}
		return apiCall{}, false
	})
	return st, msg
}
