package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"
)

// approvedHeader matches a card header that says the post was approved or
// went out, in either language.
var approvedHeader = regexp.MustCompile(`(?i)approuvé|publié|en cours de publication|approved|published|publishing`)

// hasButton reports whether blocks still offer a button whose action_id
// starts with prefix.
func hasButton(blocks []any, prefix string) bool {
	for _, b := range findButtons(blocks) {
		if strings.HasPrefix(b.ActionID, prefix) {
			return true
		}
	}
	return false
}

// TestEndToEnd walks the whole contract on one running bot, whose approvers
// are two listed users, in the order a team lives it; later steps use what
// earlier ones created.
func TestEndToEnd(t *testing.T) {
	t.Parallel()
	in := startInstance(t, options{})

	var (
		firstCard     card   // draft-1, approved and published in step 4
		lastLink      string // the Mastodon URL of the most recent publication
		pendingCard   card   // waits for approval across the restart
		statusEvent   = "EvStatus1"
		statusTS      = "1700001000.000100"
		mentionText   = "<@UBOT> alors ça tweete ?"
		pendingMarker = "e2e-pending-1"
	)

	t.Run("RequestsWithoutAValidSlackSignatureAreRefusedAndLeaveNoTrace", func(t *testing.T) {
		in.t = t
		challenge := "challenge-" + randomHex(8)
		body, _ := json.Marshal(map[string]string{"token": "legacy", "challenge": challenge, "type": "url_verification"})
		a := in.post("/slack/events", "application/json", body, nil, sign{})
		if checkAck(t, "url_verification", a) {
			var got struct{ Challenge string }
			if json.Unmarshal([]byte(a.Body), &got) != nil {
				got.Challenge = strings.TrimSpace(a.Body)
			}
			if got.Challenge != challenge {
				t.Errorf("url_verification answered %q, want the challenge %q echoed", a.Body, challenge)
			}
		}

		forgedCommand := url.Values{"team_id": {"T1"}, "channel_id": {teamChannel}, "user_id": {author},
			"command": {slashCommand}, "text": {"draft forged e2e-forged"},
			"response_url": {in.slack.newResponseURL("forged")}, "trigger_id": {"trigger-forged"}}.Encode()
		forgedEvent, _ := json.Marshal(map[string]any{"type": "event_callback", "team_id": "T1", "event_id": "EvForged1",
			"event": map[string]any{"type": "app_mention", "user": colleague, "text": mentionText, "ts": "1700000999.000100", "channel": generalChannel}})
		forgedClick, _ := json.Marshal(map[string]any{"type": "block_actions", "user": map[string]any{"id": approver1},
			"channel": map[string]any{"id": approvalChannel}, "trigger_id": "trigger-forged", "response_url": in.slack.newResponseURL("forged"),
			"actions": []any{map[string]any{"action_id": "approve", "block_id": "b", "value": "1:1", "type": "button"}}})
		requests := []struct {
			path, contentType string
			body              []byte
		}{
			{"/slack/commands", "application/x-www-form-urlencoded", []byte(forgedCommand)},
			{"/slack/events", "application/json", forgedEvent},
			{"/slack/interactivity", "application/x-www-form-urlencoded", []byte(url.Values{"payload": {string(forgedClick)}}.Encode())},
		}
		signs := []struct {
			name string
			s    sign
		}{
			{"no signature", sign{none: true}},
			{"a malformed signature", sign{signature: "v0=deadbeef"}},
			{"a signature without its version", sign{signature: strings.Repeat("ab", 32)}},
			{"a body signed with another secret", sign{secret: randomHex(16)}},
			{"a signature of another body", sign{tamper: true}},
			{"a timestamp 6 minutes old", sign{skew: -6 * time.Minute}},
			{"a timestamp 10 minutes ahead", sign{skew: 10 * time.Minute}},
		}
		for _, r := range requests {
			for _, s := range signs {
				a := in.post(r.path, r.contentType, r.body, nil, s.s)
				switch {
				case a.Err != nil:
					t.Errorf("POST %s with %s: no answer: %v", r.path, s.name, a.Err)
				case a.Status != http.StatusUnauthorized:
					t.Errorf("POST %s with %s: answered %d %q, want 401", r.path, s.name, a.Status, short(a.Body, 200))
				case a.Took > ackBudget:
					t.Errorf("POST %s with %s: answered after %s", r.path, s.name, a.Took)
				}
			}
		}

		// A valid mention afterwards is the barrier: once it is answered,
		// anything the forged requests had set off would have shown.
		barrier := in.event("EvBarrier1", colleague, generalChannel, "1700000998.000100", mentionText, 0)
		_ = barrier
		waitSlack(in, 5*time.Second, "the answer to a valid mention", 0, func(calls []apiCall, _ []responsePost) (bool, bool) {
			for _, c := range calls {
				if c.Method == "chat.postMessage" && c.Form.Get("thread_ts") == "1700000998.000100" {
					return true, true
				}
			}
			return false, false
		})
		calls, resps := in.slack.snapshot(0)
		for _, c := range calls {
			if c.Method == "auth.test" || c.Method == "bots.info" || c.Form.Get("thread_ts") == "1700000998.000100" {
				continue
			}
			t.Errorf("a forged request led to a Web API call: %s %s", c.Method, short(c.describe(), 300))
		}
		for _, p := range resps {
			t.Errorf("a forged request was answered on its response_url: %s", short(p.Raw, 300))
		}
		if n := in.count(`SELECT count(*) FROM posts`); n != 0 {
			t.Errorf("after forged requests the database holds %d post(s), want 0", n)
		}
		if n := in.count(`SELECT count(*) FROM seen_events WHERE event_id LIKE 'EvForged%'`); n != 0 {
			t.Errorf("a forged event was recorded as seen (%d row(s))", n)
		}
		if n := in.count(`SELECT count(*) FROM seen_events`); n != 1 {
			t.Errorf("seen_events holds %d row(s), want 1 (the valid barrier event)", n)
		}
		if reqs := in.masto.requests(0); len(reqs) != 0 {
			t.Errorf("forged requests reached Mastodon: %+v", reqs)
		}
	})

	t.Run("HelpListsTheCommandsInTheLanguageAsked", func(t *testing.T) {
		in.t = t
		english := in.answer(in.command(colleague, teamChannel, "help"))
		for _, word := range []string{"draft", "status", "queue", "cancel", "help"} {
			if !strings.Contains(english, word) {
				t.Errorf("/catweete help does not mention %q:\n%s", word, english)
			}
		}
		french := in.answer(in.command(colleague, teamChannel, "aide"))
		for _, word := range []string{"brouillon", "statut", "file", "annuler", "aide"} {
			if !strings.Contains(french, word) {
				t.Errorf("/catweete aide does not mention %q:\n%s", word, french)
			}
		}
		if french == english {
			t.Errorf("/catweete aide and /catweete help give the same text; want French and English:\n%s", french)
		}
		unknown := in.answer(in.command(colleague, teamChannel, "frobnicate now"))
		if !strings.Contains(unknown, "frobnicate") || !strings.Contains(unknown, "brouillon") {
			t.Errorf("an unknown command should name it and give the help; got:\n%s", unknown)
		}
	})

	t.Run("DraftPostsAnApprovalCardWithButtons", func(t *testing.T) {
		in.t = t
		text := "Bonjour depuis le test de bout en bout e2e-draft-1"
		c, cd := in.draft("draft", text, "e2e-draft-1")
		firstCard = cd
		if cd.Channel != approvalChannel {
			t.Errorf("the card went to %q, want %q", cd.Channel, approvalChannel)
		}
		id := in.value(`SELECT id FROM posts WHERE text LIKE ?`, "%e2e-draft-1%")
		if id == "" {
			t.Fatalf("no post row for the draft")
		}
		values := map[string]bool{}
		for _, prefix := range []string{"approve", "reject", "request_changes"} {
			b := cd.button(t, prefix)
			values[b.Value] = true
			if !regexp.MustCompile(`(^|\D)` + id + `(\D|$)`).MatchString(b.Value) {
				t.Errorf("button %s has value %q, which does not name post %s", b.ActionID, b.Value, id)
			}
		}
		if len(values) != 1 {
			t.Errorf("the three buttons carry different values %v; want the one post they act on", values)
		}
		if m := mastodonCount.FindStringSubmatch(allText(cd.Blocks)); m == nil {
			t.Errorf("the card does not show Mastodon n/500; it shows:\n%s", allText(cd.Blocks))
		} else if m[1] != strconv.Itoa(utf8.RuneCountInString(text)) || m[2] != "500" {
			t.Errorf("the card shows %q, want Mastodon %d/500", m[0], utf8.RuneCountInString(text))
		}
		if got := in.answer(c); !strings.Contains(got, id) {
			t.Errorf("the author was told %q, which does not name post %s", got, id)
		}

		link := "https://example.com/un/chemin/assez/long/pour/que/le/compte/soit/different"
		text2 := "Nouveau site : " + link + " e2e-brouillon-1"
		_, cd2 := in.draft("brouillon", text2, "e2e-brouillon-1")
		if cd2.Channel != approvalChannel {
			t.Errorf("the card went to %q, want %q", cd2.Channel, approvalChannel)
		}
		want := utf8.RuneCountInString(text2) - len(link) + 23
		if m := mastodonCount.FindStringSubmatch(allText(cd2.Blocks)); m == nil || m[1] != strconv.Itoa(want) {
			t.Errorf("the card of a post with a link shows %v, want Mastodon %d/500 (a URL counts 23)", m, want)
		}
		if cd2.button(t, "approve").Value == cd.button(t, "approve").Value {
			t.Errorf("two posts have buttons with the same value %q", cd.button(t, "approve").Value)
		}

		open := in.command(author, teamChannel, "draft")
		m := in.waitModal(open.mark, open.TriggerID)
		inputs := m.textInputs()
		if len(inputs) == 0 {
			t.Fatalf("the draft modal has no text input: %+v", m.View)
		}
		mark := in.slack.mark()
		a := in.submit(author, m, "Écrit dans la modale e2e-modal-1")
		if strings.Contains(a.Body, "errors") {
			t.Errorf("a valid draft modal was refused: %s", a.Body)
		}
		in.waitCard(mark, "e2e-modal-1")
	})

	t.Run("OnlyAnotherApproverApprovesAndThePostGoesOutOnce", func(t *testing.T) {
		in.t = t
		if firstCard.TS == "" {
			t.Skip("no card from the draft step")
		}
		cd := firstCard
		mark := in.slack.mark()
		approve := cd.button(t, "approve")

		self := in.click(author, cd, approve)
		if text := in.waitRefusal(self); strings.TrimSpace(text) == "" {
			t.Errorf("the author approving their own post got an empty answer")
		}
		stranger := in.click(outsider, cd, approve)
		if text := in.waitRefusal(stranger); strings.TrimSpace(text) == "" {
			t.Errorf("a non-approver got an empty answer")
		}
		calls, _ := in.slack.snapshot(mark)
		for _, u := range updatesOf(calls, cd) {
			if !hasButton(parseBlocks(u.Form.Get("blocks")), "approve") {
				t.Errorf("after refused approvals the card was redrawn without its approve button: %s", short(allText(parseBlocks(u.Form.Get("blocks"))), 300))
			}
		}
		if s := in.value(`SELECT status FROM posts WHERE text LIKE ?`, "%e2e-draft-1%"); s != "pending" {
			t.Errorf("after refused approvals the post is %q, want pending", s)
		}
		if rs := in.masto.requestsFor("e2e-draft-1"); len(rs) != 0 {
			t.Errorf("a refused approval published the post: %+v", rs)
		}

		mark = in.slack.mark()
		in.click(approver1, cd, approve)
		update := waitSlack(in, 5*time.Second, "the card updated as approved", mark, func(calls []apiCall, _ []responsePost) (apiCall, bool) {
			for _, u := range updatesOf(calls, cd) {
				if approvedHeader.MatchString(headerText(parseBlocks(u.Form.Get("blocks")))) {
					return u, true
				}
			}
			return apiCall{}, false
		})
		if update.Form.Get("channel") != cd.Channel {
			t.Errorf("chat.update went to channel %q, want the card's %q", update.Form.Get("channel"), cd.Channel)
		}
		if hasButton(parseBlocks(update.Form.Get("blocks")), "approve") {
			t.Errorf("the approved card still offers Approve")
		}
		st, msg := in.waitPublished(cd, "e2e-draft-1", mark)
		if st.IdempotencyKey == "" {
			t.Errorf("POST /api/v1/statuses without an Idempotency-Key")
		}
		if st.Authorization != "Bearer "+in.secrets.mastodonToken {
			t.Errorf("POST /api/v1/statuses with Authorization %q, want the bearer token", st.Authorization)
		}
		if msg.Form.Get("channel") != cd.Channel {
			t.Errorf("the link went to channel %q, want the card's %q", msg.Form.Get("channel"), cd.Channel)
		}
		lastLink = statusURL(st.ID)
		waitSlack(in, 5*time.Second, "the card updated with the link", mark, func(calls []apiCall, _ []responsePost) (bool, bool) {
			for _, u := range updatesOf(calls, cd) {
				if strings.Contains(allText(parseBlocks(u.Form.Get("blocks"))), lastLink) {
					return true, true
				}
			}
			return false, false
		})
		if rs := in.masto.requestsFor("e2e-draft-1"); len(rs) != 1 {
			t.Errorf("the post was sent to Mastodon %d times, want once: %+v", len(rs), rs)
		}

		// The other approver clicks the same, now stale, card: the slow
		// side of "two approvers clicking at once", without the luck.
		late := in.click(approver2, cd, approve)
		text := in.waitRefusal(late)
		if !strings.Contains(text, "<@"+approver1+">") {
			t.Errorf("%s approving after %s was told %q, which does not say who approved first", approver2, approver1, text)
		}
		calls, _ = in.slack.snapshot(late.mark)
		if us := updatesOf(calls, cd); len(us) != 0 {
			t.Errorf("a late approval redrew the card %d time(s)", len(us))
		}
		if rs := in.masto.requestsFor("e2e-draft-1"); len(rs) != 1 {
			t.Errorf("after a late approval the post was sent to Mastodon %d times, want once", len(rs))
		}
	})

	t.Run("TwoApproversClickingAtOnceGiveOnePublication", func(t *testing.T) {
		in.t = t
		for round := 1; round <= 5; round++ {
			marker := fmt.Sprintf("e2e-race-%d", round)
			_, cd := in.draft("draft", "Course d'approbateurs "+marker, marker)
			approve := cd.button(t, "approve")
			mark := in.slack.mark()
			start := make(chan struct{})
			var wg sync.WaitGroup
			clicks := make([]click, 2)
			for i, user := range []string{approver1, approver2} {
				wg.Go(func() {
					<-start
					clicks[i] = in.clickRaw(user, cd, approve)
				})
			}
			close(start)
			wg.Wait()
			for _, k := range clicks {
				checkAck(t, k.User+" approving at the same time", k.ack)
			}
			st, _ := in.waitPublished(cd, marker, mark)
			lastLink = statusURL(st.ID)
			// The loser is told, privately, who was first.
			type told struct{ loser, text string }
			answer, ok := pollSlack(in, 5*time.Second, mark, func(calls []apiCall, resps []responsePost) (told, bool) {
				for _, k := range clicks {
					if text, ok := refusalFor(k.User, k.ResponseURL)(calls, resps); ok {
						return told{k.User, text}, true
					}
				}
				return told{}, false
			})
			if !ok {
				t.Errorf("round %d: neither approver was told the other was first", round)
				continue
			}
			winner := approver1
			if answer.loser == approver1 {
				winner = approver2
			}
			if !strings.Contains(answer.text, "<@"+winner+">") {
				t.Errorf("round %d: %s was told %q, which does not say that %s was first", round, answer.loser, answer.text, winner)
			}
			calls, resps := in.slack.snapshot(mark)
			if _, both := refusalFor(winner, clicks[indexOf(clicks, winner)].ResponseURL)(calls, resps); both {
				t.Errorf("round %d: both approvers got a private refusal", round)
			}
			if rs := in.masto.requestsFor(marker); len(rs) != 1 {
				t.Errorf("round %d: the post was sent to Mastodon %d times, want once: %+v", round, len(rs), rs)
			}
		}
	})

	t.Run("RejectAndRequestChangesAskForAReason", func(t *testing.T) {
		in.t = t
		for _, tc := range []struct {
			action, marker, reason, status string
		}{
			{"request_changes", "e2e-changes-1", "Trop de jargon, simplifiez e2e-reason-changes", "changes_requested"},
			{"reject", "e2e-reject-1", "Hors sujet pour la marque e2e-reason-reject", "rejected"},
		} {
			_, cd := in.draft("draft", "Un post à discuter "+tc.marker, tc.marker)
			k := in.click(approver1, cd, cd.button(t, tc.action))
			m := in.waitModal(k.mark, k.TriggerID)
			inputs := m.textInputs()
			if len(inputs) != 1 {
				t.Fatalf("%s: the modal has %d text inputs, want one for the reason: %+v", tc.action, len(inputs), m.View)
			}

			a := in.submit(approver1, m, "   ")
			var errs struct {
				ResponseAction string            `json:"response_action"`
				Errors         map[string]string `json:"errors"`
			}
			if err := json.Unmarshal([]byte(a.Body), &errs); err != nil || errs.ResponseAction != "errors" {
				t.Errorf("%s: an empty reason was acked with %q, want {\"response_action\":\"errors\",…}", tc.action, a.Body)
			} else if errs.Errors[inputs[0].BlockID] == "" {
				t.Errorf("%s: the errors %v do not name the reason's block %q", tc.action, errs.Errors, inputs[0].BlockID)
			}
			if s := in.value(`SELECT status FROM posts WHERE text LIKE ?`, "%"+tc.marker+"%"); s != "pending" {
				t.Errorf("%s: after an empty reason the post is %q, want pending", tc.action, s)
			}

			mark := in.slack.mark()
			a = in.submit(approver1, m, tc.reason)
			if strings.Contains(a.Body, `"errors"`) {
				t.Errorf("%s: a valid reason was refused: %s", tc.action, a.Body)
			}
			waitSlack(in, 5*time.Second, tc.action+": the card updated with the reason", mark, func(calls []apiCall, _ []responsePost) (bool, bool) {
				for _, u := range updatesOf(calls, cd) {
					blocks := parseBlocks(u.Form.Get("blocks"))
					if strings.Contains(allText(blocks), tc.reason) && !hasButton(blocks, "approve") {
						return true, true
					}
				}
				return false, false
			})
			if s := in.value(`SELECT status FROM posts WHERE text LIKE ?`, "%"+tc.marker+"%"); s != tc.status {
				t.Errorf("%s: the post is %q, want %q", tc.action, s, tc.status)
			}

			// The same modal submitted again: a private answer, no change.
			mark = in.slack.mark()
			in.submit(approver1, m, tc.reason+" (bis)")
			text := waitSlack(in, 5*time.Second, tc.action+": a private answer to the second submission", mark, refusalFor(approver1, ""))
			if strings.TrimSpace(text) == "" {
				t.Errorf("%s: the second submission got an empty answer", tc.action)
			}
			calls, _ := in.slack.snapshot(mark)
			if us := updatesOf(calls, cd); len(us) != 0 {
				t.Errorf("%s: the second submission redrew the card: %s", tc.action, short(allText(parseBlocks(us[0].Form.Get("blocks"))), 300))
			}
			// The first decision's own line in the thread may land after
			// mark; only a line with the second reason is a second change.
			for _, m := range threadOf(calls, cd) {
				if strings.Contains(m.Form.Get("text"), "(bis)") {
					t.Errorf("%s: the second submission was announced in the thread: %q", tc.action, m.Form.Get("text"))
				}
			}
			if s := in.value(`SELECT status FROM posts WHERE text LIKE ?`, "%"+tc.marker+"%"); s != tc.status {
				t.Errorf("%s: after the second submission the post is %q, want %q", tc.action, s, tc.status)
			}
		}
	})

	t.Run("AlorsCaTweeteIsAnsweredInTheThreadOnce", func(t *testing.T) {
		in.t = t
		_, pendingCard = in.draft("draft", "Ce post attend son approbation "+pendingMarker, pendingMarker)
		mark := in.slack.mark()
		in.event(statusEvent, colleague, generalChannel, statusTS, mentionText, 0)
		reply := waitSlack(in, 5*time.Second, "the answer to « alors ça tweete ? »", mark, func(calls []apiCall, _ []responsePost) (apiCall, bool) {
			for _, c := range calls {
				if c.Method == "chat.postMessage" && c.Form.Get("thread_ts") == statusTS {
					return c, true
				}
			}
			return apiCall{}, false
		})
		if reply.Form.Get("channel") != generalChannel {
			t.Errorf("the answer went to %q, want the mention's channel %q", reply.Form.Get("channel"), generalChannel)
		}
		text := reply.Form.Get("text") + "\n" + allText(parseBlocks(reply.Form.Get("blocks")))
		if lastLink == "" || !strings.Contains(text, lastLink) {
			t.Errorf("the answer does not link the last published post %q:\n%s", lastLink, text)
		}
		if !strings.Contains(text, pendingMarker) {
			t.Errorf("the answer does not list the post waiting for approval (%s):\n%s", pendingMarker, text)
		}
		if !regexp.MustCompile(`(?i)prochain|programmé|next|scheduled`).MatchString(text) {
			t.Errorf("the answer does not say what goes out next:\n%s", text)
		}

		// Slack retries the same event: no second answer.
		mark = in.slack.mark()
		in.event(statusEvent, colleague, generalChannel, statusTS, mentionText, 1)
		barrierTS := "1700001001.000100"
		in.event("EvStatus2", colleague, generalChannel, barrierTS, mentionText, 0)
		waitSlack(in, 5*time.Second, "the answer to a second, new mention", mark, func(calls []apiCall, _ []responsePost) (bool, bool) {
			for _, c := range calls {
				if c.Method == "chat.postMessage" && c.Form.Get("thread_ts") == barrierTS {
					return true, true
				}
			}
			return false, false
		})
		calls, _ := in.slack.snapshot(mark)
		for _, c := range calls {
			if c.Method == "chat.postMessage" && c.Form.Get("thread_ts") == statusTS {
				t.Errorf("the retried event %s was answered again: %q", statusEvent, short(c.Form.Get("text"), 200))
			}
		}
	})

	t.Run("BadInputGetsAShortAnswerAndNoError", func(t *testing.T) {
		in.t = t
		shortAnswer := func(what, text string) {
			t.Helper()
			if strings.TrimSpace(text) == "" || utf8.RuneCountInString(text) > 400 {
				t.Errorf("%s: want a short answer, got %q", what, text)
			}
		}

		a := in.post("/slack/interactivity", "application/x-www-form-urlencoded",
			[]byte(url.Values{"payload": {`{"type":"block_actions","actions":[{`}}.Encode()), nil, sign{})
		checkAck(t, "a malformed interactivity payload", a)
		a = in.post("/slack/interactivity", "application/x-www-form-urlencoded", []byte("nothing=here"), nil, sign{})
		checkAck(t, "an interactivity request without payload", a)
		a = in.post("/slack/events", "application/json", []byte(`{"type":"event_callback","event":`), nil, sign{})
		checkAck(t, "a malformed event", a)

		if pendingCard.TS != "" {
			bad := in.click(approver1, pendingCard, button{ActionID: "approve", BlockID: pendingCard.button(t, "approve").BlockID, Value: "banana"})
			shortAnswer("an approve button with value banana", in.waitRefusal(bad))
			gone := in.click(approver1, pendingCard, button{ActionID: "approve", BlockID: pendingCard.button(t, "approve").BlockID, Value: "999999:1"})
			shortAnswer("an approve button for post 999999", in.waitRefusal(gone))
			if s := in.value(`SELECT status FROM posts WHERE text LIKE ?`, "%"+pendingMarker+"%"); s != "pending" {
				t.Errorf("bad buttons changed the pending post to %q", s)
			}
		}

		got := in.answer(in.command(author, teamChannel, "annuler abc"))
		shortAnswer("/catweete annuler abc", got)
		got = in.answer(in.command(author, teamChannel, "cancel 999999"))
		shortAnswer("/catweete cancel 999999", got)
		if !strings.Contains(got, "999999") {
			t.Errorf("/catweete cancel 999999 answered %q, which does not name the post", got)
		}

		posts := in.count(`SELECT count(*) FROM posts`)
		long := strings.Repeat("a", 495) + " e2e-long"
		got = in.answer(in.command(author, teamChannel, "draft "+long))
		shortAnswer("a 504-character draft", got)
		if !strings.Contains(got, "500") {
			t.Errorf("a draft over 500 characters answered %q, which does not give the limit", got)
		}
		if n := in.count(`SELECT count(*) FROM posts`); n != posts {
			t.Errorf("a draft over 500 characters was stored (%d posts, was %d)", n, posts)
		}

		open := in.command(author, teamChannel, "brouillon")
		m := in.waitModal(open.mark, open.TriggerID)
		a = in.submit(author, m, "  ")
		if !strings.Contains(a.Body, `"response_action":"errors"`) {
			t.Errorf("an empty draft in the modal was acked with %q, want response_action errors", a.Body)
		}
		if n := in.count(`SELECT count(*) FROM posts`); n != posts {
			t.Errorf("an empty draft was stored (%d posts, was %d)", n, posts)
		}

		// A view_submission whose view carries no state (Slack always sends
		// one; a forged or truncated payload may not).
		view := map[string]any{}
		for k, v := range m.View {
			view[k] = v
		}
		raw, _ := json.Marshal(map[string]any{"type": "view_submission", "user": map[string]any{"id": author}, "view": view})
		a = in.post("/slack/interactivity", "application/x-www-form-urlencoded", []byte(url.Values{"payload": {string(raw)}}.Encode()), nil, sign{})
		checkAck(t, "a view_submission without state", a)

		// A panic shows in the log, checked once the process has stopped
		// (TheLogShowsNoPanicAndNoDataRace): its stderr is copied asynchronously.
	})

	t.Run("RestartKeepsPendingPostsAndSeenEvents", func(t *testing.T) {
		in.t = t
		took, exitErr, ok := in.terminate(10 * time.Second)
		if !ok {
			t.Fatalf("catweete did not exit within 10 s of SIGTERM (killed after %s)", took)
		}
		t.Logf("catweete exited %s after SIGTERM", took.Round(time.Millisecond))
		if exitErr != nil {
			t.Errorf("catweete exited with %v after SIGTERM, want a clean exit", exitErr)
		}
		if n := in.count(`SELECT count(*) FROM seen_events WHERE event_id = ?`, statusEvent); n != 1 {
			t.Errorf("the handled event %s is not in seen_events after the stop", statusEvent)
		}
		in.start()

		mark := in.slack.mark()
		in.event(statusEvent, colleague, generalChannel, statusTS, mentionText, 2)
		barrierTS := "1700001002.000100"
		in.event("EvStatus3", colleague, generalChannel, barrierTS, mentionText, 0)
		waitSlack(in, 5*time.Second, "the answer to a new mention after the restart", mark, func(calls []apiCall, _ []responsePost) (bool, bool) {
			for _, c := range calls {
				if c.Method == "chat.postMessage" && c.Form.Get("thread_ts") == barrierTS {
					return true, true
				}
			}
			return false, false
		})
		calls, _ := in.slack.snapshot(mark)
		for _, c := range calls {
			if c.Method == "chat.postMessage" && c.Form.Get("thread_ts") == statusTS {
				t.Errorf("after the restart, the retried event %s was answered again", statusEvent)
			}
		}

		if pendingCard.TS == "" {
			t.Fatal("no pending card from before the restart")
		}
		if s := in.value(`SELECT status FROM posts WHERE text LIKE ?`, "%"+pendingMarker+"%"); s != "pending" {
			t.Fatalf("after the restart the pending post is %q", s)
		}
		mark = in.slack.mark()
		in.click(approver2, pendingCard, pendingCard.button(t, "approve"))
		waitSlack(in, 5*time.Second, "the old card updated as approved after the restart", mark, func(calls []apiCall, _ []responsePost) (bool, bool) {
			for _, u := range updatesOf(calls, pendingCard) {
				if u.Form.Get("channel") == pendingCard.Channel && approvedHeader.MatchString(headerText(parseBlocks(u.Form.Get("blocks")))) {
					return true, true
				}
			}
			return false, false
		})
		in.waitPublished(pendingCard, pendingMarker, mark)
		if rs := in.masto.requestsFor(pendingMarker); len(rs) != 1 {
			t.Errorf("the post approved after the restart was sent %d times, want once", len(rs))
		}
	})

	t.Run("SecretsNeverLeak", func(t *testing.T) {
		in.t = t
		checkSecrets(t, in)
	})

	t.Run("TheLogShowsNoPanicAndNoDataRace", func(t *testing.T) {
		in.t = t
		checkLogs(t, in)
	})
	in.t = t
}

func indexOf(clicks []click, user string) int {
	for i, k := range clicks {
		if k.User == user {
			return i
		}
	}
	return 0
}

// checkSecrets looks for the instance's secrets everywhere they must not be.
func checkSecrets(t *testing.T, in *instance) {
	t.Helper()
	places := map[string][]byte{"the bot's log (stderr)": []byte(in.logs.String())}
	calls, resps := in.slack.snapshot(0)
	var sent bytes.Buffer
	for _, c := range calls {
		sent.WriteString(c.describe()) // the token field is not in describe()
		sent.WriteString("\n")
	}
	for _, p := range resps {
		sent.WriteString(p.Raw + "\n")
	}
	places["what the bot sent Slack (Web API calls and response_urls)"] = sent.Bytes()
	in.mu.Lock()
	places["the bot's answers to Slack's requests"] = []byte(strings.Join(in.replies, "\n"))
	in.mu.Unlock()
	for _, suffix := range []string{"", "-wal"} {
		b, err := os.ReadFile(in.dbPath + suffix)
		if err != nil {
			if suffix == "" {
				t.Errorf("reading the database: %v", err)
			}
			continue
		}
		places["the database file "+in.dbPath+suffix] = b
	}
	var mastodonBodies bytes.Buffer
	for _, s := range in.masto.requests(0) {
		mastodonBodies.WriteString(s.Status + "\n")
	}
	places["the statuses sent to Mastodon"] = mastodonBodies.Bytes()
	for name, secret := range in.secrets.all() {
		for where, b := range places {
			if bytes.Contains(b, []byte(secret)) {
				t.Errorf("%s appears in %s", name, where)
			}
		}
	}
}

// checkLogs stops the child, so that all it wrote is read, and fails on a
// panic or a data race it reported.
func checkLogs(t *testing.T, in *instance) {
	t.Helper()
	if took, err, ok := in.terminate(10 * time.Second); !ok {
		t.Errorf("catweete did not exit within 10 s of SIGTERM (killed after %s)", took)
	} else if err != nil {
		t.Errorf("catweete exited with %v after SIGTERM, want a clean exit", err)
	}
	logs := in.logs.String()
	for _, bad := range []string{"panic", "DATA RACE", "fatal error"} {
		if i := strings.Index(logs, bad); i >= 0 {
			from := max(i-200, 0)
			t.Errorf("the bot's log holds %q:\n%s", bad, short(logs[from:], 1500))
		}
	}
}

// TestTwoApprovalsRequired runs a bot that needs two distinct approvals.
func TestTwoApprovalsRequired(t *testing.T) {
	t.Parallel()
	in := startInstance(t, options{approvalsRequired: "2"})
	marker := "e2e-two-1"
	_, cd := in.draft("draft", "Deux avis valent mieux qu'un "+marker, marker)
	approve := cd.button(t, "approve")

	t.Run("OneApprovalIsCountedButDoesNotPublish", func(t *testing.T) {
		in.t = t
		mark := in.slack.mark()
		in.click(approver1, cd, approve)
		waitSlack(in, 5*time.Second, "the card updated with 1/2", mark, func(calls []apiCall, _ []responsePost) (bool, bool) {
			for _, u := range updatesOf(calls, cd) {
				if strings.Contains(allText(parseBlocks(u.Form.Get("blocks"))), "1/2") {
					return true, true
				}
			}
			return false, false
		})
		calls, _ := in.slack.snapshot(mark)
		for _, u := range updatesOf(calls, cd) {
			blocks := parseBlocks(u.Form.Get("blocks"))
			if approvedHeader.MatchString(headerText(blocks)) || !hasButton(blocks, "approve") {
				t.Errorf("after one approval of two the card reads as approved: %s", short(allText(blocks), 300))
			}
		}
		again := in.click(approver1, cd, approve)
		if text := in.waitRefusal(again); strings.TrimSpace(text) == "" {
			t.Errorf("approving twice got an empty answer")
		}
		if s := in.value(`SELECT status FROM posts WHERE text LIKE ?`, "%"+marker+"%"); s != "pending" {
			t.Errorf("after one approval of two the post is %q, want pending", s)
		}
		if rs := in.masto.requestsFor(marker); len(rs) != 0 {
			t.Errorf("one approval of two published the post: %+v", rs)
		}
	})

	t.Run("TheSecondDistinctApprovalPublishesOnce", func(t *testing.T) {
		in.t = t
		mark := in.slack.mark()
		in.click(approver2, cd, approve)
		st, _ := in.waitPublished(cd, marker, mark)
		if st.IdempotencyKey == "" || st.Authorization != "Bearer "+in.secrets.mastodonToken {
			t.Errorf("the status was sent with Idempotency-Key %q and the right bearer token: %t", st.IdempotencyKey,
				st.Authorization == "Bearer "+in.secrets.mastodonToken)
		}
		if rs := in.masto.requestsFor(marker); len(rs) != 1 {
			t.Errorf("the post was sent to Mastodon %d times, want once", len(rs))
		}
	})

	t.Run("SecretsNeverLeak", func(t *testing.T) { in.t = t; checkSecrets(t, in) })
	t.Run("TheLogShowsNoPanicAndNoDataRace", func(t *testing.T) { in.t = t; checkLogs(t, in) })
	in.t = t
}

// TestUserGroupApprovers runs a bot whose approvers are a Slack user group.
func TestUserGroupApprovers(t *testing.T) {
	t.Parallel()
	in := startInstance(t, options{approvers: "SAPPROVERS", groups: map[string][]string{"SAPPROVERS": {approver1, approver2}}})
	marker := "e2e-group-1"
	_, cd := in.draft("draft", "Approuvé par un groupe "+marker, marker)
	approve := cd.button(t, "approve")

	t.Run("SomeoneOutsideTheGroupIsRefused", func(t *testing.T) {
		in.t = t
		k := in.click(outsider, cd, approve)
		if text := in.waitRefusal(k); strings.TrimSpace(text) == "" {
			t.Errorf("a non-member got an empty answer")
		}
		if s := in.value(`SELECT status FROM posts WHERE text LIKE ?`, "%"+marker+"%"); s != "pending" {
			t.Errorf("after a non-member's click the post is %q, want pending", s)
		}
	})

	t.Run("AMemberOfTheGroupApprovesAndThePostGoesOutOnce", func(t *testing.T) {
		in.t = t
		mark := in.slack.mark()
		in.click(approver2, cd, approve)
		in.waitPublished(cd, marker, mark)
		if rs := in.masto.requestsFor(marker); len(rs) != 1 {
			t.Errorf("the post was sent to Mastodon %d times, want once", len(rs))
		}
		calls, _ := in.slack.snapshot(0)
		asked := false
		for _, c := range calls {
			if c.Method == "usergroups.users.list" && c.Form.Get("usergroup") == "SAPPROVERS" {
				asked = true
			}
		}
		if !asked {
			t.Errorf("the bot never asked usergroups.users.list for SAPPROVERS")
		}
	})

	t.Run("SecretsNeverLeak", func(t *testing.T) { in.t = t; checkSecrets(t, in) })
	t.Run("TheLogShowsNoPanicAndNoDataRace", func(t *testing.T) { in.t = t; checkLogs(t, in) })
	in.t = t
}
