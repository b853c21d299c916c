package playground

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
)

// maxPageBody bounds a request of the page.
const maxPageBody = 1 << 20

// decodePage reads the page's JSON request into v; false (and the answer
// written) when it cannot.
func decodePage(w http.ResponseWriter, r *http.Request, v any) bool {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxPageBody))
	if err == nil {
		err = json.Unmarshal(body, v)
	}
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]any{"ok": false, "error": "invalid_json", "detail": err.Error()})
		return false
	}
	return true
}

// pagePerson returns the person a page request acts as, or refuses the
// request (400 user_not_found) when there is no such person.
func pagePerson(w http.ResponseWriter, id string) (person, bool) {
	who, found := human(id)
	if !found {
		refuse(w, http.StatusBadRequest, "user_not_found")
	}
	return who, found
}

// refuse answers a page request that cannot be carried out: a mistake in
// the request (400) or the bot's failure (200, shown to the person).
func refuse(w http.ResponseWriter, status int, code string) {
	writeJSON(w, status, map[string]any{"ok": false, "error": code})
}

func okJSON(w http.ResponseWriter, fields map[string]any) {
	out := map[string]any{"ok": true}
	for k, v := range fields {
		out[k] = v
	}
	writeJSON(w, http.StatusOK, out)
}

// serveState is GET /pg/state: the whole workspace, as the page draws it.
func (p *Playground) serveState(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	channels := append(append([]channel(nil), publicChannels...), p.state.dms...)
	messages := p.state.messages
	if messages == nil {
		messages = []*message{}
	}
	views, homes := []*view{}, []*view{}
	for _, who := range people {
		views = append(views, p.state.stack[who.ID]...)
		if h := p.state.homes[who.ID]; h != nil {
			homes = append(homes, h)
		}
	}
	data, err := json.Marshal(map[string]any{
		"users": people, "channels": channels, "messages": messages, "views": views, "homes": homes,
	})
	p.mu.Unlock()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Write(data) //nolint:errcheck // the page went away
}

// mentionWord is how a person names the bot in the page.
var mentionWord = regexp.MustCompile(`(?i)@` + botName + `\b`)

// serveSend is POST /pg/send: what a person types. "/catweete …" is a slash
// command; a text that names @catweete is a message and an app_mention
// event; any other text is just a message.
func (p *Playground) serveSend(w http.ResponseWriter, r *http.Request) {
	var req struct {
		User     string `json:"user"`
		Channel  string `json:"channel"`
		Text     string `json:"text"`
		ThreadTS string `json:"thread_ts"`
	}
	if !decodePage(w, r, &req) {
		return
	}
	who, found := pagePerson(w, req.User)
	if !found {
		return
	}
	p.mu.Lock()
	ch, found := p.channelByID(req.Channel)
	p.mu.Unlock()
	if !found || !ch.sees(who.ID) {
		refuse(w, http.StatusBadRequest, "channel_not_found")
		return
	}
	text := strings.TrimSpace(req.Text)
	if text == "" {
		refuse(w, http.StatusBadRequest, "no_text")
		return
	}
	if strings.HasPrefix(text, "/") {
		p.sendCommand(w, who, ch, text)
		return
	}
	text = mentionWord.ReplaceAllString(text, "<@"+BotUserID+">")
	p.mu.Lock()
	m := &message{Channel: ch.ID, User: who.ID, Text: text, ThreadTS: p.threadRoot(ch.ID, req.ThreadTS)}
	p.addMessage(m)
	p.mu.Unlock()
	if strings.Contains(text, "<@"+BotUserID+">") {
		event := map[string]any{
			"type": "app_mention", "user": who.ID, "text": text, "ts": m.TS, "channel": ch.ID,
			"event_ts": m.TS, "team": TeamID, "client_msg_id": randomHex(16),
		}
		if m.ThreadTS != "" {
			event["thread_ts"] = m.ThreadTS
		}
		if problem := p.sendEvent(p.ctx, event); problem != "" {
			writeJSON(w, http.StatusOK, map[string]any{"ok": false, "error": problem, "ts": m.TS})
			return
		}
	}
	okJSON(w, map[string]any{"ts": m.TS})
}

// sendCommand sends a slash command, signed, and shows its ack as Slack
// does: a text in the ack is an answer, for the person alone unless its
// response_type is in_channel.
func (p *Playground) sendCommand(w http.ResponseWriter, who person, ch channel, text string) {
	command, args, _ := strings.Cut(text, " ")
	if i := strings.IndexAny(command, "\n\t"); i >= 0 {
		command, args = command[:i], command[i+1:]+" "+args
	}
	args = strings.TrimSpace(args)
	if command != p.command {
		refuse(w, http.StatusBadRequest, fmt.Sprintf("%s is not a valid command (the playground knows %s)", command, p.command))
		return
	}
	p.mu.Lock()
	triggerID := p.newTrigger(who.ID)
	responseURL := p.newResponseURL(who.ID, ch.ID, "")
	p.mu.Unlock()
	form := url.Values{
		"token": {verificationToken}, "team_id": {TeamID}, "team_domain": {teamDomain},
		"channel_id": {ch.ID}, "channel_name": {strings.TrimPrefix(ch.Name, "#")},
		"user_id": {who.ID}, "user_name": {who.username}, "command": {command}, "text": {args},
		"api_app_id": {AppID}, "is_enterprise_install": {"false"},
		"response_url": {responseURL}, "trigger_id": {triggerID},
	}
	if ch.User != "" {
		form.Set("channel_name", "directmessage")
	}
	ans := p.deliver(p.ctx, endpointCommands, "application/x-www-form-urlencoded", []byte(form.Encode()), nil)
	if problem := ans.problem(command); problem != "" {
		p.showError("%s", problem)
		refuse(w, http.StatusOK, problem)
		return
	}
	body := strings.TrimSpace(string(ans.body))
	if body == "" {
		okJSON(w, nil)
		return
	}
	var msg responseMessage
	if err := json.Unmarshal([]byte(body), &msg); err != nil {
		// Slack shows a plain-text ack as it is.
		msg = responseMessage{Text: body}
	}
	msg.ReplaceOriginal, msg.DeleteOriginal = false, false
	p.mu.Lock()
	if msg.ResponseType == "in_channel" {
		// Slack shows the command itself before a public answer.
		p.addMessage(&message{Channel: ch.ID, User: who.ID, Text: text})
	}
	code, problems := p.answer(who.ID, ch.ID, "", msg)
	p.mu.Unlock()
	if code != "" {
		problem := fmt.Sprintf("%s: the bot's ack cannot be shown: %s%s", command, code, joinProblems(problems))
		p.showError("%s", problem)
		refuse(w, http.StatusOK, problem)
		return
	}
	okJSON(w, nil)
}

// serveAction is POST /pg/action: a click on a button (or a choice in a
// menu) of a message, a modal or a Home tab, sent as block_actions.
func (p *Playground) serveAction(w http.ResponseWriter, r *http.Request) {
	var req struct {
		User      string `json:"user"`
		Channel   string `json:"channel"`
		MessageTS string `json:"message_ts"`
		BlockID   string `json:"block_id"`
		ActionID  string `json:"action_id"`
		Value     string `json:"value"`
		ViewID    string `json:"view_id"`
	}
	if !decodePage(w, r, &req) {
		return
	}
	who, found := pagePerson(w, req.User)
	if !found {
		return
	}
	payload := interactionBase("block_actions", who)
	p.mu.Lock()
	var blocks []any
	if req.ViewID != "" {
		v := p.state.views[req.ViewID]
		if v == nil || v.User != who.ID {
			p.mu.Unlock()
			refuse(w, http.StatusBadRequest, "view_not_found")
			return
		}
		blocks, _ = v.View["blocks"].([]any)
		payload["container"] = map[string]any{"type": "view", "view_id": v.ID}
		payload["view"] = v.slackJSON(nil)
	} else {
		ch, found := p.channelByID(req.Channel)
		m, msgFound := p.message(req.Channel, req.MessageTS)
		if !found || !ch.sees(who.ID) || !msgFound || (m.EphemeralFor != "" && m.EphemeralFor != who.ID) {
			p.mu.Unlock()
			refuse(w, http.StatusBadRequest, "message_not_found")
			return
		}
		blocks = m.Blocks
		ephemeral := m.EphemeralFor != ""
		container := map[string]any{"type": "message", "message_ts": m.TS, "channel_id": ch.ID, "is_ephemeral": ephemeral}
		if m.ThreadTS != "" {
			container["thread_ts"] = m.ThreadTS
		}
		payload["container"] = container
		payload["channel"] = map[string]any{"id": ch.ID, "name": strings.TrimPrefix(ch.Name, "#")}
		if !ephemeral {
			payload["message"] = m.slackJSON(false)
		}
		payload["response_url"] = p.newResponseURL(who.ID, ch.ID, m.TS)
	}
	block, el, found := findElement(blocks, req.BlockID, req.ActionID)
	if !found {
		p.mu.Unlock()
		refuse(w, http.StatusBadRequest, "action_not_found")
		return
	}
	action, problem := clicked(block, el, req.Value)
	if problem != "" {
		p.mu.Unlock()
		refuse(w, http.StatusBadRequest, problem)
		return
	}
	action["action_ts"] = p.nextTS()
	payload["actions"] = []any{action}
	payload["trigger_id"] = p.newTrigger(who.ID)
	payload["state"] = map[string]any{"values": map[string]any{}}
	p.mu.Unlock()

	ans := p.interact(p.ctx, payload)
	if problem := ans.problem("block_actions " + req.ActionID); problem != "" {
		p.showError("%s", problem)
		refuse(w, http.StatusOK, problem)
		return
	}
	okJSON(w, nil)
}

// clicked is the action of a click on el, with value the page's choice
// for menus (a button's value is its own).
func clicked(block, el map[string]any, value string) (map[string]any, string) {
	typ, _ := el["type"].(string)
	action := map[string]any{"type": typ, "action_id": el["action_id"], "block_id": block["block_id"]}
	if t, ok := el["text"]; ok {
		action["text"] = t
	}
	switch typ {
	case "button":
		if v, ok := el["value"]; ok {
			action["value"] = v
		}
		if s, ok := el["style"]; ok {
			action["style"] = s
		}
	case "static_select", "overflow", "radio_buttons", "external_select":
		o, found := option(el, value)
		if !found {
			return nil, "option_not_found"
		}
		action["selected_option"] = o
	case "checkboxes", "multi_static_select":
		var selected []any
		for _, v := range strings.Split(value, ",") {
			if v == "" {
				continue
			}
			o, found := option(el, v)
			if !found {
				return nil, "option_not_found"
			}
			selected = append(selected, o)
		}
		action["selected_options"] = orEmptyBlocks(selected)
	case "datepicker":
		action["selected_date"] = value
	case "timepicker":
		action["selected_time"] = value
	case "users_select":
		action["selected_user"] = value
	case "conversations_select":
		action["selected_conversation"] = value
	case "channels_select":
		action["selected_channel"] = value
	default:
		action["value"] = value
	}
	return action, ""
}

// serveSubmit is POST /pg/submit: a modal sent, as view_submission. The
// answer says whether it closed, or the errors it shows.
func (p *Playground) serveSubmit(w http.ResponseWriter, r *http.Request) {
	var req struct {
		User   string                                `json:"user"`
		ViewID string                                `json:"view_id"`
		Values map[string]map[string]json.RawMessage `json:"values"`
	}
	if !decodePage(w, r, &req) {
		return
	}
	who, found := pagePerson(w, req.User)
	if !found {
		return
	}
	p.mu.Lock()
	v := p.state.views[req.ViewID]
	if v == nil || v.User != who.ID || v.kind() != "modal" {
		p.mu.Unlock()
		refuse(w, http.StatusBadRequest, "view_not_found")
		return
	}
	blocks, _ := v.View["blocks"].([]any)
	values, missing := stateValues(blocks, req.Values)
	if len(missing) > 0 {
		// Slack's client refuses these before anything is sent.
		v.Errors = missing
		p.publishView(v)
		p.mu.Unlock()
		writeJSON(w, http.StatusOK, map[string]any{"ok": false, "errors": missing})
		return
	}
	payload := interactionBase("view_submission", who)
	payload["view"] = v.slackJSON(values)
	payload["trigger_id"] = p.newTrigger(who.ID)
	payload["response_urls"] = []any{}
	callback, _ := v.View["callback_id"].(string)
	p.mu.Unlock()

	ans := p.interact(p.ctx, payload)
	if problem := ans.problem("view_submission " + callback); problem != "" {
		p.showError("%s", problem)
		refuse(w, http.StatusOK, problem)
		return
	}
	errs, problem := p.afterSubmission(who.ID, v, ans.body)
	switch {
	case problem != "":
		p.showError("view_submission %s: %s", callback, problem)
		refuse(w, http.StatusOK, problem)
	case errs != nil:
		writeJSON(w, http.StatusOK, map[string]any{"ok": false, "errors": errs})
	default:
		okJSON(w, nil)
	}
}

// afterSubmission does what the ack of a view_submission asks: close the
// modal (an empty ack), show errors next to fields, update it, push
// another, or clear them all.
func (p *Playground) afterSubmission(user string, v *view, body []byte) (map[string]string, string) {
	var ack struct {
		ResponseAction string            `json:"response_action"`
		Errors         map[string]string `json:"errors"`
		View           json.RawMessage   `json:"view"`
	}
	if len(strings.TrimSpace(string(body))) > 0 {
		if err := json.Unmarshal(body, &ack); err != nil {
			return nil, "the bot's ack is not JSON: " + excerpt(string(body), 200)
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	at := -1
	for i, open := range p.state.stack[user] {
		if open == v {
			at = i
		}
	}
	if at < 0 {
		return nil, "" // closed meanwhile (by views.open from the bot, say)
	}
	switch ack.ResponseAction {
	case "":
		p.closeModals(user, at)
	case "clear":
		p.closeModals(user, 0)
	case "errors":
		if len(ack.Errors) == 0 {
			return nil, "response_action errors without errors"
		}
		v.Errors = ack.Errors
		p.publishView(v)
		blocks, _ := v.View["blocks"].([]any)
		for id := range ack.Errors {
			if _, found := inputBlock(blocks, id); !found {
				// Slack refuses such an ack; the page shows both.
				p.publish(map[string]any{"type": "error", "text": fmt.Sprintf("view_submission: the bot's errors name block %q, which is no input of the modal", id)})
			}
		}
		return ack.Errors, ""
	case "update", "push":
		body, problems := parseView(ack.View, "modal")
		if problems != nil {
			return nil, "response_action " + ack.ResponseAction + ": invalid view" + joinProblems(problems)
		}
		if ack.ResponseAction == "update" {
			v.View, v.Errors, v.hash = body, map[string]string{}, p.newHash()
			p.publishView(v)
			return nil, ""
		}
		stack := p.state.stack[user]
		if len(stack) >= maxStack {
			return nil, "push_limit_reached"
		}
		pushed := p.newView(user, body)
		pushed.rootID, pushed.previousID = stack[0].ID, stack[len(stack)-1].ID
		p.state.stack[user] = append(stack, pushed)
		p.publishView(pushed)
	default:
		return nil, "unknown response_action " + ack.ResponseAction
	}
	return nil, ""
}

// serveClose is POST /pg/close: a modal closed by its person (with those
// above it); the bot hears of it when the modal asked (notify_on_close).
func (p *Playground) serveClose(w http.ResponseWriter, r *http.Request) {
	var req struct {
		User   string `json:"user"`
		ViewID string `json:"view_id"`
	}
	if !decodePage(w, r, &req) {
		return
	}
	who, found := pagePerson(w, req.User)
	if !found {
		return
	}
	p.mu.Lock()
	at := -1
	for i, v := range p.state.stack[who.ID] {
		if v.ID == req.ViewID {
			at = i
		}
	}
	if at < 0 {
		p.mu.Unlock()
		refuse(w, http.StatusBadRequest, "view_not_found")
		return
	}
	var notify []map[string]any
	for _, v := range p.state.stack[who.ID][at:] {
		if v.View["notify_on_close"] == true {
			payload := interactionBase("view_closed", who)
			payload["view"] = v.slackJSON(nil)
			payload["is_cleared"] = false
			notify = append(notify, payload)
		}
	}
	p.closeModals(who.ID, at)
	p.mu.Unlock()
	for _, payload := range notify {
		if problem := p.interact(p.ctx, payload).problem("view_closed"); problem != "" {
			p.showError("%s", problem)
		}
	}
	okJSON(w, nil)
}

// serveShortcut is POST /pg/shortcut: the message shortcut "Proposer comme
// post" on a message, sent as message_action.
func (p *Playground) serveShortcut(w http.ResponseWriter, r *http.Request) {
	var req struct {
		User      string `json:"user"`
		Channel   string `json:"channel"`
		MessageTS string `json:"message_ts"`
	}
	if !decodePage(w, r, &req) {
		return
	}
	who, found := pagePerson(w, req.User)
	if !found {
		return
	}
	p.mu.Lock()
	ch, found := p.channelByID(req.Channel)
	m, msgFound := p.message(req.Channel, req.MessageTS)
	if !found || !ch.sees(who.ID) || !msgFound || m.EphemeralFor != "" {
		p.mu.Unlock()
		refuse(w, http.StatusBadRequest, "message_not_found")
		return
	}
	payload := interactionBase("message_action", who)
	payload["callback_id"] = "suggest_post"
	payload["trigger_id"] = p.newTrigger(who.ID)
	payload["response_url"] = p.newResponseURL(who.ID, ch.ID, "")
	payload["action_ts"] = p.nextTS()
	payload["message_ts"] = m.TS
	payload["message"] = m.slackJSON(false)
	payload["channel"] = map[string]any{"id": ch.ID, "name": strings.TrimPrefix(ch.Name, "#")}
	p.mu.Unlock()
	if problem := p.interact(p.ctx, payload).problem("message_action suggest_post"); problem != "" {
		p.showError("%s", problem)
		refuse(w, http.StatusOK, problem)
		return
	}
	okJSON(w, nil)
}

// serveHome is POST /pg/home: a person opens the app's Home tab, sent as an
// app_home_opened event; the bot answers with views.publish.
func (p *Playground) serveHome(w http.ResponseWriter, r *http.Request) {
	var req struct {
		User string `json:"user"`
	}
	if !decodePage(w, r, &req) {
		return
	}
	who, found := pagePerson(w, req.User)
	if !found {
		return
	}
	p.mu.Lock()
	event := map[string]any{"type": "app_home_opened", "user": who.ID, "channel": p.dm(who).ID, "tab": "home", "event_ts": p.nextTS()}
	if h := p.state.homes[who.ID]; h != nil {
		event["view"] = h.slackJSON(nil)
	}
	p.mu.Unlock()
	if problem := p.sendEvent(p.ctx, event); problem != "" {
		refuse(w, http.StatusOK, problem)
		return
	}
	okJSON(w, nil)
}

// inputBlock returns the input block id of blocks.
func inputBlock(blocks []any, id string) (map[string]any, bool) {
	for _, b := range blocks {
		if m, _ := b.(map[string]any); m != nil && m["type"] == "input" && m["block_id"] == id {
			return m, true
		}
	}
	return nil, false
}
