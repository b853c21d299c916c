package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"
)

// RunSocketMode receives Slack's requests over a Socket Mode WebSocket
// until ctx ends. slack-go reconnects by itself, but its Run can still
// return: then a new connection is opened after a backoff (1 s doubling to
// a minute, reset once a connection has lasted).
func (b *Bot) RunSocketMode(ctx context.Context, api *slack.Client) error {
	backoff := time.Second
	for ctx.Err() == nil {
		started := time.Now()
		client := socketmode.New(api)
		// The event loop lives as long as this connection, no longer.
		connCtx, endConn := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() {
			defer close(done)
			b.socketEvents(connCtx, client)
		}()
		err := client.RunContext(ctx)
		endConn()
		<-done
		if ctx.Err() != nil {
			break
		}
		if time.Since(started) > 5*time.Minute {
			backoff = time.Second
		}
		b.log.Warn("socket mode connection ended; reconnecting", "err", err, "in", backoff)
		select {
		case <-ctx.Done():
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, time.Minute)
	}
	return nil
}

// socketEvents acks and routes each Socket Mode request, the same way the
// HTTP endpoints do.
func (b *Bot) socketEvents(ctx context.Context, client *socketmode.Client) {
	for {
		var evt socketmode.Event
		select {
		case <-ctx.Done():
			return
		case evt = <-client.Events:
		}
		if evt.Type == socketmode.EventTypeConnected {
			b.log.Info("socket mode connected")
		}
		// Only envelopes are acked; hello and disconnect frames are not.
		if evt.Request == nil || evt.Request.EnvelopeID == "" {
			continue
		}
		b.socketRequest(client, evt)
	}
}

// socketRequest routes one envelope and acks it. A bug in its handling
// must not end the event loop, and with it the connection.
func (b *Bot) socketRequest(client *socketmode.Client, evt socketmode.Event) {
	defer func() {
		if v := recover(); v != nil {
			b.log.Error("socket mode handler panicked", "type", string(evt.Type), "panic", fmt.Sprint(v))
			client.Ack(*evt.Request) //nolint:errcheck // best effort: Slack retries otherwise
		}
	}()
	ctx := context.Background()
	var payload any
	switch evt.Type {
	case socketmode.EventTypeSlashCommand:
		if cmd, ok := evt.Data.(slack.SlashCommand); ok {
			payload = b.onCommand(cmd)
		}
	case socketmode.EventTypeInteractive:
		if cb, ok := evt.Data.(slack.InteractionCallback); ok {
			payload = b.onInteraction(cb)
		}
	case socketmode.EventTypeEventsAPI:
		var env eventEnvelope
		if err := json.Unmarshal(evt.Request.Payload, &env); err != nil {
			b.log.Warn("socket event unreadable", "err", err)
			break
		}
		if !b.onEvent(ctx, env) {
			// Not acked: Slack delivers it again.
			return
		}
	}
	var err error
	if payload != nil {
		err = client.Ack(*evt.Request, payload)
	} else {
		err = client.Ack(*evt.Request)
	}
	if err != nil {
		b.log.Warn("socket mode ack failed", "type", string(evt.Type), "err", err)
	}
}
