package bot

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"

	"github.com/slack-go/slack"

	"catweete/commands"
)

// maxBody is the largest request body accepted: Slack's payloads are far
// smaller, and reading more would let anyone make the bot hold memory.
const maxBody = 1 << 20

// Routes registers the Slack endpoints on mux.
func (b *Bot) Routes(mux *http.ServeMux) {
	mux.HandleFunc("POST /slack/commands", b.verified(b.serveCommand))
	mux.HandleFunc("POST /slack/events", b.verified(b.serveEvent))
	mux.HandleFunc("POST /slack/interactivity", b.verified(b.serveInteraction))
}

// verified reads the body (1 MiB at most) and checks Slack's signature
// before anything else looks at the request: a bad one gets 401 and nothing
// else happens.
func (b *Bot) verified(next func(w http.ResponseWriter, r *http.Request, body []byte)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			// A bug must not turn into a 500 that makes Slack retry the
			// same request: log it and ack.
			if v := recover(); v != nil {
				b.log.Error("request handler panicked", "path", r.URL.Path, "panic", fmt.Sprint(v))
				w.WriteHeader(http.StatusOK)
			}
		}()
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				b.log.Warn("request body too large", "path", r.URL.Path)
				http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
				return
			}
			b.log.Warn("request body unreadable", "path", r.URL.Path, "err", err)
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		if err := b.verifier.Verify(r.Header, body); err != nil {
			b.log.Warn("request refused", "path", r.URL.Path, "reason", err.Error(), "remote", r.RemoteAddr)
			http.Error(w, "invalid signature", http.StatusUnauthorized)
			return
		}
		next(w, r, body)
	}
}

func (b *Bot) serveCommand(w http.ResponseWriter, r *http.Request, body []byte) {
	form, err := url.ParseQuery(string(body))
	if err != nil {
		b.log.Warn("slash command unreadable", "err", err)
		writeAck(w, b, &slack.Msg{ResponseType: slack.ResponseTypeEphemeral, Text: b.cat.T(b.router.Lang(), commands.MsgBadPayload)})
		return
	}
	cmd := slack.SlashCommand{
		Token: form.Get("token"), TeamID: form.Get("team_id"), TeamDomain: form.Get("team_domain"),
		EnterpriseID: form.Get("enterprise_id"), ChannelID: form.Get("channel_id"), ChannelName: form.Get("channel_name"),
		UserID: form.Get("user_id"), UserName: form.Get("user_name"), Command: form.Get("command"),
		Text: form.Get("text"), ResponseURL: form.Get("response_url"), TriggerID: form.Get("trigger_id"),
		APIAppID: form.Get("api_app_id"), IsEnterpriseInstall: form.Get("is_enterprise_install") == "true",
	}
	writeAck(w, b, b.onCommand(cmd))
}

func (b *Bot) serveEvent(w http.ResponseWriter, r *http.Request, body []byte) {
	var env eventEnvelope
	if err := json.Unmarshal(body, &env); err != nil {
		b.log.Warn("event unreadable", "err", err)
		w.WriteHeader(http.StatusOK) // Slack retrying the same bytes would not help
		return
	}
	switch env.Type {
	case "url_verification":
		writeAck(w, b, map[string]string{"challenge": env.Challenge})
	case "event_callback":
		if !b.onEvent(r.Context(), env) {
			// Not taken: let Slack deliver it again in a moment.
			w.Header().Set("Retry-After", "5")
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusOK)
	default:
		w.WriteHeader(http.StatusOK)
	}
}

func (b *Bot) serveInteraction(w http.ResponseWriter, r *http.Request, body []byte) {
	form, err := url.ParseQuery(string(body))
	var cb slack.InteractionCallback
	if err == nil {
		err = json.Unmarshal([]byte(form.Get("payload")), &cb)
	}
	if err != nil {
		b.log.Warn("interaction unreadable", "err", err)
		w.WriteHeader(http.StatusOK)
		return
	}
	writeAck(w, b, b.onInteraction(cb))
}

// writeAck answers 200, with a JSON body when there is one.
func writeAck(w http.ResponseWriter, b *Bot, a ack) {
	body, err := jsonBody(a)
	if err != nil {
		b.log.Error("ack not encoded", "err", err)
		w.WriteHeader(http.StatusOK)
		return
	}
	if body == nil {
		w.WriteHeader(http.StatusOK)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	w.Write(bytes.TrimSpace(body)) //nolint:errcheck // the client hung up: nothing to do
}
