package playground

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// The bot's endpoints, as the app's manifest declares them.
const (
	endpointCommands      = "/slack/commands"
	endpointEvents        = "/slack/events"
	endpointInteractivity = "/slack/interactivity"
)

// verificationToken is the deprecated token Slack still sends in payloads;
// catweete checks signatures instead.
const verificationToken = "playground-verification-token"

// maxAckBody bounds what is read of the bot's answer.
const maxAckBody = 1 << 20

// eventRetryDelays are Slack's retries of an event the bot did not take: at
// once, after a minute, after five. A Retry-After from the bot comes first.
var eventRetryDelays = []time.Duration{time.Second, time.Minute, 5 * time.Minute}

// botAnswer is the bot's answer to one request: its ack.
type botAnswer struct {
	status int
	header http.Header
	body   []byte
	took   time.Duration
	err    error
}

// problem describes a request the bot did not ack as Slack wants it (2xx
// within 3 s), for the page; "" when it did.
func (b botAnswer) problem(what string) string {
	var timeout interface{ Timeout() bool }
	switch {
	case b.err != nil && errors.As(b.err, &timeout) && timeout.Timeout():
		return fmt.Sprintf("%s: the bot did not answer within %s (Slack shows operation_timeout)", what, ackTimeout)
	case b.err != nil:
		return fmt.Sprintf("%s: the bot could not be reached: %v", what, b.err)
	case b.status < 200 || b.status > 299:
		text := fmt.Sprintf("%s: the bot answered %d %s", what, b.status, http.StatusText(b.status))
		if body := strings.TrimSpace(string(b.body)); body != "" {
			text += ": " + excerpt(body, 300)
		}
		return text
	}
	return ""
}

func excerpt(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

// sign adds Slack's v0 signature: HMAC-SHA256, keyed with the signing
// secret, of "v0:{timestamp}:{body}", the timestamp being now on the
// playground's clock (which the bot shares).
func (p *Playground) sign(h http.Header, body []byte) {
	ts := strconv.FormatInt(p.now().Unix(), 10)
	mac := hmac.New(sha256.New, []byte(p.signingSecret))
	mac.Write([]byte("v0:" + ts + ":"))
	mac.Write(body)
	h.Set("X-Slack-Request-Timestamp", ts)
	h.Set("X-Slack-Signature", "v0="+hex.EncodeToString(mac.Sum(nil)))
}

// deliver POSTs a signed request to one of the bot's endpoints and reads
// its ack.
func (p *Playground) deliver(ctx context.Context, endpoint, contentType string, body []byte, extra http.Header) botAnswer {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.baseURL+endpoint, bytes.NewReader(body))
	if err != nil {
		return botAnswer{err: err}
	}
	for k, vs := range extra {
		req.Header[k] = vs
	}
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("User-Agent", "Slackbot 1.0 (+https://api.slack.com/robots)")
	p.sign(req.Header, body)
	start := time.Now()
	resp, err := p.client.Do(req)
	if err != nil {
		return botAnswer{err: err, took: time.Since(start)}
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxAckBody))
	return botAnswer{status: resp.StatusCode, header: resp.Header, body: data, took: time.Since(start), err: err}
}

// interact sends an interactivity payload, form-encoded as Slack sends it.
func (p *Playground) interact(ctx context.Context, payload map[string]any) botAnswer {
	data, err := json.Marshal(payload)
	if err != nil {
		return botAnswer{err: err}
	}
	form := url.Values{"payload": {string(data)}}
	return p.deliver(ctx, endpointInteractivity, "application/x-www-form-urlencoded", []byte(form.Encode()), nil)
}

// common fields of interactivity payloads.
func interactionBase(typ string, who person) map[string]any {
	return map[string]any{
		"type": typ, "token": verificationToken, "api_app_id": AppID, "is_enterprise_install": false,
		"enterprise": nil, "team": map[string]any{"id": TeamID, "domain": teamDomain},
		"user": map[string]any{"id": who.ID, "username": who.username, "name": who.username, "team_id": TeamID},
	}
}

// sendEvent delivers an Events API envelope. The first attempt is made at
// once and reported; when the bot does not take the event, Slack's retries
// follow in the background, with X-Slack-Retry-Num, as long as the
// playground runs.
func (p *Playground) sendEvent(ctx context.Context, event map[string]any) string {
	p.mu.Lock()
	id := p.nextID("Ev")
	p.mu.Unlock()
	envelope := map[string]any{
		"token": verificationToken, "team_id": TeamID, "api_app_id": AppID, "event": event,
		"type": "event_callback", "event_id": id, "event_time": p.now().Unix(),
		"authorizations":        []map[string]any{{"team_id": TeamID, "user_id": BotUserID, "is_bot": true, "is_enterprise_install": false}},
		"is_ext_shared_channel": false,
	}
	body, err := json.Marshal(envelope)
	if err != nil {
		return err.Error()
	}
	what := fmt.Sprintf("event %s (%s)", event["type"], id)
	ans := p.deliver(ctx, endpointEvents, "application/json", body, nil)
	problem := ans.problem(what)
	if problem == "" {
		return ""
	}
	p.showError("%s; Slack will retry", problem)
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		p.retryEvent(what, body, ans)
	}()
	return problem
}

// retryEvent is Slack's retries of an event, up to three.
func (p *Playground) retryEvent(what string, body []byte, last botAnswer) {
	for n, delay := range eventRetryDelays {
		if after, err := strconv.Atoi(last.header.Get("Retry-After")); err == nil && after > 0 {
			delay = min(time.Duration(after)*time.Second, 5*time.Minute)
		}
		select {
		case <-p.ctx.Done():
			return
		case <-time.After(delay):
		}
		reason := "http_error"
		if last.err != nil {
			reason = "http_timeout"
		}
		extra := http.Header{"X-Slack-Retry-Num": {strconv.Itoa(n + 1)}, "X-Slack-Retry-Reason": {reason}}
		last = p.deliver(p.ctx, endpointEvents, "application/json", body, extra)
		problem := last.problem(fmt.Sprintf("%s, retry %d", what, n+1))
		if problem == "" {
			return
		}
		if p.ctx.Err() != nil {
			return
		}
		p.showError("%s", problem)
	}
}
