package main

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"

	"catweete/bench/workspace"
)

// The kinds of load, and the paths Slack posts each to (catweete's routes;
// Bolt takes everything on /slack/events).
const (
	kindHelp    = "help"    // /catweete help: answered in the ack
	kindStatus  = "status"  // /catweete status: acked empty, answered on the response_url
	kindClick   = "click"   // a button of a post's card
	kindMention = "mention" // @catweete alors ça tweete ?, open loop, with retries
	// Seeding, before the measurements: real posts made the way people
	// make them.
	kindDraft   = "draft"   // /catweete brouillon <texte>
	kindApprove = "approve" // the Approve button of a pending post
)

func defaultPath(kind string) string {
	switch kind {
	case kindClick, kindApprove:
		return "/slack/interactivity"
	case kindMention:
		return "/slack/events"
	}
	return "/slack/commands"
}

// verificationToken is the deprecated token Slack still puts in every
// payload; catweete ignores it, as Slack advises.
const verificationToken = "bench0verification0token"

// commandBody is a slash command as Slack posts it, form-encoded.
func commandBody(text, responseURL string, n int64) []byte {
	return []byte(url.Values{
		"token":                 {verificationToken},
		"team_id":               {workspace.TeamID},
		"team_domain":           {workspace.TeamDomain},
		"channel_id":            {workspace.Channel},
		"channel_name":          {"social"},
		"user_id":               {workspace.Author},
		"user_name":             {"author"},
		"command":               {workspace.Command},
		"text":                  {text},
		"api_app_id":            {workspace.AppID},
		"is_enterprise_install": {"false"},
		"response_url":          {responseURL},
		"trigger_id":            {triggerID(n)},
	}.Encode())
}

func triggerID(n int64) string { return fmt.Sprintf("%d.%d.%032x", 1_000_000_000+n, 47_445_629_121, n) }

// The JSON of a block_actions payload (Slack's "block_actions payload"
// reference), for a click on a button of a post's card.
type (
	blockActions struct {
		Type           string       `json:"type"`
		User           actionUser   `json:"user"`
		APIAppID       string       `json:"api_app_id"`
		Token          string       `json:"token"`
		Container      container    `json:"container"`
		TriggerID      string       `json:"trigger_id"`
		Team           team         `json:"team"`
		Enterprise     *struct{}    `json:"enterprise"`
		EnterpriseInst bool         `json:"is_enterprise_install"`
		Channel        named        `json:"channel"`
		Message        message      `json:"message"`
		ResponseURL    string       `json:"response_url"`
		Actions        []buttonPush `json:"actions"`
	}
	actionUser struct {
		ID       string `json:"id"`
		Username string `json:"username"`
		Name     string `json:"name"`
		TeamID   string `json:"team_id"`
	}
	container struct {
		Type        string `json:"type"`
		MessageTS   string `json:"message_ts"`
		ChannelID   string `json:"channel_id"`
		IsEphemeral bool   `json:"is_ephemeral"`
	}
	team struct {
		ID     string `json:"id"`
		Domain string `json:"domain"`
	}
	named struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	}
	message struct {
		Type  string `json:"type"`
		User  string `json:"user"`
		BotID string `json:"bot_id"`
		Text  string `json:"text"`
		TS    string `json:"ts"`
	}
	plainText struct {
		Type  string `json:"type"`
		Text  string `json:"text"`
		Emoji bool   `json:"emoji"`
	}
	buttonPush struct {
		ActionID string    `json:"action_id"`
		BlockID  string    `json:"block_id"`
		Text     plainText `json:"text"`
		Value    string    `json:"value"`
		Style    string    `json:"style,omitempty"`
		Type     string    `json:"type"`
		ActionTS string    `json:"action_ts"`
	}
)

// actionApprove and cardActionsBlock are the approve button's action_id and
// its block's id on catweete's card (bot.ActionApprove; Slack only knows
// them from the card it was sent).
const (
	actionApprove    = "approve"
	cardActionsBlock = "card_actions"
)

// approveClickBody is the approver's click on Approve on the card of post
// postID at version, form-encoded as Slack posts it (payload=<JSON>).
func approveClickBody(postID int64, version int, responseURL string, n int64) []byte {
	cardTS := fmt.Sprintf("%d.%06d", 1_500_000_000+postID/1_000_000, postID%1_000_000)
	payload := blockActions{
		Type:        "block_actions",
		User:        actionUser{ID: workspace.Approver, Username: "approver", Name: "approver", TeamID: workspace.TeamID},
		APIAppID:    workspace.AppID,
		Token:       verificationToken,
		Container:   container{Type: "message", MessageTS: cardTS, ChannelID: workspace.ApprovalChannel},
		TriggerID:   triggerID(n),
		Team:        team{ID: workspace.TeamID, Domain: workspace.TeamDomain},
		Channel:     named{ID: workspace.ApprovalChannel, Name: "approbations"},
		Message:     message{Type: "message", User: workspace.BotUserID, BotID: workspace.BotID, Text: fmt.Sprintf("Post n°%d", postID), TS: cardTS},
		ResponseURL: responseURL,
		Actions: []buttonPush{{
			ActionID: actionApprove, BlockID: cardActionsBlock, Text: plainText{Type: "plain_text", Text: "Approuver", Emoji: true},
			Value: strconv.FormatInt(postID, 10) + ":" + strconv.Itoa(version), Style: "primary", Type: "button",
			ActionTS: cardTS,
		}},
	}
	raw, _ := json.Marshal(payload) //nolint:errchkjson // plain structs of strings: never fails
	return []byte(url.Values{"payload": {string(raw)}}.Encode())
}

// The JSON of an event_callback carrying an app_mention (Slack's Events
// API reference).
type (
	eventCallback struct {
		Token          string          `json:"token"`
		TeamID         string          `json:"team_id"`
		APIAppID       string          `json:"api_app_id"`
		Event          appMention      `json:"event"`
		Type           string          `json:"type"`
		EventID        string          `json:"event_id"`
		EventTime      int64           `json:"event_time"`
		Authorizations []authorization `json:"authorizations"`
		ExtShared      bool            `json:"is_ext_shared_channel"`
		EventContext   string          `json:"event_context"`
	}
	appMention struct {
		Type        string `json:"type"`
		User        string `json:"user"`
		Text        string `json:"text"`
		TS          string `json:"ts"`
		Team        string `json:"team"`
		Channel     string `json:"channel"`
		EventTS     string `json:"event_ts"`
		ClientMsgID string `json:"client_msg_id"`
	}
	authorization struct {
		EnterpriseID *string `json:"enterprise_id"`
		TeamID       string  `json:"team_id"`
		UserID       string  `json:"user_id"`
		IsBot        bool    `json:"is_bot"`
		Enterprise   bool    `json:"is_enterprise_install"`
	}
)

// mentionBody is mention n: "@catweete alors ça tweete ?" in the bench
// channel, with the event id and ts that workspace derives from n.
func mentionBody(n int64) []byte {
	ts := workspace.TS(n)
	raw, _ := json.Marshal(eventCallback{ //nolint:errchkjson // plain structs of strings: never fails
		Token: verificationToken, TeamID: workspace.TeamID, APIAppID: workspace.AppID,
		Event: appMention{
			Type: "app_mention", User: workspace.Author, Text: "<@" + workspace.BotUserID + "> alors ça tweete ?",
			TS: ts, Team: workspace.TeamID, Channel: workspace.Channel, EventTS: ts,
			ClientMsgID: fmt.Sprintf("%08x-0000-4000-8000-%012x", n>>48, n&0xffffffffffff),
		},
		Type: "event_callback", EventID: workspace.EventID(n), EventTime: n / 1_000_000,
		Authorizations: []authorization{{TeamID: workspace.TeamID, UserID: workspace.BotUserID, IsBot: true}},
		EventContext:   "4-" + workspace.EventID(n),
	})
	return raw
}

// draftText is the text of seeded post i: distinct, of a plausible length,
// with a link as real posts often have.
func draftText(i int) string {
	return fmt.Sprintf("Post de test n°%d : notre équipe présente la nouveauté de la semaine %d, "+
		"tous les détails sur https://example.com/blog/%d #campagne:bench", i, i%52+1, i)
}
