package playground

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// state is the workspace in memory. Every field is guarded by
// Playground.mu.
type state struct {
	seq    int   // numbers views, files and events
	lastTS int64 // the last message timestamp given, in microseconds

	messages []*message          // in the order they were posted
	byKey    map[string]*message // channel + "/" + ts
	dms      []channel           // direct-message channels, as they appear

	views map[string]*view   // every open modal and published Home tab, by id
	stack map[string][]*view // each person's open modals, the top last
	homes map[string]*view   // each person's Home tab

	files        map[string]*file
	triggers     map[string]*trigger
	responseURLs map[string]*responseURL
}

func newState() state {
	return state{
		byKey:        make(map[string]*message),
		views:        make(map[string]*view),
		stack:        make(map[string][]*view),
		homes:        make(map[string]*view),
		files:        make(map[string]*file),
		triggers:     make(map[string]*trigger),
		responseURLs: make(map[string]*responseURL),
	}
}

// message is a message in a channel, as the page sees it (API.md).
type message struct {
	Channel  string `json:"channel"`
	TS       string `json:"ts"`
	User     string `json:"user"`
	Text     string `json:"text"`
	Blocks   []any  `json:"blocks"`
	ThreadTS string `json:"thread_ts"`
	// ReplyCount counts the thread's replies, on its first message.
	ReplyCount int `json:"reply_count"`
	// EphemeralFor is the one person who sees the message; empty when
	// everyone does.
	EphemeralFor string    `json:"ephemeral_for"`
	Files        []fileRef `json:"files"`
	Edited       bool      `json:"edited"`
	// Metadata is the message metadata the bot attached (event_type and
	// event_payload), which the Web API shows only to a caller that asks
	// for it (include_all_metadata); the page does not see it.
	Metadata map[string]any `json:"-"`
}

// fileRef is a file shown in a message.
type fileRef struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	URL   string `json:"url"`
}

// slackJSON is the message as the Web API shows it to the bot; its
// metadata only when withMetadata (include_all_metadata).
func (m *message) slackJSON(withMetadata bool) map[string]any {
	out := map[string]any{"type": "message", "user": m.User, "text": m.Text, "ts": m.TS, "team": TeamID}
	if withMetadata && m.Metadata != nil {
		out["metadata"] = m.Metadata
	}
	if m.User == BotUserID {
		out["bot_id"] = botID
	}
	if len(m.Blocks) > 0 {
		out["blocks"] = m.Blocks
	}
	if m.ThreadTS != "" {
		out["thread_ts"] = m.ThreadTS
	}
	if m.ReplyCount > 0 {
		out["reply_count"] = m.ReplyCount
	}
	if m.Edited {
		out["edited"] = map[string]any{"user": m.User, "ts": m.TS}
	}
	if len(m.Files) > 0 {
		files := make([]map[string]any, len(m.Files))
		for i, f := range m.Files {
			files[i] = map[string]any{"id": f.ID, "title": f.Title}
		}
		out["files"] = files
	}
	return out
}

// view is an open modal or a published Home tab.
type view struct {
	ID   string `json:"id"`
	User string `json:"user"`
	// View is the view as the bot sent it, with block ids filled in where
	// the bot left them out (as Slack does).
	View map[string]any `json:"view"`
	// Errors are the bot's validation errors, by block id.
	Errors map[string]string `json:"errors"`

	hash       string
	externalID string
	rootID     string
	previousID string
}

func (v *view) kind() string { s, _ := v.View["type"].(string); return s }

// slackJSON is the view as the Web API and interaction payloads show it to
// the bot: the bot's fields and Slack's own.
func (v *view) slackJSON(values map[string]any) map[string]any {
	out := make(map[string]any, len(v.View)+12)
	for k, val := range v.View {
		out[k] = val
	}
	for _, k := range []string{"private_metadata", "callback_id", "external_id"} {
		if _, ok := out[k]; !ok {
			out[k] = ""
		}
	}
	if values == nil {
		values = map[string]any{}
	}
	out["id"] = v.ID
	out["team_id"] = TeamID
	out["state"] = map[string]any{"values": values}
	out["hash"] = v.hash
	out["root_view_id"] = v.rootID
	out["previous_view_id"] = nilIfEmpty(v.previousID)
	out["app_id"] = AppID
	out["app_installed_team_id"] = TeamID
	out["bot_id"] = botID
	if v.externalID != "" {
		out["external_id"] = v.externalID
	}
	return out
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// file is an uploaded file.
type file struct {
	ID, Name, Title, AltText string
	Length                   int
	Data                     []byte
	Uploaded                 bool
}

// trigger is a trigger_id given with a request: it opens one modal, within
// 3 s.
type trigger struct {
	User   string
	Issued time.Time // real time
	Used   bool
}

// responseURL is where the bot may answer a request, 5 times within 30
// minutes.
type responseURL struct {
	User, Channel string
	// Original is the message whose button was clicked: replace_original
	// and delete_original act on it. Empty for a slash command.
	Original string
	Issued   time.Time // real time
	Uses     int
}

// nextTS returns a fresh message timestamp, from the playground's clock and
// never twice the same.
func (p *Playground) nextTS() string {
	t := p.now().UnixMicro()
	if t <= p.state.lastTS {
		t = p.state.lastTS + 1
	}
	p.state.lastTS = t
	return fmt.Sprintf("%d.%06d", t/1_000_000, t%1_000_000)
}

// nextID returns a fresh id with the given prefix: V… for views, F… for
// files, Ev… for events.
func (p *Playground) nextID(prefix string) string {
	p.state.seq++
	return fmt.Sprintf("%sPG%06d", prefix, p.state.seq)
}

// channelByID returns a known conversation.
func (p *Playground) channelByID(id string) (channel, bool) {
	for _, c := range publicChannels {
		if c.ID == id {
			return c, true
		}
	}
	for _, c := range p.state.dms {
		if c.ID == id {
			return c, true
		}
	}
	return channel{}, false
}

// resolveChannel reads a channel argument as Slack does: a channel id, a
// channel name (with or without #), or a person's id for the direct
// messages between the bot and them. The direct-message channel is made on
// first use.
func (p *Playground) resolveChannel(arg string) (channel, bool) {
	if c, ok := p.channelByID(arg); ok {
		return c, true
	}
	name := "#" + strings.TrimPrefix(arg, "#")
	for _, c := range publicChannels {
		if c.Name == name {
			return c, true
		}
	}
	if who, ok := human(arg); ok {
		return p.dm(who), true
	}
	if who, ok := human(strings.TrimPrefix(arg, "D")); ok && strings.HasPrefix(arg, "D") {
		return p.dm(who), true
	}
	return channel{}, false
}

// dm returns the direct-message channel between the bot and who, making it
// (and telling the page) on first use.
func (p *Playground) dm(who person) channel {
	id := "D" + who.ID
	for _, c := range p.state.dms {
		if c.ID == id {
			return c
		}
	}
	c := channel{ID: id, Name: "@" + botName + " ↔ " + who.Name, User: who.ID}
	p.state.dms = append(p.state.dms, c)
	p.publish(map[string]any{"type": "channel", "channel": c})
	return c
}

// sees reports whether user can see messages of channel c.
func (c channel) sees(user string) bool { return c.User == "" || c.User == user }

func key(channel, ts string) string { return channel + "/" + ts }

// message returns the message ts of channel.
func (p *Playground) message(channel, ts string) (*message, bool) {
	m, ok := p.state.byKey[key(channel, ts)]
	return m, ok
}

// addMessage stores m and tells the page; a reply also updates its thread's
// first message, whose reply count changed.
func (p *Playground) addMessage(m *message) {
	if m.Blocks == nil {
		m.Blocks = []any{}
	}
	if m.Files == nil {
		m.Files = []fileRef{}
	}
	m.TS = p.nextTS()
	p.state.messages = append(p.state.messages, m)
	p.state.byKey[key(m.Channel, m.TS)] = m
	p.publishMessage(m)
	if m.ThreadTS != "" && m.EphemeralFor == "" {
		if root, ok := p.message(m.Channel, m.ThreadTS); ok {
			root.ReplyCount++
			p.publishMessage(root)
		}
	}
}

// threadRoot returns the first message of the thread ts belongs to, as
// Slack answers a reply to a reply in the thread of their parent. Not found
// (a deleted or unknown message) is "": Slack then posts at the top level.
func (p *Playground) threadRoot(channel, ts string) string {
	if ts == "" {
		return ""
	}
	m, ok := p.message(channel, ts)
	if !ok || m.EphemeralFor != "" {
		return ""
	}
	if m.ThreadTS != "" {
		return m.ThreadTS
	}
	return m.TS
}

// deleteMessage removes a message and tells the page.
func (p *Playground) deleteMessage(m *message) {
	delete(p.state.byKey, key(m.Channel, m.TS))
	for i, x := range p.state.messages {
		if x == m {
			p.state.messages = append(p.state.messages[:i], p.state.messages[i+1:]...)
			break
		}
	}
	if m.ThreadTS != "" && m.EphemeralFor == "" {
		if root, ok := p.message(m.Channel, m.ThreadTS); ok && root.ReplyCount > 0 {
			root.ReplyCount--
			p.publishMessage(root)
		}
	}
	p.publish(map[string]any{"type": "message_deleted", "channel": m.Channel, "ts": m.TS})
}

func (p *Playground) publishMessage(m *message) {
	p.publish(map[string]any{"type": "message", "message": m})
}

// publish sends ev to every page. Called with p.mu held, so that pages see
// events in the order the state changed; it never blocks.
func (p *Playground) publish(ev any) {
	data, err := json.Marshal(ev)
	if err != nil {
		p.log.Error("playground: event not encoded", "err", err)
		return
	}
	p.events.publish(data)
}

// showError tells the page about something that went wrong on the bot's
// side (a refused Web API call, a failed request): shown, never hidden.
func (p *Playground) showError(format string, args ...any) {
	text := fmt.Sprintf(format, args...)
	p.log.Warn("playground: " + text)
	p.mu.Lock()
	p.publish(map[string]any{"type": "error", "text": text})
	p.mu.Unlock()
}

// newTrigger returns a trigger_id for user, valid 3 s, once.
func (p *Playground) newTrigger(user string) string {
	p.forgetExpired()
	now := p.realNow()
	p.state.seq++
	id := fmt.Sprintf("%d.%d.%s", now.Unix(), p.state.seq, randomHex(8))
	p.state.triggers[id] = &trigger{User: user, Issued: now}
	return id
}

// useTrigger spends a trigger_id and returns its person, or Slack's error.
func (p *Playground) useTrigger(id string) (string, string) {
	t, ok := p.state.triggers[id]
	if !ok {
		return "", "invalid_trigger_id"
	}
	if t.Used || p.realNow().Sub(t.Issued) > triggerTTL {
		return "", "expired_trigger_id"
	}
	t.Used = true
	return t.User, ""
}

// newResponseURL returns a response_url for an answer to user in channel,
// about the message original (or none).
func (p *Playground) newResponseURL(user, channel, original string) string {
	id := randomHex(16)
	p.state.responseURLs[id] = &responseURL{User: user, Channel: channel, Original: original, Issued: p.realNow()}
	return p.baseURL + "/pg/respond/" + id
}

// forgetExpired drops triggers and response_urls past their life, so that
// a long demo does not accumulate them.
func (p *Playground) forgetExpired() {
	now := p.realNow()
	for id, t := range p.state.triggers {
		if now.Sub(t.Issued) > responseURLTTL { // long dead: "invalid" rather than "expired" from now on
			delete(p.state.triggers, id)
		}
	}
	for id, r := range p.state.responseURLs {
		if now.Sub(r.Issued) > responseURLTTL {
			delete(p.state.responseURLs, id)
		}
	}
}
