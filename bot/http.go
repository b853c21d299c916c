package bot

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/slack-go/slack"

	"catweete/commands"
	"catweete/telemetry"
)

// maxBody is the largest request body accepted: Slack's payloads are far
// smaller, and reading more would let anyone make the bot hold memory.
const maxBody = 1 << 20

// Routes registers the Slack endpoints on mux.
func (b *Bot) Routes(mux *http.ServeMux) {
	mux.HandleFunc("POST /slack/commands", b.verified(b.requests.Commands, b.serveCommand))
	mux.HandleFunc("POST /slack/events", b.verified(b.requests.Events, b.serveEvent))
	mux.HandleFunc("POST /slack/interactivity", b.verified(b.requests.Interactivity, b.serveInteraction))
}

// verified reads the body (1 MiB at most) and checks Slack's signature
// before anything else looks at the request: a bad one gets 401 and nothing
// else happens. Each request is counted in ep by its outcome, which next
// returns, and timed from its arrival to its ack when it passed the check.
func (b *Bot) verified(ep *telemetry.Endpoint, next func(w http.ResponseWriter, r *http.Request, body []byte) telemetry.Outcome) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var arrived time.Time
		if ep != nil {
			arrived = time.Now()
		}
		outcome, refused := telemetry.OK, false
		defer func() {
			// A bug must not turn into a 500 that makes Slack retry the
			// same request: log it and ack.
			if v := recover(); v != nil {
				b.log.Error("request handler panicked", "path", r.URL.Path, "panic", fmt.Sprint(v))
				w.WriteHeader(http.StatusOK)
				outcome, refused = telemetry.Panic, false
			}
			if ep == nil {
				return
			}
			if refused {
				ep.Refused(outcome)
				return
			}
			ep.Acked(outcome, time.Since(arrived))
		}()
		body, err := readBody(w, r)
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				b.log.Warn("request body too large", "path", r.URL.Path)
				http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
				outcome, refused = telemetry.TooLarge, true
				return
			}
			b.log.Warn("request body unreadable", "path", r.URL.Path, "err", err)
			http.Error(w, "bad request", http.StatusBadRequest)
			outcome, refused = telemetry.Unreadable, true
			return
		}
		if err := b.verifier.Verify(r.Header, body); err != nil {
			b.log.Warn("request refused", "path", r.URL.Path, "reason", err.Error(), "remote", r.RemoteAddr)
			http.Error(w, "invalid signature", http.StatusUnauthorized)
			outcome, refused = telemetry.BadSignature, true
			return
		}
		outcome = next(w, r, body)
	}
}

// presizedBody is the largest announced length read into a buffer of
// that size at once. Slack's payloads are a few KiB; a larger buffer taken
// on an unsigned request's word would let anyone make the bot hold memory
// for bytes never sent.
const presizedBody = 64 << 10

// readBody reads the request's body, maxBody at most. A small body whose
// length was announced is read into a buffer of that size: io.ReadAll would
// grow one, copying, for every request.
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	limited := http.MaxBytesReader(w, r.Body, maxBody)
	if r.ContentLength <= 0 || r.ContentLength > presizedBody {
		return io.ReadAll(limited)
	}
	body := make([]byte, r.ContentLength)
	if _, err := io.ReadFull(limited, body); err != nil {
		return nil, err
	}
	// Nothing may follow the announced length; net/http stops there.
	return body, nil
}

func (b *Bot) serveCommand(w http.ResponseWriter, r *http.Request, body []byte) telemetry.Outcome {
	cmd, err := parseSlashCommand(string(body))
	if err != nil {
		b.log.Warn("slash command unreadable", "err", err)
		writeAck(w, b, ephemeralAck{ResponseType: slack.ResponseTypeEphemeral, Text: b.cat.T(b.router.Lang(), commands.MsgBadPayload)})
		return telemetry.Unreadable
	}
	return writeAck(w, b, b.onCommand(cmd, b.ackWait))
}

func (b *Bot) serveEvent(w http.ResponseWriter, r *http.Request, body []byte) telemetry.Outcome {
	var env eventEnvelope
	if err := json.Unmarshal(body, &env); err != nil {
		b.log.Warn("event unreadable", "err", err)
		w.WriteHeader(http.StatusOK) // Slack retrying the same bytes would not help
		return telemetry.Unreadable
	}
	switch env.Type {
	case "url_verification":
		return writeAck(w, b, map[string]string{"challenge": env.Challenge})
	case "event_callback":
		if !b.onEvent(r.Context(), env) {
			// Not taken: let Slack deliver it again in a moment.
			w.Header().Set("Retry-After", "5")
			w.WriteHeader(http.StatusServiceUnavailable)
			return telemetry.RetryLater
		}
		w.WriteHeader(http.StatusOK)
	default:
		w.WriteHeader(http.StatusOK)
	}
	return telemetry.OK
}

func (b *Bot) serveInteraction(w http.ResponseWriter, r *http.Request, body []byte) telemetry.Outcome {
	form, err := url.ParseQuery(string(body))
	var cb slack.InteractionCallback
	if err == nil {
		err = json.Unmarshal([]byte(form.Get("payload")), &cb)
	}
	if err != nil {
		b.log.Warn("interaction unreadable", "err", err)
		w.WriteHeader(http.StatusOK)
		return telemetry.Unreadable
	}
	return writeAck(w, b, b.onInteraction(cb))
}

// busyAck is the ack of a request whose work the full pool refused; the
// person was told, in the ack it wraps or apart. It is sent as that ack
// (nothing, for nil), and counted busy.
type busyAck struct{ ack ack }

// unwrapAck returns what to send for a, and the request's outcome.
func unwrapAck(a ack) (ack, telemetry.Outcome) {
	if busy, ok := a.(busyAck); ok {
		return busy.ack, telemetry.Busy
	}
	return a, telemetry.OK
}

// writeAck answers 200, with a JSON body when there is one, and returns
// the request's outcome.
func writeAck(w http.ResponseWriter, b *Bot, a ack) telemetry.Outcome {
	a, outcome := unwrapAck(a)
	body, err := jsonBody(a)
	if err != nil {
		b.log.Error("ack not encoded", "err", err)
		w.WriteHeader(http.StatusOK)
		return outcome
	}
	if body == nil {
		w.WriteHeader(http.StatusOK)
		return outcome
	}
	body = bytes.TrimSpace(body)
	h := w.Header()
	h.Set("Content-Type", "application/json")
	// With its length known, an answer over net/http's 2 KiB buffer (the
	// help is one) goes out in one write, not as chunks in two.
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	w.Write(body) //nolint:errcheck // the client hung up: nothing to do
	return outcome
}
