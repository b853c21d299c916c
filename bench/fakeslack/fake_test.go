package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/slack-go/slack"

	"catweete/bench/workspace"
)

const testToken = "xoxb-bench-test"

func setup(t *testing.T) (*httptest.Server, *slack.Client) {
	t.Helper()
	srv := httptest.NewServer(newFake(testToken).routes())
	t.Cleanup(srv.Close)
	return srv, slack.New(testToken, slack.OptionAPIURL(srv.URL+"/api/"))
}

func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s", url, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatal(err)
	}
}

// The answers are read by slack-go, catweete's own client: each call must
// succeed and carry the fields catweete uses.
func TestWebAPIAnswersAsSlackDocuments(t *testing.T) {
	t.Parallel()
	srv, api := setup(t)
	ctx := context.Background()

	auth, err := api.AuthTestContext(ctx)
	if err != nil || auth.UserID != workspace.BotUserID || auth.TeamID != workspace.TeamID || auth.BotID != workspace.BotID {
		t.Fatalf("auth.test = %+v, %v", auth, err)
	}
	user, err := api.GetUserInfoContext(ctx, workspace.Author)
	if err != nil || user.ID != workspace.Author || user.TZ != workspace.TimeZone {
		t.Fatalf("users.info = %+v, %v", user, err)
	}
	members, err := api.GetUserGroupMembersContext(ctx, "SAPPROVERS")
	if err != nil || len(members) != 1 {
		t.Fatalf("usergroups.users.list = %v, %v", members, err)
	}
	bot, err := api.GetBotInfoContext(ctx, slack.GetBotInfoParameters{Bot: workspace.BotID})
	if err != nil || bot.ID != workspace.BotID {
		t.Fatalf("bots.info = %+v, %v", bot, err)
	}
	channel, ts, err := api.PostMessageContext(ctx, workspace.ApprovalChannel, slack.MsgOptionText("card", false))
	if err != nil || channel != workspace.ApprovalChannel || ts == "" {
		t.Fatalf("chat.postMessage = %q %q, %v", channel, ts, err)
	}
	if _, _, _, err := api.UpdateMessageContext(ctx, channel, ts, slack.MsgOptionText("card, updated", false)); err != nil {
		t.Fatalf("chat.update: %v", err)
	}
	if _, err := api.PostEphemeralContext(ctx, workspace.Channel, workspace.Approver, slack.MsgOptionText("no", false)); err != nil {
		t.Fatalf("chat.postEphemeral: %v", err)
	}
	view, err := api.PublishViewContext(ctx, slack.PublishViewContextRequest{UserID: workspace.Author,
		View: slack.HomeTabViewRequest{Type: slack.VTHomeTab}})
	if err != nil || view.ID == "" {
		t.Fatalf("views.publish = %+v, %v", view, err)
	}
	history, err := api.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{ChannelID: workspace.Channel})
	if err != nil || history.HasMore {
		t.Fatalf("conversations.history = %+v, %v", history, err)
	}

	var stats workspace.Stats
	getJSON(t, srv.URL+"/bench/stats", &stats)
	for _, method := range []string{"auth.test", "users.info", "chat.postMessage", "chat.update", "chat.postEphemeral", "views.publish"} {
		if stats.Calls[method] != 1 {
			t.Errorf("calls[%s] = %d, want 1", method, stats.Calls[method])
		}
	}
	if len(stats.Failed) != 0 {
		t.Errorf("failed = %v, want none", stats.Failed)
	}
}

func TestWrongTokenAndUnknownMethodAreRefused(t *testing.T) {
	t.Parallel()
	srv, _ := setup(t)
	ctx := context.Background()
	if _, err := slack.New("xoxb-other", slack.OptionAPIURL(srv.URL+"/api/")).AuthTestContext(ctx); err == nil || err.Error() != "invalid_auth" {
		t.Errorf("auth.test with another token: %v, want invalid_auth", err)
	}
	resp, err := http.PostForm(srv.URL+"/api/chat.scheduleMessage", map[string][]string{"token": {testToken}})
	if err != nil {
		t.Fatal(err)
	}
	var answer struct {
		OK    bool   `json:"ok"`
		Error string `json:"error"`
	}
	json.NewDecoder(resp.Body).Decode(&answer) //nolint:errcheck // checked below
	resp.Body.Close()
	if answer.OK || answer.Error != "unknown_method" {
		t.Errorf("unknown method answered %+v, want ok:false unknown_method", answer)
	}
	var stats workspace.Stats
	getJSON(t, srv.URL+"/bench/stats", &stats)
	if stats.Failed["auth.test"] != 1 || stats.Failed["chat.scheduleMessage"] != 1 {
		t.Errorf("failed = %v, want one auth.test and one chat.scheduleMessage", stats.Failed)
	}
}

// The load generator tells whether a mention was answered once from the
// replies in its thread.
func TestThreadRepliesAreCountedPerMention(t *testing.T) {
	t.Parallel()
	srv, api := setup(t)
	ctx := context.Background()
	base := int64(1_764_000_000) * 1_000_000
	reply := func(n int64) {
		t.Helper()
		if _, _, err := api.PostMessageContext(ctx, workspace.Channel, slack.MsgOptionText("status", false),
			slack.MsgOptionTS(workspace.TS(n))); err != nil {
			t.Fatal(err)
		}
	}
	reply(base + 1)
	reply(base + 2)
	reply(base + 2)
	reply(base + 7) // outside the range asked for below

	var threads workspace.Threads
	getJSON(t, fmt.Sprintf("%s/bench/threads?from=%d&to=%d", srv.URL, base, base+5), &threads)
	want := workspace.Threads{Answered: 2, Replies: 3, Twice: 1, TwiceExamples: []int64{base + 2}}
	if threads.Answered != want.Answered || threads.Replies != want.Replies || threads.Twice != want.Twice ||
		len(threads.TwiceExamples) != 1 || threads.TwiceExamples[0] != base+2 {
		t.Errorf("threads = %+v, want %+v", threads, want)
	}
}

func TestResponseURLsAreCountedPerTag(t *testing.T) {
	t.Parallel()
	srv, _ := setup(t)
	ctx := context.Background()
	for _, url := range []string{"/response/status-1/1", "/response/status-1/2", "/response/draft-1"} {
		if err := slack.PostWebhookContext(ctx, srv.URL+url, &slack.WebhookMessage{Text: "answer", ResponseType: slack.ResponseTypeEphemeral}); err != nil {
			t.Fatalf("POST %s: %v", url, err)
		}
	}
	if err := slack.PostWebhookContext(ctx, srv.URL+"/response/status-1/3", &slack.WebhookMessage{}); err == nil {
		t.Error("a message without text was accepted")
	}
	var stats workspace.Stats
	getJSON(t, srv.URL+"/bench/stats", &stats)
	if stats.Responses["status-1"] != 2 || stats.Responses["draft-1"] != 1 {
		t.Errorf("responses = %v, want status-1: 2, draft-1: 1", stats.Responses)
	}
}
