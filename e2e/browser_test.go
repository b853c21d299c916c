package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// chromiumPath is Debian's Chromium (package chromium), which .ci/run
// installs. Without it the browser tests skip, except in CI, where they fail.
const chromiumPath = "/usr/bin/chromium"

// TestBrowserStory walks the playground's whole story in a real browser,
// against the real binary started with no Slack configuration (so it serves
// the playground): the author types a draft, an approver approves it on the
// card, the card updates and its thread gets the sandbox link, a colleague
// asks "alors ça tweete ?" and reads the answer in the thread, then finds
// the post in the network tab and opens the app's Home tab. Every step
// leaves a screenshot in CATWEETE_E2E_ARTIFACTS.
func TestBrowserStory(t *testing.T) {
	t.Parallel()
	needChromium(t)
	pg := startPlayground(t)
	p := openPage(t, pg.base+"/")
	marker := "e2e-" + randomHex(4)

	// 1. The author drafts in #general; the answer is for her eyes only.
	p.switchUser("UAUTHOR")
	p.openChannel("CGENERAL")
	p.shot("general-empty")
	p.typeAndEnter("#composer", "/catweete brouillon Le playground tweete enfin ! 🐱 "+marker)
	answer := pollJS[string](p, "the author's private answer in #general", 15*time.Second, `(() => {
		const m = [...document.querySelectorAll('#messages .message[data-ephemeral="true"]')].pop();
		return m && m.textContent.includes('Visible uniquement par vous') ? m.innerText : '';
	})()`)
	t.Logf("the author saw: %q", short(answer, 300))
	if v := evalJS[string](p, "the composer", `document.querySelector('#composer').value`); v != "" {
		t.Errorf("the composer still holds %q after Enter, want it empty", v)
	}
	p.shot("author-drafted")

	// 2. The card waits in #approbations.
	p.openChannel("CAPPROVALS")
	cardTS := pollJS[string](p, "the approval card of "+marker+" with its Approve button", 15*time.Second, fmt.Sprintf(`(() => {
		const m = [...document.querySelectorAll('#messages .message[data-ts]')].find(e =>
			e.textContent.includes(%q) && e.querySelector('button[data-action-id="approve"]'));
		return m ? m.dataset.ts : '';
	})()`, marker))
	card := fmt.Sprintf(`#messages .message[data-ts=%q]`, cardTS)
	header := evalJS[string](p, "the card's header", `document.querySelector('`+card+` .bk-header').textContent`)
	t.Logf("card %s: %q", cardTS, header)
	p.shot("card-pending")

	// 3. An approver approves it.
	p.switchUser("UAPPROVER1")
	p.do("click Approve", 10*time.Second, chromedp.Click(chromedp.CSS(card+` button[data-action-id="approve"]`)))
	header = pollJS[string](p, "the card updated in place to approved or published", 20*time.Second, `(() => {
		const m = document.querySelector('`+card+`');
		const h = m && m.querySelector('.bk-header');
		return h && /publié|approuvé/.test(h.textContent) && !m.querySelector('button[data-action-id="approve"]') ? h.textContent : '';
	})()`)
	t.Logf("after the approval, the card says %q", header)
	p.shot("card-approved")

	// 4. Its thread gets the sandbox link.
	p.do("open the card's thread", 20*time.Second,
		chromedp.WaitVisible(chromedp.CSS(card+` .reply-count`)),
		chromedp.Click(chromedp.CSS(card+` .reply-count`)),
		chromedp.WaitVisible(chromedp.CSS(`.thread-pane[data-thread-ts="`+cardTS+`"]`)))
	link := pollJS[string](p, "the sandbox link in the card's thread", 30*time.Second, `(() => {
		const a = [...document.querySelectorAll('.thread-pane .message:not([data-ts=`+jsString(cardTS)+`]) a[href]')].find(a => /\/posts\//.test(a.href));
		return a ? a.href : '';
	})()`)
	t.Logf("published at %s", link)
	header = pollJS[string](p, "the card saying publié", 20*time.Second, `(() => {
		const h = document.querySelector('`+card+` .bk-header');
		return h && /publié/.test(h.textContent) ? h.textContent : '';
	})()`)
	t.Logf("the card now says %q", header)
	p.shot("thread-published")

	// 5. A colleague asks, and reads the answer in the thread.
	p.switchUser("UCOLLEAGUE")
	p.openChannel("CGENERAL")
	p.typeAndEnter("#composer", "@catweete alors ça tweete ?")
	askTS := pollJS[string](p, "the colleague's question in #general", 15*time.Second, `(() => {
		const m = [...document.querySelectorAll('#messages .message[data-user="UCOLLEAGUE"]')]
			.filter(e => e.textContent.includes('alors ça tweete')).pop();
		return m ? m.dataset.ts : '';
	})()`)
	ask := fmt.Sprintf(`#messages .message[data-ts=%q]`, askTS)
	p.do("open the question's thread", 20*time.Second,
		chromedp.WaitVisible(chromedp.CSS(ask+` .reply-count`)),
		chromedp.Click(chromedp.CSS(ask+` .reply-count`)),
		chromedp.WaitVisible(chromedp.CSS(`.thread-pane[data-thread-ts="`+askTS+`"]`)))
	reply := pollJS[string](p, "catweete's answer in the thread", 15*time.Second, `(() => {
		const m = [...document.querySelectorAll('.thread-pane .message.message-bot')].find(e => e.dataset.ts !== `+jsString(askTS)+`);
		return m ? m.querySelector('.message-body').innerText : '';
	})()`)
	t.Logf("catweete answered: %q", short(reply, 400))
	if !regexp.MustCompile(`(?i)oui|publié`).MatchString(reply) {
		t.Errorf("the answer to «alors ça tweete ?» after a publication = %q, want it to say yes (Oui… publié)", reply)
	}
	p.shot("colleague-answer")

	// 6. The network tab lists the post with its numbers.
	p.do("open the network tab", 10*time.Second, chromedp.Click(chromedp.ID("network-tab")))
	post := pollJS[string](p, "the post in the network tab", 15*time.Second, fmt.Sprintf(`(() => {
		const a = [...document.querySelectorAll('#network-posts .network-post')].find(e => e.textContent.includes(%q));
		return a ? a.innerText : '';
	})()`, marker))
	t.Logf("the network tab shows: %q", short(strings.Join(strings.Fields(post), " "), 300))
	p.shot("network")

	// 7. The app's Home tab, published by the bot for the colleague.
	p.do("open the Home tab", 10*time.Second, chromedp.Click(chromedp.ID("home-tab")))
	home := pollJS[string](p, "the colleague's Home tab", 15*time.Second,
		`document.querySelector('#home-blocks .home .bk-block') ? document.querySelector('#home-blocks').innerText : ''`)
	t.Logf("the Home tab shows: %q", short(strings.Join(strings.Fields(home), " "), 300))
	p.shot("home")

	p.checkNoErrors()
	checkPlaygroundLog(t, pg)
}

// TestBrowserModals drives the bot's own modals in the browser, against the
// real binary: the message shortcut "Proposer comme post" opens the draft
// modal prefilled with the message, its submission makes a card; "Demander
// des modifs" on that card asks for a reason, refused while empty, and the
// card then says so.
func TestBrowserModals(t *testing.T) {
	t.Parallel()
	needChromium(t)
	pg := startPlayground(t)
	p := openPage(t, pg.base+"/")
	marker := "e2e-" + randomHex(4)

	// 1. A colleague's message becomes a draft through the shortcut.
	p.switchUser("UCOLLEAGUE")
	p.openChannel("CGENERAL")
	p.typeAndEnter("#composer", "Nos chats ont leur compte, "+marker)
	msgTS := pollJS[string](p, "the colleague's message", 15*time.Second, fmt.Sprintf(`(() => {
		const m = [...document.querySelectorAll('#messages .message[data-user="UCOLLEAGUE"]')].find(e => e.textContent.includes(%q));
		return m ? m.dataset.ts : '';
	})()`, marker))
	msg := fmt.Sprintf(`#messages .message[data-ts=%q]`, msgTS)
	p.hover(msg)
	p.shot("shortcut-on-hover")
	p.do("use the shortcut", 10*time.Second, chromedp.Click(chromedp.CSS(msg+` .msg-shortcut`)))
	draft := pollJS[map[string]any](p, "the draft modal", 15*time.Second, `(() => {
		const m = document.querySelector('#modal-root .modal[data-view-id]');
		const t = m && m.querySelector('textarea.bk-input-field');
		return t ? {title: m.querySelector('.modal-title').textContent, text: t.value,
			checked: m.querySelectorAll('.bk-choices input:checked').length,
			pickers: m.querySelectorAll('input[type="datetime-local"]').length} : null;
	})()`)
	t.Logf("the draft modal: %v", draft)
	if text, _ := draft["text"].(string); !strings.Contains(text, marker) {
		t.Errorf("the draft modal holds %q, want the message's text", text)
	}
	if draft["checked"] == 0.0 {
		t.Errorf("the draft modal ticks no account, want its initial options ticked")
	}
	p.shot("draft-modal")
	p.do("submit the draft", 15*time.Second,
		chromedp.Click(chromedp.CSS(`#modal-root .modal-submit`)),
		chromedp.WaitNotPresent(chromedp.CSS(`#modal-root .modal`)))

	// 2. An approver asks for changes: the reason is required.
	p.switchUser("UAPPROVER2")
	p.openChannel("CAPPROVALS")
	cardTS := pollJS[string](p, "the card of the proposed post", 15*time.Second, fmt.Sprintf(`(() => {
		const m = [...document.querySelectorAll('#messages .message[data-ts]')].find(e =>
			e.textContent.includes(%q) && e.querySelector('button[data-action-id="request_changes"]'));
		return m ? m.dataset.ts : '';
	})()`, marker))
	card := fmt.Sprintf(`#messages .message[data-ts=%q]`, cardTS)
	p.do("ask for changes", 15*time.Second,
		chromedp.Click(chromedp.CSS(card+` button[data-action-id="request_changes"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#modal-root .modal textarea.bk-input-field`)))
	p.do("submit no reason", 10*time.Second,
		chromedp.Click(chromedp.CSS(`#modal-root .modal-submit`)),
		chromedp.WaitVisible(chromedp.CSS(`#modal-root .bk-input-error`)))
	p.shot("reason-required")
	p.do("give a reason", 15*time.Second,
		chromedp.SendKeys(chromedp.CSS(`#modal-root textarea.bk-input-field`), "Ajoutez le lien vers la page des chats"),
		chromedp.Click(chromedp.CSS(`#modal-root .modal-submit`)),
		chromedp.WaitNotPresent(chromedp.CSS(`#modal-root .modal`)))
	header := pollJS[string](p, "the card saying modifications demandées", 15*time.Second, `(() => {
		const h = document.querySelector('`+card+` .bk-header');
		return h && /modifications demandées/.test(h.textContent) ? h.textContent : '';
	})()`)
	t.Logf("the card now says %q", header)
	p.shot("changes-requested")
	p.checkNoErrors()
	checkPlaygroundLog(t, pg)
}

// needChromium skips the test without Chromium, except in CI.
func needChromium(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true but %s is missing (%v): .ci/run installs Debian's chromium", chromiumPath, err)
		}
		t.Skipf("%s is missing: apt-get install chromium to run the browser tests", chromiumPath)
	}
}

// checkPlaygroundLog fails on a panic or a data race in the log of the
// binary that startPlayground (playground_test.go) runs.
func checkPlaygroundLog(t *testing.T, pg *playgroundRun) {
	t.Helper()
	logs := pg.logs.String()
	for _, bad := range []string{"panic", "DATA RACE", "fatal error"} {
		if i := strings.Index(logs, bad); i >= 0 {
			t.Errorf("the playground's log holds %q:\n%s", bad, short(logs[max(i-200, 0):], 1500))
		}
	}
}

// page is one browser tab on the playground page.
type page struct {
	t     *testing.T
	ctx   context.Context
	shots string
	n     int

	mu       sync.Mutex
	problems []string // exceptions and console errors of the page
}

// openPage starts a headless Chromium of its own (fresh profile), opens url
// and waits until the page has loaded the playground's state.
func openPage(t *testing.T, url string) *page {
	t.Helper()
	p := &page{t: t, shots: artifactsDir(t)}
	t.Logf("screenshots go to %s", p.shots)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("lang", "fr-FR"),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1440, 900),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(allocCtx,
		chromedp.WithLogf(func(string, ...any) {}),
		chromedp.WithListener(p.listen))
	t.Cleanup(func() {
		cancelTab()
		cancelAlloc()
	})
	p.ctx = ctx
	// The first Do starts the browser: with no timeout, so that it lives as
	// long as the test.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting %s: %v", chromiumPath, err)
	}
	p.do("open "+url, 20*time.Second,
		chromedp.Navigate(url),
		chromedp.WaitVisible(chromedp.CSS(`#app[data-ready="true"]`)))
	return p
}

func (p *page) listen(ev any) {
	var problem string
	switch ev := ev.(type) {
	case *runtime.EventExceptionThrown:
		d := ev.ExceptionDetails
		problem = "exception: " + d.Text
		if d.Exception != nil && d.Exception.Description != "" {
			problem += " " + d.Exception.Description
		}
		problem += fmt.Sprintf(" (%s:%d)", d.URL, d.LineNumber+1)
	case *runtime.EventConsoleAPICalled:
		if ev.Type != runtime.ConsoleAPICalledTypeError {
			return
		}
		var parts []string
		for _, a := range ev.Args {
			if len(a.Value) > 0 {
				parts = append(parts, string(a.Value))
			} else {
				parts = append(parts, a.Description)
			}
		}
		problem = "console.error: " + strings.Join(parts, " ")
	default:
		return
	}
	p.mu.Lock()
	p.problems = append(p.problems, problem)
	p.mu.Unlock()
}

// artifactsDir is where the screenshots go: $CATWEETE_E2E_ARTIFACTS/<test>,
// or a temporary directory.
func artifactsDir(t *testing.T) string {
	t.Helper()
	root := os.Getenv("CATWEETE_E2E_ARTIFACTS")
	if root == "" {
		return t.TempDir()
	}
	dir := filepath.Join(root, strings.ReplaceAll(t.Name(), "/", "_"))
	// This test's own folder: last run's pictures would mix with these.
	if err := os.RemoveAll(dir); err != nil {
		t.Fatalf("CATWEETE_E2E_ARTIFACTS: %v", err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatalf("CATWEETE_E2E_ARTIFACTS: %v", err)
	}
	return dir
}

// do runs actions within timeout, and fails the test with a screenshot and
// what the page shows when they fail.
func (p *page) do(what string, timeout time.Duration, actions ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, timeout)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		p.fail(what, err)
	}
}

// evalJS evaluates expr in the page.
func evalJS[T any](p *page, what, expr string) T {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 10*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		p.fail(what, err)
	}
	return v
}

// pollJS waits until expr is truthy and returns its value.
func pollJS[T any](p *page, what string, timeout time.Duration, expr string) T {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, timeout+5*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Poll[T](expr,
		chromedp.WithPollingInterval(100*time.Millisecond), chromedp.WithPollingTimeout(timeout)))
	if err != nil {
		p.fail("waiting "+timeout.String()+" for "+what, err)
	}
	return v
}

// fail ends the test, after a screenshot and the page's visible text.
func (p *page) fail(what string, err error) {
	p.t.Helper()
	p.shot("FAILED")
	ctx, cancel := context.WithTimeout(p.ctx, 5*time.Second)
	defer cancel()
	text, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.innerText`))
	p.mu.Lock()
	problems := strings.Join(p.problems, "\n")
	p.mu.Unlock()
	p.t.Fatalf("%s: %v\nthe page shows:\n%s\nthe page's errors:\n%s", what, err, short(text, 4000), problems)
}

// shot saves a PNG of the viewport as NN-name.png.
func (p *page) shot(name string) {
	p.t.Helper()
	p.n++
	ctx, cancel := context.WithTimeout(p.ctx, 10*time.Second)
	defer cancel()
	// Let the page paint what it just received.
	chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))`, chromedp.EvalAwaitPromise)) //nolint:errcheck // only a pause
	buf, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		p.t.Errorf("screenshot %s: %v", name, err)
		return
	}
	file := filepath.Join(p.shots, fmt.Sprintf("%02d-%s.png", p.n, name))
	if err := os.WriteFile(file, buf, 0o644); err != nil {
		p.t.Errorf("screenshot %s: %v", name, err)
	}
}

// switchUser picks a person in the user switcher, as a person would.
func (p *page) switchUser(id string) {
	p.t.Helper()
	p.do("switch to "+id, 10*time.Second,
		chromedp.SetValue(chromedp.ID("user-switcher"), id),
		chromedp.Evaluate[chromedp.Void](`document.querySelector('#user-switcher').dispatchEvent(new Event('change', {bubbles: true}))`),
		chromedp.WaitVisible(chromedp.CSS(`body[data-user=`+jsString(id)+`]`)))
}

// openChannel clicks a channel in the sidebar.
func (p *page) openChannel(id string) {
	p.t.Helper()
	p.do("open channel "+id, 10*time.Second,
		chromedp.Click(chromedp.CSS(`.channel-item[data-channel-id=`+jsString(id)+`]`)),
		chromedp.WaitVisible(chromedp.CSS(`body[data-tab="channel"][data-channel=`+jsString(id)+`] #composer`)))
}

// typeAndEnter types text into a composer and presses Enter.
func (p *page) typeAndEnter(sel, text string) {
	p.t.Helper()
	p.do("type "+short(text, 40), 10*time.Second,
		chromedp.Click(chromedp.CSS(sel)),
		chromedp.SendKeys(chromedp.CSS(sel), text),
		enterKey)
}

// enterKey presses Enter as a keyboard does. SendKeys's "\n" adds a char
// event after the keydown, which would type a line break into the composer
// after the page has sent and emptied it; a real keyboard's char event is
// dropped when the page cancels the keydown.
var enterKey = chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
	for _, typ := range []input.DispatchKeyEventType{input.DispatchKeyEventTypeRawKeyDown, input.DispatchKeyEventTypeKeyUp} {
		_, err := cdp.Call(ctx, t, input.DispatchKeyEvent, input.DispatchKeyEventParams{
			Type: typ, Key: "Enter", Code: "Enter", WindowsVirtualKeyCode: 13, NativeVirtualKeyCode: 13,
		})
		if err != nil {
			return err
		}
	}
	return nil
})

// hover moves the mouse over the element that sel finds, so that what shows
// on hover (a message's tools) can be clicked.
func (p *page) hover(sel string) {
	p.t.Helper()
	xy := evalJS[[]float64](p, "where "+sel+" is", `(() => {
		const e = document.querySelector(`+jsString(sel)+`);
		e.scrollIntoView({block: 'center'});
		const r = e.getBoundingClientRect();
		return [r.left + r.width / 2, r.top + r.height / 2];
	})()`)
	p.do("hover "+sel, 5*time.Second, chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, xy[0], xy[1]))
}

// checkNoErrors fails on an error banner or a script error in the page.
func (p *page) checkNoErrors() {
	p.t.Helper()
	if banner := evalJS[string](p, "the error banner", `[...document.querySelectorAll('#error-banner .error-item')].map(e => e.innerText).join('\n')`); banner != "" {
		p.t.Errorf("the page shows errors:\n%s", banner)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, problem := range p.problems {
		p.t.Errorf("the page logged: %s", problem)
	}
}

// jsString quotes s for JavaScript and CSS.
func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
