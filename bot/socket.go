package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"
	"github.com/slack-go/slack"

	"catweete/telemetry"
)

// Socket Mode, as Slack documents it: apps.connections.open gives a
// WebSocket URL; Slack says hello on it, then sends envelopes (events_api,
// slash_commands, interactive) that are acked with their envelope_id, and a
// disconnect frame when it wants the connection replaced. catweete speaks it
// itself rather than through slack-go's socketmode client, which keeps a
// disconnect's reason to itself and reconnects at once whatever it is: told
// link_disabled or too_many_websockets, that is a new connection as fast as
// Slack hands them out, for ever.

// The reasons of a disconnect frame.
const (
	// disconnectWarning: this connection ends in a few seconds.
	disconnectWarning = "warning"
	// disconnectRefresh: Slack replaces its connections from time to time;
	// a new one is wanted now.
	disconnectRefresh = "refresh_requested"
	// disconnectLinkDisabled: Socket Mode was turned off in the app's
	// settings. Nothing comes until someone turns it back on.
	disconnectLinkDisabled = "link_disabled"
	// disconnectTooMany: the app has more connections than Slack allows
	// (10), most likely from several catweete with the same app token.
	disconnectTooMany = "too_many_websockets"
)

// maxSocketAck is the size from which Slack silently drops an ack.
const maxSocketAck = 20 << 10

// socketTiming is how Socket Mode paces itself.
type socketTiming struct {
	// backoffFirst and backoffMax bound the wait before a new connection
	// after one that did not last: backoffFirst, doubling up to backoffMax.
	backoffFirst, backoffMax time.Duration
	// stable is how long a connection must have lasted for the next one to
	// be opened at once, the backoff starting again from nothing.
	stable time.Duration
	// open bounds apps.connections.open, the WebSocket handshake and
	// Slack's hello.
	open time.Duration
	// ping is how often catweete pings Slack; silence is how long without
	// any frame, ping or pong from Slack before the connection is taken
	// for dead: a TCP connection a NAT forgot never ends by itself.
	ping, silence time.Duration
	// write bounds the writing of one ack.
	write time.Duration
}

// defaultSocketTiming is how catweete paces Socket Mode in production. The
// longest wait, a minute, is also the pace of apps.connections.open that
// Slack's rate limits allow for ever.
func defaultSocketTiming() socketTiming {
	return socketTiming{
		backoffFirst: time.Second, backoffMax: time.Minute, stable: time.Minute,
		open: 15 * time.Second, ping: 20 * time.Second, silence: 65 * time.Second, write: 10 * time.Second,
	}
}

// backoff is the wait before the next connection after failures
// connections in a row that did not last: none after the first, then
// backoffFirst doubling, never more than backoffMax.
func (t socketTiming) backoff(failures int) time.Duration {
	if failures <= 0 {
		return 0
	}
	return min(t.backoffFirst<<min(failures-1, 30), t.backoffMax)
}

// RunSocketMode receives Slack's requests over Socket Mode until ctx ends,
// then returns nil. A connection that ends is replaced: at once after one
// that lasted, with a bounded backoff after those that did not, and never
// at once when Slack said Socket Mode is off for the app or that it has too
// many connections.
func (b *Bot) RunSocketMode(ctx context.Context, api *slack.Client) error {
	return b.runSocketMode(ctx, api, defaultSocketTiming())
}

func (b *Bot) runSocketMode(ctx context.Context, api *slack.Client, timing socketTiming) error {
	failures := 0
	said := "" // the worrying reason already logged since the last connection that lasted
	for ctx.Err() == nil {
		started := time.Now()
		end := b.socketConnection(ctx, api, timing)
		if ctx.Err() != nil {
			break
		}
		if end.greeted && time.Since(started) >= timing.stable {
			failures, said = 0, ""
		}
		switch end.reason {
		case disconnectLinkDisabled:
			// Asking again costs a request a minute at most, and turning
			// Socket Mode back on is then enough: no restart needed.
			if said != end.reason {
				b.log.Error("Slack turned Socket Mode off for this app (link_disabled): nothing reaches catweete until it is turned back on in the app's settings, or catweete runs in HTTP mode; asking again with backoff")
			}
			said, failures = end.reason, max(failures, 1)
		case disconnectTooMany:
			// Another connection at once would only take another of the
			// app's places.
			if said != end.reason {
				b.log.Warn("Slack has too many Socket Mode connections for this app (too_many_websockets): is another catweete running with the same app token? Asking again with backoff")
			}
			said, failures = end.reason, max(failures, 1)
		}
		wait := timing.backoff(failures)
		failures++
		switch {
		case end.err == nil && (end.reason == disconnectRefresh || end.reason == disconnectWarning):
			b.log.Info("socket mode connection replaced at Slack's request", "reason", end.reason, "in", wait)
		default:
			b.log.Warn("socket mode connection ended; reconnecting", "reason", end.reason, "err", end.err, "in", wait)
		}
		if wait > 0 {
			timer := time.NewTimer(wait)
			select {
			case <-ctx.Done():
			case <-timer.C:
			}
			timer.Stop()
		}
	}
	return nil
}

// socketEnd is how a connection ended: Slack's disconnect reason, or the
// error that broke it, and whether Slack had said hello on it.
type socketEnd struct {
	greeted bool
	reason  string
	err     error
}

// socketFrame is one message from Slack on the connection.
type socketFrame struct {
	Type         string          `json:"type"`
	Reason       string          `json:"reason"` // disconnect
	EnvelopeID   string          `json:"envelope_id"`
	Payload      json.RawMessage `json:"payload"`
	RetryAttempt int             `json:"retry_attempt"` // events_api: Slack's retries of an unacked envelope
	RetryReason  string          `json:"retry_reason"`
}

// socketConn writes acks on one connection, one at a time as gorilla
// requires.
// socketHandlers is how many envelopes of one connection are handled at
// once.
const socketHandlers = 16

type socketConn struct {
	mu    sync.Mutex
	conn  *websocket.Conn
	write time.Duration
}

// ack answers envelopeID, with payload when it is not nil.
func (c *socketConn) ack(envelopeID string, payload ack) error {
	body, err := jsonBody(payload)
	if err != nil {
		return err
	}
	msg, err := json.Marshal(struct {
		EnvelopeID string          `json:"envelope_id"`
		Payload    json.RawMessage `json:"payload,omitempty"`
	}{envelopeID, body})
	if err != nil {
		return err
	}
	if len(msg) >= maxSocketAck {
		return fmt.Errorf("bot: ack of %d bytes: Slack drops those of %d and more", len(msg), maxSocketAck)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.conn.SetWriteDeadline(time.Now().Add(c.write)); err != nil {
		return err
	}
	return c.conn.WriteMessage(websocket.TextMessage, msg)
}

// socketConnection opens one Socket Mode connection and serves it until it
// ends, or ctx does.
func (b *Bot) socketConnection(ctx context.Context, api *slack.Client, timing socketTiming) (end socketEnd) {
	openCtx, cancel := context.WithTimeout(ctx, timing.open)
	defer cancel()
	_, url, err := api.StartSocketModeContext(openCtx)
	if err != nil {
		return socketEnd{err: fmt.Errorf("apps.connections.open: %w", err)}
	}
	// The URL carries a ticket that opens the connection: it stays out of
	// errors and logs.
	dialer := websocket.Dialer{Proxy: http.ProxyFromEnvironment, HandshakeTimeout: timing.open}
	conn, resp, err := dialer.DialContext(openCtx, url, nil)
	if resp != nil && resp.Body != nil {
		resp.Body.Close()
	}
	if err != nil {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		return socketEnd{err: fmt.Errorf("websocket handshake (HTTP status %d): %s", status, strings.ReplaceAll(err.Error(), url, "[socket mode URL]"))}
	}
	defer conn.Close()
	// Ending ctx closes the connection, which ends the read below at once.
	stopClosing := context.AfterFunc(ctx, func() {
		conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), //nolint:errcheck // closing anyway
			time.Now().Add(time.Second))
		conn.Close()
	})
	defer stopClosing()

	conn.SetReadLimit(maxBody)
	alive := func() { conn.SetReadDeadline(time.Now().Add(timing.silence)) } //nolint:errcheck // a broken connection shows in the read
	conn.SetPingHandler(func(data string) error {
		alive()
		// A pong that cannot be written is a broken connection, which
		// the read sees.
		conn.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(timing.write)) //nolint:errcheck // see above
		return nil
	})
	conn.SetPongHandler(func(string) error { alive(); return nil })
	conn.SetReadDeadline(time.Now().Add(timing.open)) //nolint:errcheck // a broken connection shows in the read

	done := make(chan struct{})
	var pinging sync.WaitGroup
	defer pinging.Wait()
	defer close(done)
	pinging.Go(func() {
		ticker := time.NewTicker(timing.ping)
		defer ticker.Stop()
		for {
			select {
			case <-done:
				return
			case <-ticker.C:
				if conn.WriteControl(websocket.PingMessage, nil, time.Now().Add(timing.write)) != nil {
					return
				}
			}
		}
	})

	sc := &socketConn{conn: conn, write: timing.write}
	// Envelopes are handled side by side, socketHandlers at most: one that
	// waits (an event's id, while another process holds the database's
	// write lock) must not hold the commands and clicks read after it past
	// Slack's 3 s. Acks are written one at a time (socketConn.mu), in any
	// order, as Slack allows.
	slots := make(chan struct{}, socketHandlers)
	var handling sync.WaitGroup
	defer handling.Wait()
	for {
		_, data, err := conn.ReadMessage()
		if err != nil {
			end.err = err
			return end
		}
		if end.greeted {
			alive()
		}
		var frame socketFrame
		if err := json.Unmarshal(data, &frame); err != nil {
			b.log.Warn("socket mode frame unreadable", "err", err)
			continue
		}
		switch {
		case frame.Type == "hello":
			end.greeted = true
			alive()
			b.log.Info("socket mode connected")
		case frame.Type == "disconnect":
			end.reason = frame.Reason
			return end
		case frame.EnvelopeID != "":
			slots <- struct{}{}
			handling.Go(func() {
				defer func() { <-slots }()
				b.socketRequest(sc, frame)
			})
		}
	}
}

// socketRequest routes one envelope and acks it, the way the HTTP endpoints
// answer. A bug in its handling must not end the connection. It is counted
// as over HTTP, by endpoint and outcome, and timed from its reading to its
// ack.
func (b *Bot) socketRequest(sc *socketConn, frame socketFrame) {
	var (
		ep      *telemetry.Endpoint // nil: not one of the three, or not measured
		arrived time.Time
		outcome = telemetry.OK
	)
	if b.requests.Commands != nil {
		arrived = time.Now()
	}
	defer func() {
		if v := recover(); v != nil {
			b.log.Error("socket mode handler panicked", "type", frame.Type, "panic", fmt.Sprint(v))
			sc.ack(frame.EnvelopeID, nil) //nolint:errcheck // best effort: Slack retries otherwise
			outcome = telemetry.Panic
		}
		ep.Acked(outcome, time.Since(arrived))
	}()
	if frame.RetryAttempt > 0 {
		b.log.Info("Slack delivers an envelope again", "type", frame.Type, "retry_attempt", frame.RetryAttempt, "retry_reason", frame.RetryReason)
	}
	var payload ack
	switch frame.Type {
	case "slash_commands":
		ep = b.requests.Commands
		var cmd slack.SlashCommand
		if err := json.Unmarshal(frame.Payload, &cmd); err != nil {
			b.log.Warn("socket slash command unreadable", "err", err)
			outcome = telemetry.Unreadable
			break
		}
		// A Socket Mode connection handles one envelope at a time: its
		// ack does not wait for the answer.
		payload, outcome = unwrapAck(b.onCommand(cmd, 0))
	case "interactive":
		ep = b.requests.Interactivity
		var cb slack.InteractionCallback
		if err := json.Unmarshal(frame.Payload, &cb); err != nil {
			b.log.Warn("socket interaction unreadable", "err", err)
			outcome = telemetry.Unreadable
			break
		}
		payload, outcome = unwrapAck(b.onInteraction(cb))
	case "events_api":
		ep = b.requests.Events
		var env eventEnvelope
		if err := json.Unmarshal(frame.Payload, &env); err != nil {
			b.log.Warn("socket event unreadable", "err", err)
			outcome = telemetry.Unreadable
			break
		}
		if !b.onEvent(context.Background(), env) {
			// Not acked: Slack delivers it again.
			outcome = telemetry.RetryLater
			return
		}
	default:
		// Acked all the same, so that Slack does not send it again.
		b.log.Info("socket mode envelope of an unknown type", "type", frame.Type)
	}
	if err := sc.ack(frame.EnvelopeID, payload); err != nil {
		b.log.Warn("socket mode ack failed", "type", frame.Type, "err", err)
	}
}
