package bot

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// runSocket starts RunSocketMode and returns its cancel and the channel
// its result arrives on. It is stopped when the test ends.
func (f *fixture) runSocket(t *testing.T) (context.CancelFunc, <-chan error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		done <- f.bot.RunSocketMode(ctx, f.api)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-finished:
		case <-time.After(waitLimit):
			t.Error("RunSocketMode still running at the end of the test")
		}
	})
	return cancel, done
}

func slashEnvelope(id, text string, responseURL string) map[string]any {
	return map[string]any{
		"envelope_id": id, "type": "slash_commands", "accepts_response_payload": true,
		"payload": map[string]any{
			"token": "legacy", "team_id": testTeam, "team_domain": "cat", "channel_id": "C1",
			"channel_name": "general", "user_id": "U1", "user_name": "alice", "command": "/catweete",
			"text": text, "api_app_id": "A1", "is_enterprise_install": "false",
			"response_url": responseURL, "trigger_id": "13345224609.738474920.8088930838d88f008e0",
		},
	}
}

// helpRoundTrip sends `/catweete help` on p and checks the help comes back
// in the ack.
func helpRoundTrip(t *testing.T, f *fixture, p *wsPeer, envelopeID string) {
	t.Helper()
	p.send(t, slashEnvelope(envelopeID, "help", f.slack.responseURL(1)))
	ack := p.nextAck(t)
	if ack.EnvelopeID != envelopeID {
		t.Fatalf("ack for envelope %q, want %q", ack.EnvelopeID, envelopeID)
	}
	var msg struct {
		ResponseType string `json:"response_type"`
		Text         string `json:"text"`
	}
	if err := json.Unmarshal(ack.Payload, &msg); err != nil {
		t.Fatalf("ack payload %s: %v", ack.Payload, err)
	}
	if msg.ResponseType != "ephemeral" || !strings.Contains(msg.Text, "what I can do") || !strings.Contains(msg.Text, "`/catweete draft [text]`") {
		t.Fatalf("ack payload = %s, want the English help, ephemeral", ack.Payload)
	}
}

func TestSocketMode(t *testing.T) {
	t.Parallel()

	t.Run("CommandMentionAndClickAreAcked", func(t *testing.T) {
		t.Parallel()
		f := setup(t)
		post := f.draft(t, "Ça tweete !")
		cards := f.slack.waitMethod(t, "chat.postMessage", 1)
		cardTS := post.CardTS
		if cardTS == "" {
			t.Fatal("draft without its card")
		}
		if cards[0].field("channel") != testApproval {
			t.Fatalf("card posted in %q, want %q", cards[0].field("channel"), testApproval)
		}
		f.runSocket(t)
		open := f.slack.waitMethod(t, "apps.connections.open", 1)
		if open[0].Auth != "Bearer "+testAppToken {
			t.Errorf("apps.connections.open authorized with %q, want the app-level token", open[0].Auth)
		}
		p := f.slack.nextPeer(t)

		helpRoundTrip(t, f, p, "e1")

		mentionTS := "1700000100.000100"
		p.send(t, map[string]any{
			"envelope_id": "e2", "type": "events_api", "accepts_response_payload": false, "retry_attempt": 0, "retry_reason": "",
			"payload": mentionEvent("Ev1", "U1", "alors ça tweete ?", mentionTS),
		})
		if ack := p.nextAck(t); ack.EnvelopeID != "e2" || len(ack.Payload) != 0 {
			t.Fatalf("ack = %+v, want envelope e2 without payload", ack)
		}
		var reply apiCall
		f.slack.wait(t, "the answer in the mention's thread", func(calls []apiCall) bool {
			for _, c := range only(calls, "chat.postMessage") {
				if c.field("thread_ts") == mentionTS {
					reply = c
					return true
				}
			}
			return false
		})
		if reply.field("channel") != "C1" || !strings.Contains(reply.field("text"), "Pas encore cette semaine") {
			t.Errorf("answer in %q: %q, want the status in C1", reply.field("channel"), reply.field("text"))
		}

		p.send(t, map[string]any{
			"envelope_id": "e3", "type": "interactive", "accepts_response_payload": false,
			"payload": blockAction("UAPPROVER", ActionApprove, "1:1"),
		})
		if ack := p.nextAck(t); ack.EnvelopeID != "e3" || len(ack.Payload) != 0 {
			t.Fatalf("ack = %+v, want envelope e3 without payload", ack)
		}
		updates := f.slack.waitMethod(t, "chat.update", 1)
		if updates[0].field("ts") != cardTS || !strings.Contains(updates[0].field("blocks"), "approuvé") {
			t.Errorf("chat.update ts=%q blocks=%s, want the card %s redrawn approved", updates[0].field("ts"), updates[0].field("blocks"), cardTS)
		}
		got, err := f.svc.Post(t.Context(), post.ID)
		if err != nil || got.Status != "approved" {
			t.Errorf("post after the click: %+v, %v; want approved", got, err)
		}
	})

	t.Run("ServerClosingTheSocketMeansReconnect", func(t *testing.T) {
		t.Parallel()
		f := setup(t)
		f.runSocket(t)
		p1 := f.slack.nextPeer(t)
		helpRoundTrip(t, f, p1, "e1")
		p1.conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseGoingAway, "bye"), time.Now().Add(time.Second)) //nolint:errcheck // closing anyway
		p1.conn.Close()
		f.slack.waitMethod(t, "apps.connections.open", 2)
		p2 := f.slack.nextPeer(t)
		helpRoundTrip(t, f, p2, "e2")
	})

	t.Run("ConnectionDroppedWithoutCloseFrameMeansReconnect", func(t *testing.T) {
		t.Parallel()
		f := setup(t)
		f.runSocket(t)
		p1 := f.slack.nextPeer(t)
		p1.conn.NetConn().Close()
		f.slack.waitMethod(t, "apps.connections.open", 2)
		p2 := f.slack.nextPeer(t)
		helpRoundTrip(t, f, p2, "e1")
	})

	t.Run("DisconnectFrameMeansReconnect", func(t *testing.T) {
		t.Parallel()
		f := setup(t)
		f.runSocket(t)
		p1 := f.slack.nextPeer(t)
		p1.send(t, map[string]any{"type": "disconnect", "reason": "refresh_requested", "debug_info": map[string]any{"host": "applink-test"}})
		f.slack.waitMethod(t, "apps.connections.open", 2)
		p2 := f.slack.nextPeer(t)
		helpRoundTrip(t, f, p2, "e1")
		p1.closed(t)
	})

	t.Run("CancelReturnsPromptly", func(t *testing.T) {
		t.Parallel()
		f := setup(t)
		cancel, done := f.runSocket(t)
		p := f.slack.nextPeer(t)
		helpRoundTrip(t, f, p, "e1")
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("RunSocketMode = %v, want nil after cancel", err)
			}
		case <-time.After(3 * time.Second):
			t.Fatal("RunSocketMode did not return within 3 s of cancel")
		}
		p.closed(t)
	})

	t.Run("CancelWhileSlackIsUnreachableReturnsPromptly", func(t *testing.T) {
		t.Parallel()
		f := setup(t)
		f.slack.on("apps.connections.open", func(w http.ResponseWriter, _ *http.Request, _ apiCall) bool {
			http.Error(w, "upstream down", http.StatusBadGateway)
			return true
		})
		cancel, done := f.runSocket(t)
		f.slack.waitMethod(t, "apps.connections.open", 1)
		cancel()
		select {
		case <-done:
		case <-time.After(3 * time.Second):
			t.Fatal("RunSocketMode did not return within 3 s of cancel")
		}
	})
}

// TestSocketModeHelloIsNotAcked: hello is not an envelope; the first frame
// the bot sends should be the ack of the first envelope.
func TestSocketModeHelloIsNotAcked(t *testing.T) {
	t.Parallel()
	f := setup(t)
	f.runSocket(t)
	p := f.slack.nextPeer(t)
	p.send(t, slashEnvelope("e1", "help", f.slack.responseURL(1)))
	if first := p.nextFrame(t); first.EnvelopeID != "e1" {
		t.Fatalf("first frame from the bot: envelope_id %q payload %s; want the ack of e1 (hello has no envelope to ack)", first.EnvelopeID, first.Payload)
	}
}
