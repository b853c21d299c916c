package playground

import (
	"encoding/base64"
	"strconv"
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
// replies and ephemeral messages left out, within oldest and latest
// (inclusive or not), a page of limit at a time. Metadata is shown only
// with include_all_metadata, as Slack does.
func (p *Playground) conversationsHistory(a *apiRequest) apiResult {
	w, res := readWindow(a)
	if res != nil {
		return res
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	c, found := p.channelByID(a.str("channel"))
	if !found {
		return fail("channel_not_found")
	}
	var all []*message
	for i := len(p.state.messages) - 1; i >= 0; i-- {
		m := p.state.messages[i]
		if m.Channel == c.ID && m.EphemeralFor == "" && (m.ThreadTS == "" || m.ThreadTS == m.TS) && w.holds(m.TS) {
			all = append(all, m)
		}
	}
	return w.page(all)
}

// conversations.replies: a thread, its first message first, within oldest
// and latest, a page at a time; metadata as for conversations.history.
func (p *Playground) conversationsReplies(a *apiRequest) apiResult {
	w, res := readWindow(a)
	if res != nil {
		return res
	}
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
	var all []*message
	for _, m := range p.state.messages {
		if m.Channel == c.ID && m.EphemeralFor == "" && (m.TS == root || m.ThreadTS == root) && w.holds(m.TS) {
			all = append(all, m)
		}
	}
	return w.page(all)
}

// window is what conversations.history and conversations.replies are asked
// for: a span of time and a page.
type window struct {
	oldest, latest float64 // 0: no bound
	inclusive      bool
	limit, offset  int
	withMetadata   bool
}

func readWindow(a *apiRequest) (window, apiResult) {
	w := window{inclusive: truthy(a.str("inclusive")), withMetadata: truthy(a.str("include_all_metadata")), limit: 100}
	for _, bound := range []struct {
		name string
		to   *float64
	}{{"oldest", &w.oldest}, {"latest", &w.latest}} {
		if v := a.str(bound.name); v != "" {
			ts, err := strconv.ParseFloat(v, 64)
			if err != nil {
				return w, fail("invalid_arguments", "[ERROR] "+bound.name+" is not a timestamp")
			}
			*bound.to = ts
		}
	}
	if n, given := intArg(a, "limit"); given && n > 0 {
		w.limit = min(n, 999)
	}
	if cursor := a.str("cursor"); cursor != "" {
		raw, err := base64.StdEncoding.DecodeString(cursor)
		n, found := strings.CutPrefix(string(raw), "offset:")
		offset, perr := strconv.Atoi(n)
		if err != nil || !found || perr != nil || offset < 0 {
			return w, fail("invalid_cursor")
		}
		w.offset = offset
	}
	return w, nil
}

func truthy(s string) bool { return s == "1" || s == "true" }

// holds reports whether a message of timestamp ts is within the window.
func (w window) holds(ts string) bool {
	t, err := strconv.ParseFloat(ts, 64)
	if err != nil {
		return false
	}
	if w.oldest != 0 && (t < w.oldest || t == w.oldest && !w.inclusive) {
		return false
	}
	return w.latest == 0 || t < w.latest || t == w.latest && w.inclusive
}

// page answers with the window's page of all, and the cursor of the next.
func (w window) page(all []*message) apiResult {
	out := []map[string]any{}
	for i := w.offset; i < len(all) && len(out) < w.limit; i++ {
		out = append(out, all[i].slackJSON(w.withMetadata))
	}
	next, more := "", w.offset+len(out) < len(all)
	if more {
		next = base64.StdEncoding.EncodeToString([]byte("offset:" + strconv.Itoa(w.offset+len(out))))
	}
	return ok(map[string]any{"messages": out, "has_more": more, "response_metadata": map[string]any{"next_cursor": next}})
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
