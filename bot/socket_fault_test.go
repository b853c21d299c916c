package bot

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"catweete/storage"
	"catweete/storage/storagetest"
)

// botLog keeps the bot's log records, for the tests to read what it did
// and how long it chose to wait.
type botLog struct {
	mu      sync.Mutex
	records []slog.Record
	changed chan struct{}
}

func newBotLog(f *fixture) *botLog {
	l := &botLog{changed: make(chan struct{})}
	f.bot.log = slog.New(l)
	return l
}

func (l *botLog) Enabled(context.Context, slog.Level) bool { return true }
func (l *botLog) WithAttrs([]slog.Attr) slog.Handler       { return l }
func (l *botLog) WithGroup(string) slog.Handler            { return l }
func (l *botLog) Handle(_ context.Context, r slog.Record) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.records = append(l.records, r.Clone())
	close(l.changed)
	l.changed = make(chan struct{})
	return nil
}

// count is how many records at level say what.
func (l *botLog) count(level slog.Level, what string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, r := range l.records {
		if r.Level == level && strings.Contains(r.Message, what) {
			n++
		}
	}
	return n
}

// reconnectWaits are the waits the bot chose before each new connection,
// in order.
func (l *botLog) reconnectWaits() []time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	var waits []time.Duration
	for _, r := range l.records {
		r.Attrs(func(a slog.Attr) bool {
			if a.Key == "in" {
				waits = append(waits, a.Value.Duration())
			}
			return true
		})
	}
	return waits
}

// waitFor returns once the bot has chosen n reconnect waits.
func (l *botLog) waitFor(t *testing.T, n int) []time.Duration {
	t.Helper()
	deadline := time.NewTimer(waitLimit)
	defer deadline.Stop()
	for {
		l.mu.Lock()
		changed := l.changed
		l.mu.Unlock()
		if waits := l.reconnectWaits(); len(waits) >= n {
			return waits
		}
		select {
		case <-changed:
		case <-deadline.C:
			t.Fatalf("timed out waiting for %d reconnections; waits so far: %v", n, l.reconnectWaits())
		}
	}
}

// fastSocket paces Socket Mode in milliseconds, without pings, so that a
// test sees many reconnections at once.
func fastSocket() socketTiming {
	return socketTiming{
		backoffFirst: time.Millisecond, backoffMax: 8 * time.Millisecond, stable: time.Hour,
		open: waitLimit, ping: time.Hour, silence: time.Hour, write: waitLimit,
	}
}

// runSocketWith runs the bot's Socket Mode with timing until the test
// ends, like runSocket.
func (f *fixture) runSocketWith(t *testing.T, timing socketTiming) (context.CancelFunc, <-chan error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		done <- f.bot.runSocketMode(ctx, f.api, timing)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-finished:
		case <-time.After(waitLimit):
			t.Error("Socket Mode still running at the end of the test")
		}
	})
	return cancel, done
}

// slackSocket is Slack's Socket Mode end for one test: apps.connections.open
// answers with its URL (a ticket in its query, as Slack's), and each
// connection the bot opens reaches the test, after Slack's hello, as a
// socketPeer that only the test goroutine reads and writes.
type slackSocket struct {
	srv   *httptest.Server
	peers chan *socketPeer
	url   string
}

func newSlackSocket(t *testing.T, f *fixture) *slackSocket {
	t.Helper()
	s := &slackSocket{peers: make(chan *socketPeer, 16)}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, err := (&websocket.Upgrader{}).Upgrade(w, r, nil)
		if err != nil {
			return
		}
		if err := conn.WriteMessage(websocket.TextMessage, []byte(helloFrame)); err != nil {
			conn.Close()
			return
		}
		select {
		case s.peers <- &socketPeer{conn: conn}:
		default:
			conn.Close()
		}
	}))
	s.url = "ws://" + s.srv.Listener.Addr().String() + "/link/?ticket=8a5d3c1e-ticket"
	t.Cleanup(func() {
		s.srv.Close()
		for {
			select {
			case p := <-s.peers:
				p.conn.Close()
			default:
				return
			}
		}
	})
	f.slack.on("apps.connections.open", s.open)
	return s
}

// open answers apps.connections.open as Slack does.
func (s *slackSocket) open(w http.ResponseWriter, _ *http.Request, _ apiCall) bool {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"ok": true, "url": s.url}) //nolint:errcheck // the bot hung up
	return true
}

// nextPeer waits for the bot's next connection.
func (s *slackSocket) nextPeer(t *testing.T) *socketPeer {
	t.Helper()
	select {
	case p := <-s.peers:
		t.Cleanup(func() { p.conn.Close() })
		return p
	case <-time.After(waitLimit):
		t.Fatal("timed out waiting for a Socket Mode connection")
		return nil
	}
}

// socketPeer is Slack's end of one connection. Reading from it also
// answers the bot's pings, as Slack does; a peer nobody reads is a silent
// connection.
type socketPeer struct {
	conn *websocket.Conn
}

func (p *socketPeer) send(t *testing.T, v any) {
	t.Helper()
	if err := p.conn.WriteJSON(v); err != nil {
		t.Fatalf("writing to the bot: %v", err)
	}
}

// nextAck reads until the bot acks an envelope.
func (p *socketPeer) nextAck(t *testing.T) socketAck {
	t.Helper()
	p.conn.SetReadDeadline(time.Now().Add(waitLimit)) //nolint:errcheck // a failed read says it
	for {
		_, data, err := p.conn.ReadMessage()
		if err != nil {
			t.Fatalf("waiting for an ack: %v", err)
		}
		var a socketAck
		if err := json.Unmarshal(data, &a); err != nil {
			t.Fatalf("bot sent %q: %v", data, err)
		}
		if a.EnvelopeID != "" {
			return a
		}
	}
}

// closedByBot waits for the bot to end the connection.
func (p *socketPeer) closedByBot(t *testing.T) {
	t.Helper()
	p.conn.SetReadDeadline(time.Now().Add(waitLimit)) //nolint:errcheck // a failed read says it
	for {
		_, _, err := p.conn.ReadMessage()
		if err == nil {
			continue
		}
		var netErr net.Error
		if errors.As(err, &netErr) && netErr.Timeout() {
			t.Fatal("the bot kept the connection open")
		}
		return
	}
}

// dropMidFrame breaks the connection the way a network does: in the middle
// of a frame, with a TCP reset rather than a close.
func (p *socketPeer) dropMidFrame(t *testing.T) {
	t.Helper()
	raw := p.conn.NetConn()
	// A text frame announcing 256 bytes, of which 20 arrive.
	if _, err := raw.Write(append([]byte{0x81, 126, 0x01, 0x00}, `{"envelope_id":"e9",`...)); err != nil {
		t.Fatal(err)
	}
	if tcp, ok := raw.(*net.TCPConn); ok {
		tcp.SetLinger(0) //nolint:errcheck // a plain close is abrupt enough
	}
	raw.Close()
}

// help sends `/catweete help` and checks that the English help comes back
// in the ack: the bot is listening on this connection.
func (p *socketPeer) help(t *testing.T, f *fixture, envelopeID string) {
	t.Helper()
	p.send(t, slashEnvelope(envelopeID, "help", f.slack.responseURL(1)))
	a := p.nextAck(t)
	if a.EnvelopeID != envelopeID || !strings.Contains(string(a.Payload), "what I can do") {
		t.Fatalf("ack %s %s, want the help for %s", a.EnvelopeID, a.Payload, envelopeID)
	}
}

// eventsEnvelope wraps an Events API payload as Socket Mode sends it; a
// retry carries its attempt number and reason.
func eventsEnvelope(envelopeID string, payload map[string]any, retryAttempt int, retryReason string) map[string]any {
	return map[string]any{
		"envelope_id": envelopeID, "type": "events_api", "accepts_response_payload": false,
		"retry_attempt": retryAttempt, "retry_reason": retryReason, "payload": payload,
	}
}

func disconnectFrame(reason string) map[string]any {
	return map[string]any{"type": "disconnect", "reason": reason, "debug_info": map[string]any{"host": "applink-test"}}
}

// threadAnswers counts the bot's messages in the thread of ts.
func threadAnswers(calls []apiCall, ts string) int {
	n := 0
	for _, c := range only(calls, "chat.postMessage") {
		if c.field("thread_ts") == ts {
			n++
		}
	}
	return n
}

func TestSocketModeConnectionDroppedMidStream(t *testing.T) {
	t.Parallel()
	// One worker: answers come in the order the events were taken.
	f := setup(t, smallPool)
	s := newSlackSocket(t, f)
	f.runSocketWith(t, fastSocket())

	p1 := s.nextPeer(t)
	const firstTS, secondTS = "1700000100.000100", "1700000200.000100"
	mention := mentionEvent("Ev1", "U1", "alors ça tweete ?", firstTS)
	p1.send(t, eventsEnvelope("e1", mention, 0, ""))
	if a := p1.nextAck(t); a.EnvelopeID != "e1" {
		t.Fatalf("ack of %q, want e1", a.EnvelopeID)
	}
	// The ack is lost on its way: as far as Slack knows, e1 was never
	// acked. Then the connection breaks in the middle of a frame.
	p1.dropMidFrame(t)

	f.slack.waitMethod(t, "apps.connections.open", 2)
	p2 := s.nextPeer(t)
	// Slack delivers the event again, in a new envelope.
	p2.send(t, eventsEnvelope("e2", mention, 1, "timeout"))
	if a := p2.nextAck(t); a.EnvelopeID != "e2" {
		t.Fatalf("ack of %q, want e2: a redelivered event is acked", a.EnvelopeID)
	}
	p2.send(t, eventsEnvelope("e3", mentionEvent("Ev2", "U1", "alors ça tweete ?", secondTS), 0, ""))
	if a := p2.nextAck(t); a.EnvelopeID != "e3" {
		t.Fatalf("ack of %q, want e3", a.EnvelopeID)
	}
	calls := f.slack.wait(t, "the answer to the second mention", func(calls []apiCall) bool {
		return threadAnswers(calls, secondTS) == 1
	})
	if n := threadAnswers(calls, firstTS); n != 1 {
		t.Errorf("the mention Slack delivered twice was answered %d times, want once", n)
	}
	p2.help(t, f, "e4")
}

func TestSocketModeDisconnectFrames(t *testing.T) {
	t.Parallel()
	ms := time.Millisecond
	for _, tt := range []struct {
		reason string
		// again: Slack says it on the second connection too.
		again bool
		// waits are those the bot chooses before each new connection.
		waits []time.Duration
		level slog.Level
	}{
		// Slack replaces its connections: a new one at once.
		{disconnectRefresh, false, []time.Duration{0}, slog.LevelInfo},
		{disconnectWarning, false, []time.Duration{0}, slog.LevelInfo},
		// Socket Mode turned off: an error for the operator, said once,
		// and Slack asked again with backoff, so that turning it back on
		// is enough.
		{disconnectLinkDisabled, true, []time.Duration{ms, 2 * ms}, slog.LevelError},
		// Too many connections: another one at once would make it worse.
		{disconnectTooMany, true, []time.Duration{ms, 2 * ms}, slog.LevelWarn},
	} {
		t.Run(tt.reason, func(t *testing.T) {
			t.Parallel()
			f := setup(t, english)
			log := newBotLog(f)
			s := newSlackSocket(t, f)
			f.runSocketWith(t, fastSocket())

			p := s.nextPeer(t)
			p.help(t, f, "e1")
			p.send(t, disconnectFrame(tt.reason))
			p.closedByBot(t)
			if tt.again {
				p = s.nextPeer(t)
				p.send(t, disconnectFrame(tt.reason))
				p.closedByBot(t)
			}
			p = s.nextPeer(t)
			p.help(t, f, "e2")

			if got := log.waitFor(t, len(tt.waits)); !slices.Equal(got, tt.waits) {
				t.Errorf("waits before each new connection: %v, want %v", got, tt.waits)
			}
			if tt.level > slog.LevelInfo {
				if n := log.count(tt.level, tt.reason); n != 1 {
					t.Errorf("%d %s lines naming %s, want 1", n, tt.level, tt.reason)
				}
			}
		})
	}
}

func TestSocketModeBackoffIsBoundedAndStartsAgainAfterAConnection(t *testing.T) {
	t.Parallel()
	f := setup(t)
	log := newBotLog(f)
	s := newSlackSocket(t, f)
	var opens atomic.Int32
	const failing = 8
	f.slack.on("apps.connections.open", func(w http.ResponseWriter, r *http.Request, c apiCall) bool {
		if opens.Add(1) <= failing {
			http.Error(w, "upstream connect error", http.StatusServiceUnavailable)
			return true
		}
		return s.open(w, r, c)
	})
	timing := fastSocket()
	timing.stable = 0 // a connection that said hello lasted enough
	f.runSocketWith(t, timing)

	p := s.nextPeer(t)
	p.dropMidFrame(t)
	ms := time.Millisecond
	want := []time.Duration{0, ms, 2 * ms, 4 * ms, 8 * ms, 8 * ms, 8 * ms, 8 * ms, 0}
	if got := log.waitFor(t, len(want)); !slices.Equal(got[:len(want)], want) {
		t.Errorf("waits before each new connection: %v, want %v", got, want)
	}
	s.nextPeer(t).help(t, f, "e1")
}

func TestSocketModeSilentConnectionIsReplaced(t *testing.T) {
	t.Parallel()
	f := setup(t, english)
	s := newSlackSocket(t, f)
	timing := fastSocket()
	timing.ping, timing.silence = 50*time.Millisecond, time.Second
	f.runSocketWith(t, timing)

	// Nobody reads this one: the bot's pings go unanswered, as on a
	// connection a NAT forgot.
	silent := s.nextPeer(t)
	f.slack.waitMethod(t, "apps.connections.open", 2)
	s.nextPeer(t).help(t, f, "e1")
	silent.closedByBot(t)
}

func TestSocketModeStopsPromptlyDuringABackoff(t *testing.T) {
	t.Parallel()
	f := setup(t)
	f.slack.on("apps.connections.open", func(w http.ResponseWriter, _ *http.Request, _ apiCall) bool {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"ok":false,"error":"internal_error"}`)) //nolint:errcheck // the bot hung up
		return true
	})
	timing := fastSocket()
	timing.backoffFirst, timing.backoffMax = time.Hour, time.Hour
	cancel, done := f.runSocketWith(t, timing)
	// The first retry is at once; the second waits an hour.
	f.slack.waitMethod(t, "apps.connections.open", 2)
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("RunSocketMode = %v, want nil after cancel", err)
		}
	case <-time.After(waitLimit):
		t.Fatal("Socket Mode did not stop during its backoff")
	}
}

// TestSocketModeWaitingEnvelopeHoldsNoOther: an event whose id waits for
// the database's write lock (another process holds it) does not hold the
// envelopes read after it: a help sent next is acked at once, and the
// event once the lock is free.
func TestSocketModeWaitingEnvelopeHoldsNoOther(t *testing.T) {
	t.Parallel()
	// Longer than nextAck waits: handled one at a time, the help's ack
	// would come too late for the test.
	f, _, path := setupDatabase(t, storage.Options{EventBusyTimeout: 3 * waitLimit})
	release := storagetest.LockWriter(t, path)
	f.runSocket(t)
	p := f.slack.nextPeer(t)

	p.send(t, map[string]any{
		"envelope_id": "mention", "type": "events_api", "accepts_response_payload": false, "retry_attempt": 0, "retry_reason": "",
		"payload": mentionEvent("EvLocked", "U1", "alors ça tweete ?", "1700000100.000100"),
	})
	p.send(t, slashEnvelope("help", "help", f.slack.responseURL(1)))
	if ack := p.nextAck(t); ack.EnvelopeID != "help" {
		t.Fatalf("first ack for %q, want the help's while the mention waits for the lock", ack.EnvelopeID)
	}
	release()
	if ack := p.nextAck(t); ack.EnvelopeID != "mention" {
		t.Fatalf("second ack for %q, want the mention's once the lock is free", ack.EnvelopeID)
	}
}
