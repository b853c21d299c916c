package bot

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"catweete/workflows"
)

const jsonType = "application/json"

// shutdown waits for every job taken, so that what the bot did is all in
// the fake Slack's record.
func (f *fixture) shutdown(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	if err := f.bot.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
}

// onlyAuthTest fails unless what bot.New asks (auth.test, then bots.info
// for the app's id) is all the bot asked.
func onlyAuthTest(t *testing.T, calls []apiCall) {
	t.Helper()
	if len(calls) != 2 || calls[0].Method != "auth.test" || calls[1].Method != "bots.info" {
		t.Fatalf("Slack was asked %s, want only auth.test and bots.info", methods(calls))
	}
}

// blockMethod makes method hang until the returned release is called (or
// the test ends).
func (f *fixture) blockMethod(t *testing.T, method string) (release func()) {
	t.Helper()
	gate := make(chan struct{})
	var once sync.Once
	release = func() { once.Do(func() { close(gate) }) }
	t.Cleanup(release)
	f.slack.on(method, func(_ http.ResponseWriter, r *http.Request, _ apiCall) bool {
		select {
		case <-gate:
		case <-r.Context().Done():
		}
		return false
	})
	return release
}

// fillPool takes the one worker (blocked on chat.postEphemeral) and the one
// queue slot of a smallPool bot.
func (f *fixture) fillPool(t *testing.T) (release func()) {
	t.Helper()
	release = f.blockMethod(t, "chat.postEphemeral")
	if resp, body := f.command(t, "U1", "queue", ""); resp.StatusCode != http.StatusOK || len(body) != 0 {
		t.Fatalf("first command: %d %s, want an empty 200", resp.StatusCode, body)
	}
	f.slack.waitMethod(t, "chat.postEphemeral", 1) // the worker is now stuck
	if resp, body := f.command(t, "U1", "queue", ""); resp.StatusCode != http.StatusOK || len(body) != 0 {
		t.Fatalf("second command: %d %s, want an empty 200 (queued)", resp.StatusCode, body)
	}
	return release
}

func TestHTTP(t *testing.T) {
	t.Parallel()

	t.Run("SlashCommandIsAnsweredThroughTheResponseURL", func(t *testing.T) {
		t.Parallel()
		f := setup(t)
		resp, body := f.command(t, "U1", "file", f.slack.responseURL(7))
		if resp.StatusCode != http.StatusOK || len(body) != 0 {
			t.Fatalf("ack = %d %q, want an empty 200", resp.StatusCode, body)
		}
		answers := f.slack.waitMethod(t, "response_url", 1)
		var msg struct {
			ResponseType string `json:"response_type"`
			Text         string `json:"text"`
		}
		if err := json.Unmarshal(answers[0].Body, &msg); err != nil || msg.ResponseType != "ephemeral" || !strings.Contains(msg.Text, "La file est vide") {
			t.Fatalf("response_url got %s (%v), want the empty queue, ephemeral", answers[0].Body, err)
		}
	})

	t.Run("AnswerReadyWithinAckWaitIsInTheAck", func(t *testing.T) {
		t.Parallel()
		f := setup(t, func(o *setupOptions) { o.ackWait = waitLimit })
		resp, body := f.command(t, "U1", "alors ça tweete ?", f.slack.responseURL(7))
		var msg struct {
			ResponseType string `json:"response_type"`
			Text         string `json:"text"`
		}
		if err := json.Unmarshal(body, &msg); err != nil || resp.Header.Get("Content-Type") != jsonType {
			t.Fatalf("ack %q (%s): %v", body, resp.Header.Get("Content-Type"), err)
		}
		if msg.ResponseType != "ephemeral" || !strings.Contains(msg.Text, "rien n'a été publié depuis lundi") {
			t.Fatalf("ack = %+v, want the status, ephemeral", msg)
		}
		// Answered once: nothing more through the response_url.
		f.command(t, "U1", "aide", f.slack.responseURL(8)) // a request after, to order the check
		if got := only(f.slack.snapshot(), "response_url"); len(got) != 0 {
			t.Fatalf("response_url also got %d answers: %s", len(got), got[0].Body)
		}
	})

	t.Run("AckDoesNotWaitForACommandThatAnswersElsewhere", func(t *testing.T) {
		t.Parallel()
		// The ack would wait waitLimit for an answer; a draft without
		// text opens the form instead, and says so to the ack at once.
		f := setup(t, func(o *setupOptions) { o.ackWait = waitLimit })
		start := time.Now()
		resp, body := f.command(t, "U1", "brouillon", f.slack.responseURL(7))
		if took := time.Since(start); resp.StatusCode != http.StatusOK || len(body) != 0 || took >= waitLimit/2 {
			t.Fatalf("ack = %d %q after %v, want an empty 200 without waiting out %v", resp.StatusCode, body, took, waitLimit)
		}
		f.slack.waitMethod(t, "views.open", 1)
	})

	t.Run("AnswerSlowerThanAckWaitGoesToTheResponseURLOnce", func(t *testing.T) {
		t.Parallel()
		f := setup(t, func(o *setupOptions) { o.ackWait = 50 * time.Millisecond })
		// A draft's answer waits for its card, which Slack holds.
		release := f.blockMethod(t, "chat.postMessage")
		resp, body := f.command(t, "U1", "brouillon Le nouveau site est en ligne", f.slack.responseURL(7))
		if resp.StatusCode != http.StatusOK || len(body) != 0 {
			t.Fatalf("ack = %d %q, want an empty 200 once the wait is over", resp.StatusCode, body)
		}
		release()
		answers := f.slack.waitMethod(t, "response_url", 1)
		if !strings.Contains(string(answers[0].Body), "n°") {
			t.Fatalf("response_url got %s, want the draft's answer", answers[0].Body)
		}
		f.command(t, "U1", "aide", f.slack.responseURL(8))
		if got := only(f.slack.snapshot(), "response_url"); len(got) != 1 {
			t.Fatalf("response_url got %d answers, want 1", len(got))
		}
	})

	t.Run("HelpIsInTheAck", func(t *testing.T) {
		t.Parallel()
		f := setup(t)
		resp, body := f.command(t, "U1", "aide", f.slack.responseURL(1))
		var msg slack.Msg
		if err := json.Unmarshal(body, &msg); err != nil || resp.Header.Get("Content-Type") != jsonType {
			t.Fatalf("ack %q (%s): %v", body, resp.Header.Get("Content-Type"), err)
		}
		if msg.ResponseType != "ephemeral" || !strings.Contains(msg.Text, "ce que je sais faire") {
			t.Fatalf("ack = %+v, want the French help", msg)
		}
	})

	t.Run("BodyOverOneMebibyteIs413AndNothingIsDone", func(t *testing.T) {
		t.Parallel()
		f := setup(t)
		form := url.Values{"user_id": {"U1"}, "channel_id": {"C1"}, "command": {"/catweete"}, "text": {"queue"},
			"response_url": {f.slack.responseURL(1)}, "padding": {strings.Repeat("a", maxBody)}}
		resp, _ := f.post(t, "/slack/commands", formType, []byte(form.Encode()), nil)
		if resp.StatusCode != http.StatusRequestEntityTooLarge {
			t.Fatalf("status %d, want 413", resp.StatusCode)
		}
		f.shutdown(t)
		onlyAuthTest(t, f.slack.snapshot())
	})

	t.Run("BodyOfExactlyOneMebibyteIsRead", func(t *testing.T) {
		t.Parallel()
		f := setup(t)
		form := url.Values{"team_id": {testTeam}, "api_app_id": {testApp}, "user_id": {"U1"}, "channel_id": {"C1"},
			"command": {"/catweete"}, "text": {"queue"}, "response_url": {f.slack.responseURL(1)}}
		prefix := form.Encode() + "&padding="
		body := prefix + strings.Repeat("a", maxBody-len(prefix))
		if resp, _ := f.post(t, "/slack/commands", formType, []byte(body), nil); resp.StatusCode != http.StatusOK {
			t.Fatalf("status %d, want 200", resp.StatusCode)
		}
		f.slack.waitMethod(t, "response_url", 1)
	})

	t.Run("BadSignatureIs401AndNothingIsDone", func(t *testing.T) {
		t.Parallel()
		f := setup(t)
		event, _ := json.Marshal(mentionEvent("EvSigned", "U1", "alors ça tweete ?", "1700000100.000100"))
		command := []byte(url.Values{"user_id": {"U1"}, "channel_id": {"C1"}, "text": {"queue"}, "response_url": {f.slack.responseURL(1)}}.Encode())
		click, _ := json.Marshal(blockAction("U2", ActionApprove, "1:1"))
		interaction := []byte(url.Values{"payload": {string(click)}}.Encode())
		forgeries := map[string]func(http.Header){
			"WrongSignature": func(h http.Header) { h.Set("X-Slack-Signature", "v0="+strings.Repeat("0", 64)) },
			"NoSignature":    func(h http.Header) { h.Del("X-Slack-Signature") },
			"NoTimestamp":    func(h http.Header) { h.Del("X-Slack-Request-Timestamp") },
			"StaleTimestamp": func(h http.Header) { h.Set("X-Slack-Request-Timestamp", "1531420618") },
			"SignatureV1": func(h http.Header) {
				h.Set("X-Slack-Signature", strings.Replace(h.Get("X-Slack-Signature"), "v0=", "v1=", 1))
			},
			"NonHexSignature": func(h http.Header) { h.Set("X-Slack-Signature", "v0="+strings.Repeat("G", 64)) },
		}
		for name, forge := range forgeries {
			for _, req := range []struct {
				path, contentType string
				body              []byte
			}{{"/slack/events", jsonType, event}, {"/slack/commands", formType, command}, {"/slack/interactivity", formType, interaction}} {
				resp, _ := f.post(t, req.path, req.contentType, req.body, forge)
				if resp.StatusCode != http.StatusUnauthorized {
					t.Errorf("%s on %s: status %d, want 401", name, req.path, resp.StatusCode)
				}
			}
		}
		// The event was not even recorded as seen: signed, it is answered.
		if resp, _ := f.post(t, "/slack/events", jsonType, event, nil); resp.StatusCode != http.StatusOK {
			t.Fatalf("signed event: status %d, want 200", resp.StatusCode)
		}
		f.shutdown(t)
		calls := f.slack.snapshot()
		if len(calls) != 3 || calls[2].Method != "chat.postMessage" || calls[2].field("thread_ts") != "1700000100.000100" {
			t.Fatalf("Slack was asked %s, want auth.test, bots.info, then the one answer to the signed event", methods(calls))
		}
	})

	t.Run("URLVerificationEchoesTheChallenge", func(t *testing.T) {
		t.Parallel()
		f := setup(t)
		body := []byte(`{"token":"legacy","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","type":"url_verification"}`)
		resp, got := f.post(t, "/slack/events", jsonType, body, nil)
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != jsonType {
			t.Fatalf("status %d, type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		if string(got) != `{"challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"}` {
			t.Fatalf("body %s", got)
		}
	})

	t.Run("UnknownEventsAre200AndIgnored", func(t *testing.T) {
		t.Parallel()
		f := setup(t)
		reaction, _ := json.Marshal(map[string]any{"type": "event_callback", "event_id": "Ev9", "team_id": testTeam,
			"event": map[string]any{"type": "reaction_added", "user": "U1", "reaction": "cat", "item": map[string]any{"type": "message", "channel": "C1", "ts": "1.2"}}})
		botMention := mentionEvent("Ev10", "U1", "aide", "1700000100.000200")
		botMention["event"].(map[string]any)["bot_id"] = "B9"
		selfMention := mentionEvent("Ev11", testBotUser, "aide", "1700000100.000300")
		botJSON, _ := json.Marshal(botMention)
		selfJSON, _ := json.Marshal(selfMention)
		for name, body := range map[string][]byte{
			"ReactionAdded":  reaction,
			"AppRateLimited": []byte(`{"token":"legacy","type":"app_rate_limited","team_id":"T1","minute_rate_limited":1518467820,"api_app_id":"A1"}`),
			"NotJSON":        []byte(`{"type":`),
			"MentionByABot":  botJSON,
			"MentionBySelf":  selfJSON,
		} {
			if resp, got := f.post(t, "/slack/events", jsonType, body, nil); resp.StatusCode != http.StatusOK || len(got) != 0 {
				t.Errorf("%s: %d %q, want an empty 200", name, resp.StatusCode, got)
			}
		}
		f.shutdown(t)
		onlyAuthTest(t, f.slack.snapshot())
	})

	t.Run("RetriedEventIsAnsweredOnce", func(t *testing.T) {
		t.Parallel()
		f := setup(t)
		body, _ := json.Marshal(mentionEvent("Ev1", "U1", "alors ça tweete ?", "1700000100.000100"))
		for retry := range 3 {
			resp, _ := f.post(t, "/slack/events", jsonType, body, func(h http.Header) {
				if retry > 0 {
					h.Set("X-Slack-Retry-Num", string(rune('0'+retry)))
					h.Set("X-Slack-Retry-Reason", "http_timeout")
				}
			})
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("delivery %d: status %d, want 200", retry, resp.StatusCode)
			}
		}
		f.shutdown(t)
		if replies := only(f.slack.snapshot(), "chat.postMessage"); len(replies) != 1 {
			t.Fatalf("%d answers, want 1", len(replies))
		}
	})

	t.Run("MalformedInteractionsAre200", func(t *testing.T) {
		t.Parallel()
		f := setup(t)
		badMeta := viewSubmission(t, "U2", f.bot.reasonModal(modalMeta{UserID: "U2"}), nil)
		badMeta["view"].(map[string]any)["private_metadata"] = "{not json"
		noState := viewSubmission(t, "U2", f.bot.reasonModal(modalMeta{UserID: "U2", PostID: 1, Version: 1}), nil)
		delete(noState["view"].(map[string]any), "state")
		for name, payload := range map[string]string{
			"NotJSON":         "{not json",
			"Empty":           "",
			"WrongShape":      `{"type":"block_actions","actions":{"a":1}}`,
			"UnknownType":     `{"type":"dialog_submission","callback_id":"x"}`,
			"ShortcutUnknown": `{"type":"message_action","callback_id":"someone_elses","trigger_id":"t"}`,
			"BadMetadata":     mustJSON(t, badMeta),
		} {
			resp, body := f.interaction(t, payload)
			if resp.StatusCode != http.StatusOK || len(body) != 0 {
				t.Errorf("%s: %d %q, want an empty 200", name, resp.StatusCode, body)
			}
		}
		// A submission without state has an empty reason: the modal says so.
		resp, body := f.interaction(t, mustJSON(t, noState))
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `"response_action":"errors"`) {
			t.Errorf("NoState: %d %q, want the modal's errors", resp.StatusCode, body)
		}
		if resp, _ := f.post(t, "/slack/interactivity", formType, []byte("payload=%zz"), nil); resp.StatusCode != http.StatusOK {
			t.Errorf("bad form: status %d, want 200", resp.StatusCode)
		}
		f.shutdown(t)
		onlyAuthTest(t, f.slack.snapshot())
	})

	t.Run("ButtonWithABadValueIsRefusedPrivately", func(t *testing.T) {
		t.Parallel()
		f := setup(t)
		for _, value := range []string{"", "abc", "0:1", "-3:1", "1:x", "1:0"} {
			if resp, body := f.interaction(t, blockAction("U2", ActionApprove, value)); resp.StatusCode != http.StatusOK || len(body) != 0 {
				t.Errorf("value %q: %d %q, want an empty 200", value, resp.StatusCode, body)
			}
		}
		f.shutdown(t)
		refusals := only(f.slack.snapshot(), "chat.postEphemeral")
		if len(refusals) != 6 {
			t.Fatalf("%d refusals, want 6", len(refusals))
		}
		for _, r := range refusals {
			if r.field("user") != "U2" || r.field("channel") != testApproval || r.field("text") != "Je n'ai pas compris cette requête." {
				t.Errorf("refusal to %s in %s: %q", r.field("user"), r.field("channel"), r.field("text"))
			}
		}
	})

	t.Run("EmptyReasonIsAnErrorInTheModal", func(t *testing.T) {
		t.Parallel()
		f := setup(t)
		post := f.draft(t, "Ça tweete !")
		meta := modalMeta{UserID: "U2", Channel: "C1", PostID: post.ID, Version: post.Version, Decision: decisionReject}
		payload := viewSubmission(t, "U2", f.bot.reasonModal(meta), map[string]map[string]any{blockReason: {inputReason: plainValue("  \n ")}})
		resp, body := f.interaction(t, payload)
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != jsonType {
			t.Fatalf("status %d, type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		if want := `{"response_action":"errors","errors":{"reason":"Merci d'indiquer une raison."}}`; string(body) != want {
			t.Fatalf("ack %s, want %s", body, want)
		}
		f.shutdown(t)
		if got, _ := f.svc.Post(t.Context(), post.ID); got.Status != workflows.StatusPending {
			t.Fatalf("post is %s, want still pending", got.Status)
		}
	})

	t.Run("ReasonIsTakenAfterTheAck", func(t *testing.T) {
		t.Parallel()
		f := setup(t)
		post := f.draft(t, "Ça tweete !")
		meta := modalMeta{UserID: "U2", Channel: "C1", PostID: post.ID, Version: post.Version, Decision: decisionReject}
		payload := viewSubmission(t, "U2", f.bot.reasonModal(meta), map[string]map[string]any{blockReason: {inputReason: plainValue("Hors sujet")}})
		if resp, body := f.interaction(t, payload); resp.StatusCode != http.StatusOK || len(body) != 0 {
			t.Fatalf("ack %d %q, want an empty 200 (the modal closes)", resp.StatusCode, body)
		}
		f.shutdown(t)
		if got, _ := f.svc.Post(t.Context(), post.ID); got.Status != workflows.StatusRejected {
			t.Fatalf("post is %s, want rejected", got.Status)
		}
	})

	t.Run("ModalSubmittedBySomeoneElseIsAnError", func(t *testing.T) {
		t.Parallel()
		f := setup(t)
		post := f.draft(t, "Ça tweete !")
		meta := modalMeta{UserID: "U2", Channel: "C1", PostID: post.ID, Version: post.Version, Decision: decisionReject}
		payload := viewSubmission(t, "U3", f.bot.reasonModal(meta), map[string]map[string]any{blockReason: {inputReason: plainValue("Hors sujet")}})
		_, body := f.interaction(t, payload)
		if want := `{"response_action":"errors","errors":{"reason":"Cette fenêtre a été ouverte par quelqu'un d'autre."}}`; string(body) != want {
			t.Fatalf("ack %s, want %s", body, want)
		}
		f.shutdown(t)
		if got, _ := f.svc.Post(t.Context(), post.ID); got.Status != workflows.StatusPending {
			t.Fatalf("post is %s, want still pending", got.Status)
		}
	})

	t.Run("DraftModalCreatesThePost", func(t *testing.T) {
		t.Parallel()
		f := setup(t)
		payload := viewSubmission(t, "U1", f.bot.draftModal(modalMeta{UserID: "U1", Channel: "C1"}, ""), draftValues("Nouveau site en ligne !"))
		if resp, body := f.interaction(t, payload); resp.StatusCode != http.StatusOK || len(body) != 0 {
			t.Fatalf("ack %d %q, want an empty 200", resp.StatusCode, body)
		}
		cards := f.slack.waitMethod(t, "chat.postMessage", 1)
		if cards[0].field("channel") != testApproval || !strings.Contains(cards[0].field("blocks"), "Nouveau site en ligne !") {
			t.Errorf("card in %s: %s", cards[0].field("channel"), cards[0].field("blocks"))
		}
		told := f.slack.waitMethod(t, "chat.postEphemeral", 1)
		if told[0].field("user") != "U1" || told[0].field("channel") != "C1" || !strings.HasPrefix(told[0].field("text"), "Brouillon n°1 envoyé") {
			t.Errorf("author told %q in %s", told[0].field("text"), told[0].field("channel"))
		}
	})

	t.Run("TooLongDraftIsAnErrorInTheModal", func(t *testing.T) {
		t.Parallel()
		f := setup(t)
		payload := viewSubmission(t, "U1", f.bot.draftModal(modalMeta{UserID: "U1", Channel: "C1"}, ""), draftValues(strings.Repeat("é", 501)))
		_, body := f.interaction(t, payload)
		var got slack.ViewSubmissionResponse
		if err := json.Unmarshal(body, &got); err != nil || got.ResponseAction != slack.RAErrors || !strings.Contains(got.Errors[blockText], "501/500") {
			t.Fatalf("ack %s, want an error on the text block (501/500)", body)
		}
	})

	t.Run("FullPoolGivesTheBusyMessageInTheAck", func(t *testing.T) {
		t.Parallel()
		f := setup(t, smallPool)
		release := f.fillPool(t)
		resp, body := f.command(t, "U1", "queue", "")
		var msg slack.Msg
		if err := json.Unmarshal(body, &msg); err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("third command: %d %q: %v", resp.StatusCode, body, err)
		}
		if msg.ResponseType != "ephemeral" || msg.Text != "Je suis débordé à l'instant : réessayez dans quelques secondes." {
			t.Fatalf("third command's ack = %+v, want the busy message", msg)
		}
		release()
		f.shutdown(t)
		if n := len(only(f.slack.snapshot(), "chat.postEphemeral")); n != 2 {
			t.Fatalf("%d answers, want 2 (the third command was refused)", n)
		}
	})

	t.Run("FullPoolMakesSlackRetryAnEvent", func(t *testing.T) {
		t.Parallel()
		f := setup(t, smallPool)
		release := f.fillPool(t)
		body, _ := json.Marshal(mentionEvent("Ev1", "U1", "alors ça tweete ?", "1700000100.000100"))
		resp, _ := f.post(t, "/slack/events", jsonType, body, nil)
		if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
			t.Fatalf("status %d Retry-After %q, want 503 with Retry-After", resp.StatusCode, resp.Header.Get("Retry-After"))
		}
		release()
		f.shutdown(t)
	})
}

// TestEventRefusedWhenBusyIsAnsweredOnRetry: an event refused with a 503
// because the pool is full must be answered when Slack retries it.
func TestEventRefusedWhenBusyIsAnsweredOnRetry(t *testing.T) {
	t.Parallel()
	f := setup(t, smallPool)
	release := f.fillPool(t)
	const ts = "1700000100.000100"
	body, _ := json.Marshal(mentionEvent("Ev1", "U1", "alors ça tweete ?", ts))
	if resp, _ := f.post(t, "/slack/events", jsonType, body, nil); resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("status %d, want 503", resp.StatusCode)
	}
	release()
	f.slack.waitMethod(t, "chat.postEphemeral", 2) // the pool is free again
	resp, _ := f.post(t, "/slack/events", jsonType, body, func(h http.Header) {
		h.Set("X-Slack-Retry-Num", "1")
		h.Set("X-Slack-Retry-Reason", "http_error")
	})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("retry: status %d, want 200", resp.StatusCode)
	}
	f.shutdown(t)
	for _, c := range only(f.slack.snapshot(), "chat.postMessage") {
		if c.field("thread_ts") == ts {
			return
		}
	}
	t.Fatal("the mention was never answered: refused while busy, then deduplicated as already seen on Slack's retry")
}

// TestDraftSubmittedWhenBusyIsNotLost: a draft modal submitted while the
// pool is full must not close on nothing: either the modal says so, or
// the draft is made.
func TestDraftSubmittedWhenBusyIsNotLost(t *testing.T) {
	t.Parallel()
	f := setup(t, smallPool)
	release := f.fillPool(t)
	payload := viewSubmission(t, "U1", f.bot.draftModal(modalMeta{UserID: "U1", Channel: "C1"}, ""), draftValues("Nouveau site en ligne !"))
	_, ack := f.interaction(t, payload)
	release()
	f.shutdown(t)
	if strings.Contains(string(ack), `"response_action":"errors"`) {
		return
	}
	if _, err := f.svc.Post(t.Context(), 1); err == nil {
		return
	}
	t.Fatalf("ack %q closed the modal, and no draft was made: the submission is lost without a word", ack)
}

// TestTooLongEditIsAnErrorInTheModal: DESIGN §8, modal validation errors go
// back in the ack, as the draft modal does.
func TestTooLongEditIsAnErrorInTheModal(t *testing.T) {
	t.Parallel()
	f := setup(t)
	post := f.draft(t, "Ça tweete !")
	meta := modalMeta{UserID: "UAUTHOR", Channel: "C1", PostID: post.ID, Version: post.Version}
	payload := viewSubmission(t, "UAUTHOR", f.bot.editModal(meta, post.Text), map[string]map[string]any{blockText: {inputText: plainValue(strings.Repeat("a", 600))}})
	_, body := f.interaction(t, payload)
	var got slack.ViewSubmissionResponse
	if err := json.Unmarshal(body, &got); err != nil || got.ResponseAction != slack.RAErrors || got.Errors[blockText] == "" {
		t.Fatalf("ack %q, want response_action errors on %q (600 characters, limits 500 and 300)", body, blockText)
	}
}

// TestSubmissionWithoutStateDoesNotPanic: in Socket Mode a panic in a
// handler kills the process (no net/http recover there).
func TestSubmissionWithoutStateDoesNotPanic(t *testing.T) {
	t.Parallel()
	f := setup(t)
	cb := slack.InteractionCallback{Type: slack.InteractionTypeViewSubmission, User: slack.User{ID: "U2"},
		View: slack.View{CallbackID: CallbackReason, PrivateMetadata: modalMeta{UserID: "U2", PostID: 1, Version: 1}.encode()}}
	defer func() {
		if v := recover(); v != nil {
			t.Fatalf("onInteraction panicked on a view_submission without state: %v", v)
		}
	}()
	f.bot.onInteraction(cb)
}

func draftValues(text string) map[string]map[string]any {
	return map[string]map[string]any{
		blockText: {inputText: plainValue(text)},
		blockAccounts: {inputAccounts: map[string]any{"type": "multi_static_select", "selected_options": []any{
			map[string]any{"text": map[string]any{"type": "plain_text", "text": "Mastodon"}, "value": "1"},
		}}},
		blockWhen: {inputWhen: map[string]any{"type": "datetimepicker", "selected_date_time": nil}},
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
