package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"catweete/storage"
	"catweete/workflows"
)

// rateLimited answers Slack's 429 with Retry-After, after keeping the
// message (posted: Slack wrote it before it refused the answer) or not.
func rateLimited(f *fakeSlack, retryAfter string, posted bool, c apiCall, w http.ResponseWriter) {
	if posted {
		f.keep(c)
	}
	w.Header().Set("Retry-After", retryAfter)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusTooManyRequests)
	w.Write([]byte(`{"ok":false,"error":"ratelimited"}`)) //nolint:errcheck // test server
}

// firstOnly answers the first call whose want holds with answer, and lets
// the fake answer every other call as Slack does.
func firstOnly(want func(apiCall) bool, answer func(w http.ResponseWriter, c apiCall)) hookFunc {
	var once sync.Once
	return func(w http.ResponseWriter, _ *http.Request, c apiCall) bool {
		if !want(c) {
			return false
		}
		hit := false
		once.Do(func() { hit = true })
		if hit {
			answer(w, c)
		}
		return hit
	}
}

func every(apiCall) bool { return true }

// withMeta returns the messages that carry metadata of kind.
func withMeta(msgs []fakeMessage, kind string) []fakeMessage {
	var out []fakeMessage
	for _, m := range msgs {
		if m.Metadata["event_type"] == kind {
			out = append(out, m)
		}
	}
	return out
}

// recordedSleep is a SleepFunc that remembers what it was asked to wait,
// and does not wait.
type recordedSleep struct {
	mu    sync.Mutex
	waits []time.Duration
}

func (s *recordedSleep) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.waits = append(s.waits, d)
	s.mu.Unlock()
	return ctx.Err()
}

func (s *recordedSleep) asked() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.waits...)
}

// draftWithoutCard stores a post whose card Slack did not take, and checks
// the error says so (and is want, when want is not nil).
func (f *fixture) draftWithoutCard(t *testing.T, text string, want error) workflows.Post {
	t.Helper()
	p, err := f.svc.Draft(t.Context(), workflows.DraftRequest{AuthorID: "UAUTHOR", Text: text, OriginChannel: "C1"})
	if p.ID == 0 || err == nil || want != nil && !errors.Is(err, want) {
		t.Fatalf("Draft = %+v, %v; want the post stored and its card not shown (%v)", p, err, want)
	}
	return p
}

// TestCardIsPostedOnceThrough429s: chat.postMessage answers 429 with
// Retry-After: 1, having posted the card or not. Either way there is one
// card afterwards, and the post records its ts; the search, or the second
// post, comes no earlier than a second after the first attempt.
func TestCardIsPostedOnceThrough429s(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name       string
		posted     bool
		wantPosts  int // chat.postMessage calls
		wantSearch int // conversations.history calls
	}{
		{"PostedBeforeThe429", true, 1, 1},
		{"NotPosted", false, 2, 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var f *fixture
			f = setup(t, func(o *setupOptions) {
				o.hooks = map[string]hookFunc{"chat.postMessage": firstOnly(every, func(w http.ResponseWriter, c apiCall) {
					rateLimited(f.slack, "1", tt.posted, c, w)
				})}
			})
			post := f.draft(t, "Ça tweete !")
			cards := withMeta(f.slack.posted(testApproval), metaCard)
			if len(cards) != 1 {
				t.Fatalf("%d cards in the channel, want 1: %+v", len(cards), f.slack.posted(testApproval))
			}
			if post.CardTS != cards[0].TS || post.CardChannel != testApproval {
				t.Errorf("the post records card %s/%s, want %s/%s", post.CardChannel, post.CardTS, testApproval, cards[0].TS)
			}
			if key := cards[0].Metadata["event_payload"].(map[string]any)["key"]; key != cardKey(post.ID) {
				t.Errorf("card key %v, want %s", key, cardKey(post.ID))
			}
			calls := f.slack.snapshot()
			posts, searches := only(calls, "chat.postMessage"), only(calls, "conversations.history")
			if len(posts) != tt.wantPosts || len(searches) != tt.wantSearch {
				t.Fatalf("%d chat.postMessage and %d conversations.history, want %d and %d: %s",
					len(posts), len(searches), tt.wantPosts, tt.wantSearch, methods(calls))
			}
			s := searches[0]
			if s.field("channel") != testApproval || s.field("include_all_metadata") != "1" || s.field("oldest") == "" {
				t.Errorf("search %v, want the approval channel, with metadata, since the attempt", s.Form)
			}
			// Retry-After: 1 is honoured: nothing is asked within the second.
			if waited := s.At.Sub(posts[0].At); waited < time.Second {
				t.Errorf("searched %s after the 429, want at least Retry-After's 1 s", waited)
			}
			if tt.wantPosts == 2 {
				if waited := posts[1].At.Sub(posts[0].At); waited < time.Second {
					t.Errorf("posted again %s after the 429, want at least Retry-After's 1 s", waited)
				}
				if posts[1].field("metadata") != posts[0].field("metadata") {
					t.Errorf("the second attempt carries other metadata: %s, then %s", posts[0].field("metadata"), posts[1].field("metadata"))
				}
			}
		})
	}
}

// TestRetryAfterIsWhatIsWaited: the wait asked of the sleeper is Slack's
// Retry-After, for chat.postMessage and chat.update alike.
func TestRetryAfterIsWhatIsWaited(t *testing.T) {
	t.Parallel()
	sleeps := &recordedSleep{}
	var f *fixture
	f = setup(t, func(o *setupOptions) {
		o.sleep = sleeps.sleep
		o.hooks = map[string]hookFunc{
			"chat.postMessage": firstOnly(every, func(w http.ResponseWriter, c apiCall) { rateLimited(f.slack, "7", true, c, w) }),
			"chat.update":      firstOnly(every, func(w http.ResponseWriter, c apiCall) { rateLimited(f.slack, "3", false, c, w) }),
		}
	})
	post := f.draft(t, "Ça tweete !")
	if _, err := f.svc.Approve(t.Context(), post.ID, post.Version, "U2"); err != nil {
		t.Fatal(err)
	}
	if got := sleeps.asked(); len(got) != 2 || got[0] != 7*time.Second || got[1] != 3*time.Second {
		t.Errorf("waits %v, want [7s 3s]: Retry-After of the 429 on chat.postMessage, then on chat.update", got)
	}
	if n := len(withMeta(f.slack.posted(testApproval), metaCard)); n != 1 {
		t.Errorf("%d cards, want 1", n)
	}
}

// TestCardUpdateIsRetriedAfterRetryAfter: chat.update is idempotent: a 429
// is followed by the same update once Retry-After has passed, and by one
// update only.
func TestCardUpdateIsRetriedAfterRetryAfter(t *testing.T) {
	t.Parallel()
	var f *fixture
	f = setup(t, func(o *setupOptions) {
		o.hooks = map[string]hookFunc{"chat.update": firstOnly(every, func(w http.ResponseWriter, c apiCall) { rateLimited(f.slack, "1", false, c, w) })}
	})
	post := f.draft(t, "Ça tweete !")
	if _, err := f.svc.Approve(t.Context(), post.ID, post.Version, "U2"); err != nil {
		t.Fatal(err)
	}
	updates := only(f.slack.snapshot(), "chat.update")
	if len(updates) != 2 {
		t.Fatalf("%d chat.update calls, want the refused one and its retry", len(updates))
	}
	if updates[1].field("ts") != post.CardTS || updates[1].field("blocks") != updates[0].field("blocks") {
		t.Errorf("the retry is not the same update of card %s", post.CardTS)
	}
	if waited := updates[1].At.Sub(updates[0].At); waited < time.Second {
		t.Errorf("retried %s after the 429, want at least Retry-After's 1 s", waited)
	}
	if n := len(only(f.slack.snapshot(), "conversations.history")); n != 0 {
		t.Errorf("%d searches for an update, which is simply retried", n)
	}
}

// TestThreadLineAlertAndDigestArePostedOnce: the other messages catweete
// posts go through the same care: a line in a card's thread (searched in
// the thread), an alert and the digest (searched in the channel).
func TestThreadLineAlertAndDigestArePostedOnce(t *testing.T) {
	t.Parallel()
	inThread := func(c apiCall) bool { return c.field("thread_ts") != "" }
	inChannel := func(channel string) func(apiCall) bool {
		return func(c apiCall) bool { return c.field("channel") == channel && c.field("thread_ts") == "" }
	}
	for _, tt := range []struct {
		name    string
		hookOn  func(apiCall) bool
		do      func(t *testing.T, f *fixture) string // returns the channel to look in
		kind    string
		search  string
		threads bool
	}{
		{"ThreadLine", inThread, func(t *testing.T, f *fixture) string {
			post := f.draft(t, "Ça tweete !")
			if _, err := f.svc.Edit(t.Context(), post.ID, post.Version, "UAUTHOR", "Ça tweete encore !"); err != nil {
				t.Fatal(err)
			}
			return testApproval
		}, metaLine, "conversations.replies", true},
		{"Alert", inChannel(testApproval), func(t *testing.T, f *fixture) string {
			card := workflows.Card{Post: workflows.Post{ID: 3, CardChannel: testApproval}, Location: time.UTC}
			ev := workflows.Event{Kind: workflows.EventAccountRejected, Account: &storage.Account{ID: 1, Network: "mastodon", Handle: "@cat"}, Reason: "401"}
			if err := f.notifier.Alert(t.Context(), card, ev); err != nil {
				t.Fatal(err)
			}
			return testApproval
		}, metaAlert, "conversations.history", false},
		{"Digest", inChannel("CDIGEST"), func(t *testing.T, f *fixture) string {
			if err := f.bot.PostDigest(t.Context(), "CDIGEST"); err != nil {
				t.Fatal(err)
			}
			return "CDIGEST"
		}, metaDigest, "conversations.history", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var f *fixture
			f = setup(t, func(o *setupOptions) {
				o.hooks = map[string]hookFunc{"chat.postMessage": firstOnly(tt.hookOn, func(w http.ResponseWriter, c apiCall) {
					rateLimited(f.slack, "1", true, c, w)
				})}
			})
			channel := tt.do(t, f)
			f.shutdown(t)
			if got := withMeta(f.slack.posted(channel), tt.kind); len(got) != 1 {
				t.Fatalf("%d messages of kind %s in %s, want 1: %+v", len(got), tt.kind, channel, f.slack.posted(channel))
			}
			searches := only(f.slack.snapshot(), tt.search)
			if len(searches) != 1 || searches[0].field("include_all_metadata") != "1" {
				t.Fatalf("%s asked %d times, want once with metadata", tt.search, len(searches))
			}
			if tt.threads && searches[0].field("ts") == "" {
				t.Errorf("the thread was not named in the search: %v", searches[0].Form)
			}
		})
	}
}

// TestLostAnswerIsSearchedBeforePostingAgain: the card went out but the
// answer never came (a timeout): the card is found and adopted.
func TestLostAnswerIsSearchedBeforePostingAgain(t *testing.T) {
	t.Parallel()
	var f *fixture
	f = setup(t, func(o *setupOptions) {
		o.callTimeout = 200 * time.Millisecond
		o.hooks = map[string]hookFunc{"chat.postMessage": func() hookFunc {
			var once sync.Once
			return func(_ http.ResponseWriter, r *http.Request, c apiCall) bool {
				first := false
				once.Do(func() { first = true })
				if !first {
					return false
				}
				f.slack.keep(c)
				<-r.Context().Done() // the answer is lost
				return true
			}
		}()}
	})
	post := f.draft(t, "Ça tweete !")
	cards := withMeta(f.slack.posted(testApproval), metaCard)
	if len(cards) != 1 || post.CardTS != cards[0].TS {
		t.Fatalf("cards %+v, post's card %q: want one card, recorded", cards, post.CardTS)
	}
	if n := len(only(f.slack.snapshot(), "chat.postMessage")); n != 1 {
		t.Errorf("%d chat.postMessage, want 1: the card was found", n)
	}
}

// TestCardNotPostedWhenTheSearchFails: after a 429, a search that cannot
// be made leaves the card unposted (it may be there), says so, and the
// next attempt (the sweep's) searches first and adopts the card.
func TestCardNotPostedWhenTheSearchFails(t *testing.T) {
	t.Parallel()
	var f *fixture
	f = setup(t, func(o *setupOptions) {
		o.hooks = map[string]hookFunc{
			"chat.postMessage": firstOnly(every, func(w http.ResponseWriter, c apiCall) { rateLimited(f.slack, "1", true, c, w) }),
			"conversations.history": firstOnly(every, func(w http.ResponseWriter, _ apiCall) {
				w.Header().Set("Content-Type", "application/json")
				w.Write([]byte(`{"ok":false,"error":"fatal_error"}`)) //nolint:errcheck // test server
			}),
		}
	})
	ctx := t.Context()
	post := f.draftWithoutCard(t, "Ça tweete !", ErrMaybePosted)
	if post.CardTS != "" {
		t.Fatalf("card %q recorded, though no answer said where it is", post.CardTS)
	}
	if n := len(only(f.slack.snapshot(), "chat.postMessage")); n != 1 {
		t.Fatalf("%d chat.postMessage: posted again without knowing", n)
	}
	if err := f.svc.Sweep(ctx); err != nil {
		t.Fatalf("Sweep: %v", err)
	}
	got, _ := f.svc.Post(ctx, post.ID)
	cards := withMeta(f.slack.posted(testApproval), metaCard)
	if len(cards) != 1 || got.CardTS != cards[0].TS {
		t.Fatalf("after the sweep: cards %+v, post's card %q; want the one card, adopted", cards, got.CardTS)
	}
	if n := len(only(f.slack.snapshot(), "chat.postMessage")); n != 1 {
		t.Errorf("%d chat.postMessage, want the first alone", n)
	}
	// Adopted, it is redrawn as the post is now.
	if updates := only(f.slack.snapshot(), "chat.update"); len(updates) != 1 || updates[0].field("ts") != cards[0].TS {
		t.Errorf("chat.update %d times, want the adopted card redrawn once", len(updates))
	}
}

// TestCardPostedWhenTheHistoryScopesAreMissing: an app installed before
// catweete searched its channels cannot look for a card that may have
// been posted; it posts it again, and tells the operator why, rather than
// leaving the post without a card.
func TestCardPostedWhenTheHistoryScopesAreMissing(t *testing.T) {
	t.Parallel()
	var f *fixture
	logs := &recordedLog{}
	f = setup(t, withLog(logs), func(o *setupOptions) {
		o.hooks = map[string]hookFunc{
			"chat.postMessage": firstOnly(every, func(w http.ResponseWriter, c apiCall) { rateLimited(f.slack, "1", false, c, w) }),
			"conversations.history": func(w http.ResponseWriter, _ *http.Request, _ apiCall) bool {
				w.Header().Set("Content-Type", "application/json")
				w.Write([]byte(`{"ok":false,"error":"missing_scope","needed":"channels:history"}`)) //nolint:errcheck // test server
				return true
			},
		}
	})
	post := f.draft(t, "Ça tweete !")
	cards := withMeta(f.slack.posted(testApproval), metaCard)
	if len(cards) != 1 || post.CardTS != cards[0].TS {
		t.Fatalf("cards %+v, post's card %q; want one card, posted after the 429", cards, post.CardTS)
	}
	if !strings.Contains(logs.all(), "lacks the history scopes") {
		t.Errorf("no log line names the missing scopes:\n%s", logs.all())
	}
}

// TestSweepFindsACardPostedBeforeARestart: catweete stopped after Slack
// took the card and before the card was recorded. After the restart the
// post is no longer fresh: the sweep searches the channel and adopts the
// card rather than posting a second one. A post with no card anywhere
// gets one.
func TestSweepFindsACardPostedBeforeARestart(t *testing.T) {
	t.Parallel()
	var clock struct {
		sync.Mutex
		skew time.Duration
	}
	later := func() time.Time {
		clock.Lock()
		defer clock.Unlock()
		return time.Now().Add(clock.skew)
	}
	var f *fixture
	refuse := true
	var mu sync.Mutex
	f = setup(t, func(o *setupOptions) {
		o.now = later
		o.hooks = map[string]hookFunc{"chat.postMessage": func(w http.ResponseWriter, _ *http.Request, c apiCall) bool {
			mu.Lock()
			defer mu.Unlock()
			if !refuse {
				return false
			}
			// Slack took the card of the first post; the answer never
			// reached a catweete that was stopping. The second post's card
			// was refused.
			if strings.Contains(c.field("metadata"), `"post-1"`) {
				f.slack.keep(c)
			}
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`{"ok":false,"error":"not_in_channel"}`)) //nolint:errcheck // test server
			return true
		}}
	})
	ctx := t.Context()
	first, second := f.draftWithoutCard(t, "Premier", nil), f.draftWithoutCard(t, "Second", nil)
	if first.CardTS != "" || second.CardTS != "" {
		t.Fatal("cards recorded though Slack refused them")
	}
	mu.Lock()
	refuse = false
	mu.Unlock()
	clock.Lock()
	clock.skew = time.Minute // the restart, and the sweep's minute
	clock.Unlock()
	if err := f.svc.Sweep(ctx); err != nil {
		t.Fatalf("Sweep: %v", err)
	}
	cards := withMeta(f.slack.posted(testApproval), metaCard)
	if len(cards) != 2 {
		t.Fatalf("%d cards, want one per post: %+v", len(cards), cards)
	}
	for i, p := range []workflows.Post{first, second} {
		got, _ := f.svc.Post(ctx, p.ID)
		if got.CardTS != cards[i].TS {
			t.Errorf("post %d records card %q, want %q", p.ID, got.CardTS, cards[i].TS)
		}
	}
	if n := len(only(f.slack.snapshot(), "conversations.history")); n != 2 {
		t.Errorf("%d searches, want one per post without a card", n)
	}
}

// TestPostOnceGivesUp: Slack refusing for good is not retried; a 429 that
// keeps coming ends after a few attempts, each searched first.
func TestPostOnceGivesUp(t *testing.T) {
	t.Parallel()
	t.Run("DefiniteRefusal", func(t *testing.T) {
		t.Parallel()
		f := setup(t, func(o *setupOptions) {
			o.hooks = map[string]hookFunc{"chat.postMessage": func(w http.ResponseWriter, _ *http.Request, _ apiCall) bool {
				w.Header().Set("Content-Type", "application/json")
				w.Write([]byte(`{"ok":false,"error":"channel_not_found"}`)) //nolint:errcheck // test server
				return true
			}}
		})
		_, _, err := f.notifier.post(t.Context(), outgoing{channel: "CGONE", kind: metaAlert, key: newKey()})
		if err == nil || errors.Is(err, ErrMaybePosted) {
			t.Errorf("post = %v, want channel_not_found, certain", err)
		}
		if calls := f.slack.snapshot(); len(only(calls, "chat.postMessage")) != 1 || len(only(calls, "conversations.history")) != 0 {
			t.Errorf("Slack was asked %s, want one chat.postMessage", methods(calls))
		}
	})
	t.Run("RateLimitedThrice", func(t *testing.T) {
		t.Parallel()
		sleeps := &recordedSleep{}
		var f *fixture
		f = setup(t, func(o *setupOptions) {
			o.sleep = sleeps.sleep
			o.hooks = map[string]hookFunc{"chat.postMessage": func(w http.ResponseWriter, _ *http.Request, c apiCall) bool {
				rateLimited(f.slack, "2", false, c, w)
				return true
			}}
		})
		_, _, err := f.notifier.post(t.Context(), outgoing{channel: testApproval, kind: metaAlert, key: newKey()})
		if err == nil || errors.Is(err, ErrMaybePosted) {
			t.Errorf("post = %v, want an error that says it was not posted", err)
		}
		calls := f.slack.snapshot()
		if len(only(calls, "chat.postMessage")) != postAttempts || len(only(calls, "conversations.history")) != postAttempts {
			t.Errorf("Slack was asked %s, want %d attempts, each followed by a search", methods(calls), postAttempts)
		}
		if got := sleeps.asked(); len(got) != postAttempts || got[0] != 2*time.Second {
			t.Errorf("waits %v, want Retry-After (2s) after each attempt", got)
		}
	})
}

// TestMessageMetadataIsSlacks: what the metadata looks like on the wire,
// as Slack documents it (event_type, event_payload).
func TestMessageMetadataIsSlacks(t *testing.T) {
	t.Parallel()
	f := setup(t)
	post := f.draft(t, "Ça tweete !")
	var meta struct {
		EventType    string         `json:"event_type"`
		EventPayload map[string]any `json:"event_payload"`
	}
	call := only(f.slack.snapshot(), "chat.postMessage")[0]
	if err := json.Unmarshal([]byte(call.field("metadata")), &meta); err != nil {
		t.Fatalf("metadata %q: %v", call.field("metadata"), err)
	}
	if meta.EventType != metaCard || meta.EventPayload["key"] != cardKey(post.ID) || meta.EventPayload["post_id"] != float64(post.ID) {
		t.Errorf("metadata %+v, want %s with key %s and post_id %d", meta, metaCard, cardKey(post.ID), post.ID)
	}
	if got := fmt.Sprint(len(newKey())); got != "24" || newKey() == newKey() {
		t.Errorf("keys of thread lines are not fresh random keys")
	}
}

// TestWhichAnswersLeaveItOpen: which errors of chat.postMessage may follow
// a message that was posted (searched for, after the wait returned), and
// which say it was not (returned as they are).
func TestWhichAnswersLeaveItOpen(t *testing.T) {
	t.Parallel()
	live := context.Background()
	ended, cancel := context.WithCancel(context.Background())
	cancel()
	refused := &url.Error{Op: "Post", URL: "https://slack.example/api/chat.postMessage", Err: &net.OpError{Op: "dial", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}}
	timedOut := &url.Error{Op: "Post", URL: "https://slack.example/api/chat.postMessage", Err: context.DeadlineExceeded}
	reset := &url.Error{Op: "Post", URL: "https://slack.example/api/chat.postMessage", Err: io.ErrUnexpectedEOF}
	for _, tt := range []struct {
		name      string
		ctx       context.Context
		err       error
		wait      time.Duration
		uncertain bool
	}{
		{"RateLimited", live, &slack.RateLimitedError{RetryAfter: 5 * time.Second}, 5 * time.Second, true},
		{"RateLimitedRetryAfterZero", live, &slack.RateLimitedError{}, time.Second, true},
		{"TooManyRequestsWithoutRetryAfter", live, slack.StatusCodeError{Code: 429, Status: "429 Too Many Requests"}, time.Second, true},
		{"ServerError", live, slack.StatusCodeError{Code: 503, Status: "503 Service Unavailable"}, time.Second, true},
		{"NotFound", live, slack.StatusCodeError{Code: 404, Status: "404 Not Found"}, 0, false},
		{"SlackSaidNo", live, slack.SlackErrorResponse{Err: "channel_not_found"}, 0, false},
		{"ConnectionRefused", live, refused, 0, false},
		{"Timeout", live, timedOut, time.Second, true},
		{"AnswerCutShort", live, reset, time.Second, true},
		{"OwnDeadline", live, fmt.Errorf("post: %w", context.DeadlineExceeded), time.Second, true},
		{"NoTimeLeft", ended, &slack.RateLimitedError{RetryAfter: time.Second}, 0, false},
	} {
		wait, unclear := uncertain(tt.ctx, tt.err)
		if wait != tt.wait || unclear != tt.uncertain {
			t.Errorf("%s: uncertain = %s, %v; want %s, %v", tt.name, wait, unclear, tt.wait, tt.uncertain)
		}
	}
}
