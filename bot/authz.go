package bot

import (
	"context"
	"log/slog"
	"slices"

	"github.com/slack-go/slack"

	"catweete/commands"
)

// installation is the one Slack installation catweete serves: the
// workspace its bot token belongs to (or, for an org-wide install, the
// Enterprise Grid org), and the app's own id. The signing secret is the
// app's, shared by every workspace the app is installed in, and a Socket
// Mode connection carries all of them: a request that checks out may still
// be for another workspace, whose people are not this team's approvers and
// whose channels this token must not write to.
type installation struct {
	teamID       string
	enterpriseID string
	// appID is empty when neither SLACK_APP_ID nor bots.info gave it: the
	// workspace alone is checked then.
	appID string
}

// origin is where a request says it comes from.
type origin struct {
	kind string // "command", "event" or "interaction", for the log
	user string
	// teamIDs are the workspaces the request names: its team, and for an
	// event the workspaces of the installations it was sent for (the
	// authorizations), which differ from its team in a shared channel.
	teamIDs []string
	// orgIDs are the Enterprise Grid orgs whose org-wide install the
	// request was sent for.
	orgIDs []string
	appID  string
}

// refusal says why a request is not for this installation: "app" (another
// app's), "team" (another workspace's or org's); "" when it is ours.
func (in installation) refusal(o origin) string {
	// Not every payload names its app (a message shortcut may not): one
	// that names another is refused; one that names none is judged by its
	// workspace.
	if in.appID != "" && o.appID != "" && o.appID != in.appID {
		return "app"
	}
	if in.teamID != "" && slices.Contains(o.teamIDs, in.teamID) {
		return ""
	}
	// An org-wide install answers for every workspace of its org: the
	// request's team is then whichever workspace it happened in.
	if in.enterpriseID != "" && slices.Contains(o.orgIDs, in.enterpriseID) {
		return ""
	}
	return "team"
}

// foreign reports whether o is for another installation, and logs it: ids
// only, which say where the request came from and are no secret.
func (b *Bot) foreign(ctx context.Context, o origin) bool {
	reason := b.home.refusal(o)
	if reason == "" {
		return false
	}
	b.log.WarnContext(ctx, "request for another installation refused", "kind", o.kind, "reason", reason,
		"team_id", o.teamIDs, "org_install_id", o.orgIDs, "api_app_id", o.appID, "user", o.user,
		"our_team_id", b.home.teamID, "our_enterprise_id", b.home.enterpriseID, "our_api_app_id", b.home.appID)
	return true
}

// appIDOf returns the app's own id: configured (SLACK_APP_ID), else asked
// of bots.info with the bot id auth.test gave. When neither works, requests
// are checked for their workspace only, and the log says so at start.
func appIDOf(ctx context.Context, api *slack.Client, botID, configured string, log *slog.Logger) string {
	if configured != "" {
		return configured
	}
	if botID == "" {
		log.WarnContext(ctx, "the app's id is unknown (auth.test gave no bot id): requests are checked for their workspace only; set SLACK_APP_ID")
		return ""
	}
	bot, err := api.GetBotInfoContext(ctx, slack.GetBotInfoParameters{Bot: botID})
	if err != nil || bot.AppID == "" {
		log.WarnContext(ctx, "the app's id is unknown (bots.info failed): requests are checked for their workspace only; set SLACK_APP_ID",
			"bot_id", botID, "err", err)
		return ""
	}
	return bot.AppID
}

// orgInstall returns enterprise when the request was sent for an org-wide
// install, else nothing.
func orgInstall(enterprise string, isEnterpriseInstall bool) []string {
	if !isEnterpriseInstall {
		return nil
	}
	return nonEmpty(enterprise)
}

func commandOrigin(cmd slack.SlashCommand) origin {
	return origin{kind: "command", user: cmd.UserID, teamIDs: nonEmpty(cmd.TeamID),
		orgIDs: orgInstall(cmd.EnterpriseID, cmd.IsEnterpriseInstall), appID: cmd.APIAppID}
}

func interactionOrigin(cb slack.InteractionCallback) origin {
	team := cb.Team.ID
	if team == "" {
		team = cb.View.TeamID
	}
	enterprise := cb.Enterprise.ID
	if enterprise == "" {
		enterprise = cb.Team.EnterpriseID
	}
	app := cb.APIAppID
	if app == "" {
		app = cb.View.AppID
	}
	return origin{kind: "interaction", user: cb.User.ID, teamIDs: nonEmpty(team),
		orgIDs: orgInstall(enterprise, cb.IsEnterpriseInstall), appID: app}
}

// eventAuthorization is one installation an event was sent for.
type eventAuthorization struct {
	EnterpriseID        string `json:"enterprise_id"`
	TeamID              string `json:"team_id"`
	IsEnterpriseInstall bool   `json:"is_enterprise_install"`
}

func (env eventEnvelope) origin() origin {
	o := origin{kind: "event", user: env.Event.User, teamIDs: nonEmpty(env.TeamID),
		orgIDs: orgInstall(env.EnterpriseID, env.IsEnterpriseInstall), appID: env.APIAppID}
	for _, a := range env.Authorizations {
		o.teamIDs = append(o.teamIDs, nonEmpty(a.TeamID)...)
		o.orgIDs = append(o.orgIDs, orgInstall(a.EnterpriseID, a.IsEnterpriseInstall)...)
	}
	return o
}

func nonEmpty(ids ...string) []string {
	var out []string
	for _, id := range ids {
		if id != "" {
			out = append(out, id)
		}
	}
	return out
}

// staleClick says why a click on a card drawn for version of post postID
// is out of date, "" when it is not: the text was edited since, and the
// person decided on words that are no longer the post's. Approve, reject
// and request changes check the version within their own transaction;
// this guard is for the buttons whose workflow takes no version (cancel,
// publish now, next slot). A value without a version (0) is not checked,
// and a post that cannot be read is left to the action, which says why.
func (b *Bot) staleClick(ctx context.Context, lang commands.Lang, postID int64, version int) string {
	if version == 0 {
		return ""
	}
	card, err := b.router.Card(ctx, postID)
	if err != nil || card.Post.Version == version {
		return ""
	}
	return b.cat.T(lang, commands.MsgEditedSince, postID, card.Post.Version)
}
