package playground

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/slack-go/slack"
)

// card is a message with a button, as the bot draws an approval card.
func card(text string) []slack.Block {
	approve := slack.NewButtonBlockElement("approve", "1:1", slack.NewTextBlockObject(slack.PlainTextType, "Approuver", false, false))
	return []slack.Block{
		slack.NewSectionBlock(slack.NewTextBlockObject(slack.PlainTextType, text, false, false), nil, nil),
		slack.NewActionBlock("card_actions", approve),
	}
}

func TestWebAPIAsSlackGoCallsIt(t *testing.T) {
	t.Parallel()
	ctx := context.Background()

	t.Run("AuthTestNamesTheBot", func(t *testing.T) {
		t.Parallel()
		e := setup(t)
		auth, err := e.api.AuthTestContext(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if auth.UserID != "UBOT" || auth.TeamID != TeamID || auth.BotID == "" {
			t.Errorf("auth.test = %+v, want user UBOT of %s", auth, TeamID)
		}
	})

	t.Run("BotsInfoGivesTheAppID", func(t *testing.T) {
		t.Parallel()
		e := setup(t)
		auth, err := e.api.AuthTestContext(ctx)
		if err != nil {
			t.Fatal(err)
		}
		bot, err := e.api.GetBotInfoContext(ctx, slack.GetBotInfoParameters{Bot: auth.BotID})
		if err != nil || bot.AppID != AppID || bot.UserID != auth.UserID {
			t.Errorf("bots.info(%s) = %+v, %v; want app %s, user %s", auth.BotID, bot, err, AppID, auth.UserID)
		}
		if _, err := e.api.GetBotInfoContext(ctx, slack.GetBotInfoParameters{Bot: "BNOBODY"}); slackError(err) != "bot_not_found" {
			t.Errorf("bots.info of an unknown bot: %v, want bot_not_found", err)
		}
	})

	t.Run("MetadataIsKeptAndShownToWhoAsks", func(t *testing.T) {
		t.Parallel()
		e := setup(t)
		meta := slack.SlackMetadata{EventType: "catweete_card", EventPayload: map[string]any{"key": "post-1", "post_id": 1}}
		_, before, err := e.api.PostMessageContext(ctx, ChannelApprovals, slack.MsgOptionText("avant", false))
		if err != nil {
			t.Fatal(err)
		}
		_, card, err := e.api.PostMessageContext(ctx, ChannelApprovals, slack.MsgOptionText("Post n°1", false), slack.MsgOptionMetadata(meta))
		if err != nil {
			t.Fatal(err)
		}
		_, line, err := e.api.PostMessageContext(ctx, ChannelApprovals, slack.MsgOptionText("Approuvé", false), slack.MsgOptionTS(card),
			slack.MsgOptionMetadata(slack.SlackMetadata{EventType: "catweete_line", EventPayload: map[string]any{"key": "k1"}}))
		if err != nil {
			t.Fatal(err)
		}
		history := func(params slack.GetConversationHistoryParameters) []slack.Message {
			t.Helper()
			params.ChannelID = ChannelApprovals
			page, err := e.api.GetConversationHistoryContext(ctx, &params)
			if err != nil {
				t.Fatalf("conversations.history: %v", err)
			}
			return page.Messages
		}
		if got := history(slack.GetConversationHistoryParameters{Oldest: card, Inclusive: true}); len(got) != 1 || got[0].Timestamp != card || got[0].Metadata.EventType != "" {
			t.Errorf("history without include_all_metadata = %+v, want the card alone (the line is in its thread), without metadata", got)
		}
		got := history(slack.GetConversationHistoryParameters{Oldest: card, Inclusive: true, IncludeAllMetadata: true})
		if len(got) != 1 || got[0].Metadata.EventType != "catweete_card" || got[0].Metadata.EventPayload["key"] != "post-1" {
			t.Errorf("history with metadata = %+v, want the card's", got)
		}
		if got := history(slack.GetConversationHistoryParameters{Oldest: card}); len(got) != 0 {
			t.Errorf("history after the card, not inclusive = %+v, want nothing", got)
		}
		if got := history(slack.GetConversationHistoryParameters{Latest: card}); len(got) == 0 || got[0].Timestamp != before {
			t.Errorf("history before the card = %+v, want %s first", got, before)
		}
		replies, _, _, err := e.api.GetConversationRepliesContext(ctx, &slack.GetConversationRepliesParameters{
			ChannelID: ChannelApprovals, Timestamp: card, Oldest: line, Inclusive: true, IncludeAllMetadata: true})
		if err != nil || len(replies) != 1 || replies[0].Timestamp != line || replies[0].Metadata.EventPayload["key"] != "k1" {
			t.Errorf("conversations.replies = %+v, %v; want the line with its metadata", replies, err)
		}
		if _, _, err := e.api.PostMessageContext(ctx, ChannelApprovals, slack.MsgOptionText("x", false),
			slack.MsgOptionMetadata(slack.SlackMetadata{EventType: "catweete_card"})); slackError(err) != "invalid_metadata_format" {
			t.Errorf("metadata without a payload: %v, want invalid_metadata_format", err)
		}
		// The page never sees the metadata.
		raw, err := json.Marshal(e.state().Messages)
		if err != nil || strings.Contains(string(raw), "post-1") {
			t.Errorf("the page's messages carry the metadata: %s", raw)
		}
	})

	t.Run("HistoryPages", func(t *testing.T) {
		t.Parallel()
		e := setup(t)
		var posted []string
		for i := range 5 {
			_, ts, err := e.api.PostMessageContext(ctx, ChannelGeneral, slack.MsgOptionText(fmt.Sprint("m", i), false))
			if err != nil {
				t.Fatal(err)
			}
			posted = append(posted, ts)
		}
		var seen []string
		cursor := ""
		for range 5 {
			page, err := e.api.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{
				ChannelID: ChannelGeneral, Oldest: posted[0], Inclusive: true, Limit: 2, Cursor: cursor})
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range page.Messages {
				seen = append(seen, m.Timestamp)
			}
			cursor = page.ResponseMetaData.NextCursor
			if !page.HasMore {
				break
			}
		}
		slices.Reverse(posted)
		if !slices.Equal(seen, posted) {
			t.Errorf("pages gave %v, want %v (newest first, each once)", seen, posted)
		}
	})

	t.Run("PostThenUpdateInPlace", func(t *testing.T) {
		t.Parallel()
		e := setup(t)
		ch, ts, err := e.api.PostMessageContext(ctx, ChannelApprovals, slack.MsgOptionBlocks(card("Bonjour")...), slack.MsgOptionText("Post n°1", false))
		if err != nil || ch != ChannelApprovals || ts == "" {
			t.Fatalf("chat.postMessage = %q, %q, %v", ch, ts, err)
		}
		if _, _, _, err := e.api.UpdateMessageContext(ctx, ch, ts, slack.MsgOptionText("Post n°1 — approuvé", false)); err != nil {
			t.Fatalf("chat.update: %v", err)
		}
		m, found := e.state().find(ch, ts)
		if !found {
			t.Fatalf("message %s not in /pg/state", ts)
		}
		if m.User != "UBOT" || m.Text != "Post n°1 — approuvé" || !m.Edited || len(m.Blocks) != 2 {
			t.Errorf("updated message = %+v; want the new text, edited, the blocks kept", m)
		}
		for _, b := range m.Blocks {
			if b["block_id"] == "" || b["block_id"] == nil {
				t.Errorf("block %v has no block_id; Slack gives every block one", b)
			}
		}
	})

	t.Run("UpdateOfAMissingMessageIsMessageNotFound", func(t *testing.T) {
		t.Parallel()
		e := setup(t)
		_, _, _, err := e.api.UpdateMessageContext(ctx, ChannelApprovals, "1700000000.000001", slack.MsgOptionText("x", false))
		if got := slackError(err); got != "message_not_found" {
			t.Errorf("chat.update of a missing ts: %q, want message_not_found", got)
		}
	})

	t.Run("PostErrors", func(t *testing.T) {
		t.Parallel()
		e := setup(t)
		long := strings.Repeat("é", 3001)
		for _, tc := range []struct {
			name    string
			channel string
			opts    []slack.MsgOption
			want    string
		}{
			{"UnknownChannel", "CNOWHERE", []slack.MsgOption{slack.MsgOptionText("x", false)}, "channel_not_found"},
			{"NoText", ChannelGeneral, nil, "no_text"},
			{"SectionTooLong", ChannelGeneral, []slack.MsgOption{slack.MsgOptionBlocks(card(long)...)}, "invalid_blocks"},
		} {
			_, _, err := e.api.PostMessageContext(ctx, tc.channel, tc.opts...)
			if got := slackError(err); got != tc.want {
				t.Errorf("%s: chat.postMessage error %q, want %q", tc.name, got, tc.want)
			}
		}
	})

	t.Run("ThreadRepliesAreCountedOnTheirFirstMessage", func(t *testing.T) {
		t.Parallel()
		e := setup(t)
		_, root, err := e.api.PostMessageContext(ctx, ChannelGeneral, slack.MsgOptionText("racine", false))
		if err != nil {
			t.Fatal(err)
		}
		_, reply, err := e.api.PostMessageContext(ctx, ChannelGeneral, slack.MsgOptionText("réponse", false), slack.MsgOptionTS(root))
		if err != nil {
			t.Fatal(err)
		}
		// A reply to a reply goes to the thread's first message, as in Slack.
		_, second, err := e.api.PostMessageContext(ctx, ChannelGeneral, slack.MsgOptionText("encore", false), slack.MsgOptionTS(reply))
		if err != nil {
			t.Fatal(err)
		}
		s := e.state()
		r, _ := s.find(ChannelGeneral, root)
		m, _ := s.find(ChannelGeneral, second)
		if r.ReplyCount != 2 || m.ThreadTS != root {
			t.Errorf("root reply_count %d, second reply thread_ts %q; want 2 and %q", r.ReplyCount, m.ThreadTS, root)
		}
	})

	t.Run("EphemeralIsForOnePerson", func(t *testing.T) {
		t.Parallel()
		e := setup(t)
		ts, err := e.api.PostEphemeralContext(ctx, ChannelGeneral, UserAuthor, slack.MsgOptionText("rien que pour vous", false))
		if err != nil {
			t.Fatal(err)
		}
		m, found := e.state().find(ChannelGeneral, ts)
		if !found || m.EphemeralFor != UserAuthor {
			t.Errorf("ephemeral message = %+v, %v; want ephemeral_for UAUTHOR", m, found)
		}
		if _, err := e.api.PostEphemeralContext(ctx, ChannelGeneral, "UNOBODY", slack.MsgOptionText("x", false)); slackError(err) != "user_not_found" {
			t.Errorf("ephemeral to nobody: %v, want user_not_found", err)
		}
		// A direct message, to a user id, lands in the bot's conversation
		// with them.
		ch, _, err := e.api.PostMessageContext(ctx, UserColleague, slack.MsgOptionText("en privé", false))
		if err != nil || ch != "DUCOLLEAGUE" {
			t.Errorf("chat.postMessage to a user: channel %q, %v; want DUCOLLEAGUE", ch, err)
		}
	})

	t.Run("PeopleAndGroups", func(t *testing.T) {
		t.Parallel()
		e := setup(t)
		u, err := e.api.GetUserInfoContext(ctx, UserApprover2)
		if err != nil {
			t.Fatal(err)
		}
		if u.TZ != "Europe/Paris" || u.RealName != "Léa (approbatrice)" {
			t.Errorf("users.info = tz %q, name %q", u.TZ, u.RealName)
		}
		if _, err := e.api.GetUserInfoContext(ctx, "UNOBODY"); slackError(err) != "user_not_found" {
			t.Errorf("users.info of nobody: %v, want user_not_found", err)
		}
		members, err := e.api.GetUserGroupMembersContext(ctx, GroupApprovers)
		if err != nil || len(members) != 2 {
			t.Errorf("usergroups.users.list %s = %v, %v", GroupApprovers, members, err)
		}
		if _, err := e.api.GetUserGroupMembersContext(ctx, "SNOTHING"); slackError(err) != "no_such_subteam" {
			t.Errorf("usergroups.users.list of an unknown group: %v, want no_such_subteam", err)
		}
	})

	t.Run("PermalinkIsAGet", func(t *testing.T) {
		t.Parallel()
		e := setup(t)
		ch, ts, err := e.api.PostMessageContext(ctx, ChannelApprovals, slack.MsgOptionText("carte", false))
		if err != nil {
			t.Fatal(err)
		}
		link, err := e.api.GetPermalinkContext(ctx, &slack.PermalinkParameters{Channel: ch, Ts: ts})
		if err != nil || !strings.HasPrefix(link, e.srv.URL+"/#") || !strings.Contains(link, ts) {
			t.Errorf("chat.getPermalink = %q, %v", link, err)
		}
		if _, err := e.api.GetPermalinkContext(ctx, &slack.PermalinkParameters{Channel: ch, Ts: "1.000001"}); slackError(err) != "message_not_found" {
			t.Errorf("permalink of nothing: %v, want message_not_found", err)
		}
	})

	t.Run("FileUploadV2GoesInTheThread", func(t *testing.T) {
		t.Parallel()
		e := setup(t)
		_, ts, err := e.api.PostMessageContext(ctx, ChannelGeneral, slack.MsgOptionText("Le digest", false))
		if err != nil {
			t.Fatal(err)
		}
		png := []byte("\x89PNG\r\n\x1a\nnot quite a chart")
		f, err := e.api.UploadFileContext(ctx, slack.UploadFileParameters{
			Reader: bytes.NewReader(png), FileSize: len(png), Filename: "portee.png", Title: "Portée, 7 jours",
			Channel: ChannelGeneral, ThreadTimestamp: ts,
		})
		if err != nil {
			t.Fatalf("UploadFileContext: %v", err)
		}
		var reply pageMessage
		for _, m := range e.state().Messages {
			if len(m.Files) > 0 {
				reply = m
			}
		}
		if reply.ThreadTS != ts || len(reply.Files) != 1 || reply.Files[0].ID != f.ID || reply.Files[0].Title != "Portée, 7 jours" {
			t.Fatalf("file message = %+v; want file %s in the thread of %s", reply, f.ID, ts)
		}
		resp, err := http.Get(e.srv.URL + reply.Files[0].URL)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		got, _ := io.ReadAll(resp.Body)
		if !bytes.Equal(got, png) || resp.Header.Get("Content-Type") != "image/png" {
			t.Errorf("GET %s = %q (%s), want the uploaded bytes as image/png", reply.Files[0].URL, got, resp.Header.Get("Content-Type"))
		}
		// Completing an upload that never happened is refused.
		_, err = e.api.CompleteUploadExternalContext(ctx, slack.CompleteUploadExternalParameters{Files: []slack.FileSummary{{ID: "FNOPE"}}, Channel: ChannelGeneral})
		if slackError(err) != "file_not_found" {
			t.Errorf("completing an unknown file: %v, want file_not_found", err)
		}
	})

	t.Run("HomeTabIsKeptPerPerson", func(t *testing.T) {
		t.Parallel()
		e := setup(t)
		home := slack.HomeTabViewRequest{Type: slack.VTHomeTab, Blocks: slack.Blocks{BlockSet: card("Vos brouillons")}}
		if _, err := e.api.PublishViewContext(ctx, slack.PublishViewContextRequest{UserID: UserAuthor, View: home}); err != nil {
			t.Fatal(err)
		}
		s := e.state()
		if len(s.Homes) != 1 || s.Homes[0].User != UserAuthor || s.Homes[0].View["type"] != "home" {
			t.Errorf("homes = %+v; want UAUTHOR's Home tab", s.Homes)
		}
		modal := slack.HomeTabViewRequest{Type: slack.VTModal, Blocks: slack.Blocks{BlockSet: card("x")}}
		if _, err := e.api.PublishViewContext(ctx, slack.PublishViewContextRequest{UserID: UserAuthor, View: modal}); slackError(err) != "invalid_arguments" {
			t.Errorf("views.publish of a modal: %v, want invalid_arguments", err)
		}
	})
}

// TestWebAPIValidatesLikeSlack sends what slack-go never would: unknown
// methods, bad tokens, bad JSON, missing arguments.
func TestWebAPIValidatesLikeSlack(t *testing.T) {
	t.Parallel()
	e := setup(t)
	call := func(method, contentType, body, token string) map[string]any {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/api/"+method, strings.NewReader(body))
		req.Header.Set("Content-Type", contentType)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("%s answered %d; Slack answers 200 with ok:false", method, resp.StatusCode)
		}
		var out map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
			t.Fatalf("%s: not JSON: %v", method, err)
		}
		return out
	}
	form := "application/x-www-form-urlencoded"
	for _, tc := range []struct {
		name, method, contentType, body, token, want string
	}{
		{"UnknownMethod", "chat.postMessagz", form, "channel=CGENERAL&text=x", BotToken, "unknown_method"},
		{"NoToken", "chat.postMessage", form, "channel=CGENERAL&text=x", "", "not_authed"},
		{"WrongToken", "chat.postMessage", form, "channel=CGENERAL&text=x", "xoxb-wrong", "invalid_auth"},
		{"BadJSON", "views.open", "application/json", `{"trigger_id": "1.2.3", "view": {`, BotToken, "invalid_json"},
		{"ViewsOpenWithoutTrigger", "views.open", "application/json", `{"view": {"type":"modal"}}`, BotToken, "invalid_arguments"},
		{"ViewsOpenUnknownTrigger", "views.open", "application/json",
			`{"trigger_id":"1.2.3","view":{"type":"modal","title":{"type":"plain_text","text":"T"},"blocks":[]}}`, BotToken, "invalid_trigger_id"},
		{"ModalTitleTooLong", "views.open", "application/json",
			`{"trigger_id":"1.2.3","view":{"type":"modal","title":{"type":"plain_text","text":"Un titre bien trop long pour Slack"},"blocks":[]}}`, BotToken, "invalid_arguments"},
		{"BlocksNotJSON", "chat.postMessage", form, "channel=CGENERAL&blocks=" + url.QueryEscape("[{"), BotToken, "invalid_blocks_format"},
		{"UploadWithoutLength", "files.getUploadURLExternal", form, "filename=a.png", BotToken, "invalid_arguments"},
		{"GroupWithoutID", "usergroups.users.list", form, "", BotToken, "invalid_arguments"},
		{"TokenInTheForm", "auth.test", form, "token=" + BotToken, "", ""},
	} {
		out := call(tc.method, tc.contentType, tc.body, tc.token)
		if tc.want == "" {
			if out["ok"] != true {
				t.Errorf("%s: %v, want ok", tc.name, out)
			}
			continue
		}
		if out["ok"] != false || out["error"] != tc.want {
			t.Errorf("%s: %v, want error %q", tc.name, out, tc.want)
		}
	}
}
