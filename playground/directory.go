package playground

import (
	"strings"
)

// api.test: echoes its arguments, without a token, as Slack does.
func (p *Playground) apiTest(a *apiRequest) apiResult {
	args := map[string]any{}
	for k := range a.form {
		if k != "token" {
			args[k] = a.form.Get(k)
		}
	}
	if e := a.str("error"); e != "" {
		res := fail(e)
		res["args"] = args
		return res
	}
	return ok(map[string]any{"args": args})
}

// auth.test: who the bot is.
func (p *Playground) authTest(a *apiRequest) apiResult {
	return ok(map[string]any{
		"url": a.scheme + "://" + a.host + "/", "team": "catweete playground", "user": botName,
		"team_id": TeamID, "user_id": BotUserID, "bot_id": botID, "is_enterprise_install": false,
	})
}

// bots.info: the bot user of an app, which says the app's id (the bot
// checks every request's api_app_id against it).
func (p *Playground) botsInfo(a *apiRequest) apiResult {
	if id := a.str("bot"); id != botID {
		return fail("bot_not_found")
	}
	return ok(map[string]any{"bot": map[string]any{
		"id": botID, "deleted": false, "name": botName, "updated": p.now().Unix(), "app_id": AppID, "user_id": BotUserID,
		"icons": map[string]any{},
	}})
}

// userJSON is a person as users.info describes them: everyone works in
// Paris.
func (p *Playground) userJSON(who person) map[string]any {
	abbrev, offset := p.now().In(p.zone).Zone()
	label := "Central European Time"
	if abbrev == "CEST" {
		label = "Central European Summer Time"
	}
	return map[string]any{
		"id": who.ID, "team_id": TeamID, "name": who.username, "real_name": who.Name, "deleted": false,
		"tz": Zone, "tz_label": label, "tz_offset": offset, "locale": "fr-FR",
		"is_bot": who.ID == BotUserID, "is_admin": false, "is_app_user": false,
		"profile": map[string]any{
			"real_name": who.Name, "real_name_normalized": who.Name,
			"display_name": who.Name, "display_name_normalized": who.Name, "team": TeamID,
		},
	}
}

// users.info: one member.
func (p *Playground) usersInfo(a *apiRequest) apiResult {
	who, found := member(a.str("user"))
	if !found {
		return fail("user_not_found")
	}
	return ok(map[string]any{"user": p.userJSON(who)})
}

// users.list: every member, the bot included.
func (p *Playground) usersList(a *apiRequest) apiResult {
	var members []map[string]any
	for _, who := range append(append([]person(nil), people...), botPerson) {
		members = append(members, p.userJSON(who))
	}
	return ok(map[string]any{"members": members, "response_metadata": map[string]any{"next_cursor": ""}})
}

// usergroups.users.list: a user group's members.
func (p *Playground) usergroupsUsersList(a *apiRequest) apiResult {
	id := a.str("usergroup")
	if id == "" {
		return fail("invalid_arguments", "[ERROR] missing required field: usergroup")
	}
	members, found := groupMembers(id)
	if !found {
		return fail("no_such_subteam")
	}
	return ok(map[string]any{"users": members})
}

// channelJSON is a conversation as conversations.info describes it.
func channelJSON(c channel) map[string]any {
	out := map[string]any{
		"id": c.ID, "is_channel": c.User == "", "is_im": c.User != "", "is_private": false,
		"is_member": true, "is_archived": false, "created": 0,
	}
	if c.User != "" {
		out["user"] = c.User
	} else {
		out["name"] = strings.TrimPrefix(c.Name, "#")
	}
	return out
}

// conversations.open: the direct messages between the bot and one person.
func (p *Playground) conversationsOpen(a *apiRequest) apiResult {
	p.mu.Lock()
	defer p.mu.Unlock()
	if id := a.str("channel"); id != "" {
		c, found := p.channelByID(id)
		if !found || c.User == "" {
			return fail("channel_not_found")
		}
		return ok(map[string]any{"channel": channelJSON(c)})
	}
	users := strings.Split(a.str("users"), ",")
	if len(users) != 1 || users[0] == "" {
		return fail("invalid_arguments", "[ERROR] the playground opens direct messages with one person at a time")
	}
	who, found := human(strings.TrimSpace(users[0]))
	if !found {
		return fail("user_not_found")
	}
	return ok(map[string]any{"channel": channelJSON(p.dm(who))})
}

// conversations.info: one conversation.
func (p *Playground) conversationsInfo(a *apiRequest) apiResult {
	p.mu.Lock()
	defer p.mu.Unlock()
	c, found := p.channelByID(a.str("channel"))
	if !found {
		return fail("channel_not_found")
	}
	return ok(map[string]any{"channel": channelJSON(c)})
}

// conversations.history: a conversation's messages, newest first, threads'
// replies and ephemeral messages left out.
func (p *Playground) conversationsHistory(a *apiRequest) apiResult {
	limit, given := intArg(a, "limit")
	if !given || limit <= 0 || limit > 1000 {
		limit = 100
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	c, found := p.channelByID(a.str("channel"))
	if !found {
		return fail("channel_not_found")
	}
	var out []map[string]any
	for i := len(p.state.messages) - 1; i >= 0 && len(out) < limit; i-- {
		m := p.state.messages[i]
		if m.Channel == c.ID && m.EphemeralFor == "" && (m.ThreadTS == "" || m.ThreadTS == m.TS) {
			out = append(out, m.slackJSON())
		}
	}
	return ok(map[string]any{"messages": orEmpty(out), "has_more": false})
}

// conversations.replies: a thread, its first message first.
func (p *Playground) conversationsReplies(a *apiRequest) apiResult {
	p.mu.Lock()
	defer p.mu.Unlock()
	c, found := p.channelByID(a.str("channel"))
	if !found {
		return fail("channel_not_found")
	}
	root := p.threadRoot(c.ID, a.str("ts"))
	if root == "" {
		return fail("thread_not_found")
	}
	var out []map[string]any
	for _, m := range p.state.messages {
		if m.Channel == c.ID && m.EphemeralFor == "" && (m.TS == root || m.ThreadTS == root) {
			out = append(out, m.slackJSON())
		}
	}
	return ok(map[string]any{"messages": out, "has_more": false})
}

// conversations.members: everyone is in the public channels; a direct
// message has its person and the bot.
func (p *Playground) conversationsMembers(a *apiRequest) apiResult {
	p.mu.Lock()
	defer p.mu.Unlock()
	c, found := p.channelByID(a.str("channel"))
	if !found {
		return fail("channel_not_found")
	}
	members := []string{c.User, BotUserID}
	if c.User == "" {
		members = members[:0]
		for _, who := range people {
			members = append(members, who.ID)
		}
		members = append(members, BotUserID)
	}
	return ok(map[string]any{"members": members, "response_metadata": map[string]any{"next_cursor": ""}})
}

func orEmpty(list []map[string]any) []map[string]any {
	if list == nil {
		return []map[string]any{}
	}
	return list
}
