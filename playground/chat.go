package playground

import (
	"bytes"
	"encoding/json"
	"unicode/utf8"
)

// content is a message's text and blocks, as a Web API call gives them.
type content struct {
	text      string
	blocks    []any
	hasText   bool
	hasBlocks bool
}

// readContent reads and checks the text, blocks and attachments of a call.
// Attachments are not drawn by the page: their fallback stands in for a
// missing text.
func readContent(a *apiRequest) (content, apiResult) {
	c := content{text: a.str("text"), hasText: a.has("text")}
	if utf8.RuneCountInString(c.text) > maxText {
		return c, fail("msg_too_long")
	}
	if raw, ok := a.raw("blocks"); ok && len(bytes.TrimSpace(raw)) > 0 {
		blocks, code, msgs := parseBlocks(raw, maxMessageBlocks, "/blocks")
		if code != "" {
			return c, fail(code, msgs...)
		}
		fillBlockIDs(blocks)
		c.blocks, c.hasBlocks = blocks, true
	}
	if c.text == "" {
		if raw, ok := a.raw("attachments"); ok {
			var atts []struct{ Fallback, Text string }
			if json.Unmarshal(raw, &atts) == nil && len(atts) > 0 {
				c.text = atts[0].Fallback
				if c.text == "" {
					c.text = atts[0].Text
				}
			}
		}
	}
	return c, nil
}

func (c content) empty() bool { return c.text == "" && len(c.blocks) == 0 }

// readMetadata reads a message's metadata as Slack takes it: a JSON object
// with a string event_type and an object event_payload.
func readMetadata(a *apiRequest) (map[string]any, apiResult) {
	raw, given := a.raw("metadata")
	if !given || len(bytes.TrimSpace(raw)) == 0 {
		return nil, nil
	}
	var md struct {
		EventType    string         `json:"event_type"`
		EventPayload map[string]any `json:"event_payload"`
	}
	if err := json.Unmarshal(raw, &md); err != nil || md.EventType == "" || md.EventPayload == nil {
		return nil, fail("invalid_metadata_format", "[ERROR] metadata needs an event_type and an event_payload object")
	}
	return map[string]any{"event_type": md.EventType, "event_payload": md.EventPayload}, nil
}

// chat.postMessage: a message from the bot in a channel, or in a person's
// direct messages when the channel is their user id.
func (p *Playground) chatPostMessage(a *apiRequest) apiResult {
	c, res := readContent(a)
	if res != nil {
		return res
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	ch, found := p.resolveChannel(a.str("channel"))
	if !found {
		return fail("channel_not_found")
	}
	if c.empty() {
		return fail("no_text")
	}
	metadata, res := readMetadata(a)
	if res != nil {
		return res
	}
	m := &message{Channel: ch.ID, User: BotUserID, Text: c.text, Blocks: c.blocks,
		ThreadTS: p.threadRoot(ch.ID, a.str("thread_ts")), Metadata: metadata}
	p.addMessage(m)
	return ok(map[string]any{"channel": ch.ID, "ts": m.TS, "message": m.slackJSON(true)})
}

// chat.postEphemeral: a message only one person sees.
func (p *Playground) chatPostEphemeral(a *apiRequest) apiResult {
	c, res := readContent(a)
	if res != nil {
		return res
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	ch, found := p.resolveChannel(a.str("channel"))
	if !found {
		return fail("channel_not_found")
	}
	user := a.str("user")
	if user == "" {
		return fail("invalid_arguments", "[ERROR] missing required field: user")
	}
	if _, found := human(user); !found {
		return fail("user_not_found")
	}
	if !ch.sees(user) {
		return fail("user_not_in_channel")
	}
	if c.empty() {
		return fail("no_text")
	}
	m := &message{Channel: ch.ID, User: BotUserID, Text: c.text, Blocks: c.blocks, EphemeralFor: user,
		ThreadTS: p.threadRoot(ch.ID, a.str("thread_ts"))}
	p.addMessage(m)
	return ok(map[string]any{"message_ts": m.TS})
}

// chat.update: the bot's message, changed in place. Blocks left out are
// kept, as Slack keeps them; an empty list removes them.
func (p *Playground) chatUpdate(a *apiRequest) apiResult {
	c, res := readContent(a)
	if res != nil {
		return res
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	ch, found := p.resolveChannel(a.str("channel"))
	if !found {
		return fail("channel_not_found")
	}
	m, found := p.message(ch.ID, a.str("ts"))
	if !found || m.EphemeralFor != "" {
		return fail("message_not_found")
	}
	if m.User != BotUserID {
		return fail("cant_update_message")
	}
	if !c.hasText && !c.hasBlocks && c.text == "" {
		return fail("no_text")
	}
	if c.hasText || c.text != "" {
		m.Text = c.text
	}
	if c.hasBlocks {
		m.Blocks = c.blocks
	}
	if m.Text == "" && len(m.Blocks) == 0 {
		return fail("no_text")
	}
	m.Edited = true
	p.publishMessage(m)
	return ok(map[string]any{"channel": ch.ID, "ts": m.TS, "text": m.Text, "message": m.slackJSON(true)})
}

// chat.delete: the bot's message, removed.
func (p *Playground) chatDelete(a *apiRequest) apiResult {
	p.mu.Lock()
	defer p.mu.Unlock()
	ch, found := p.resolveChannel(a.str("channel"))
	if !found {
		return fail("channel_not_found")
	}
	m, found := p.message(ch.ID, a.str("ts"))
	if !found || m.EphemeralFor != "" {
		return fail("message_not_found")
	}
	if m.User != BotUserID {
		return fail("cant_delete_message")
	}
	p.deleteMessage(m)
	return ok(map[string]any{"channel": ch.ID, "ts": m.TS})
}

// chat.getPermalink: a link to a message, which the page opens
// (http://<host>/#<channel>/<ts>).
func (p *Playground) chatGetPermalink(a *apiRequest) apiResult {
	p.mu.Lock()
	defer p.mu.Unlock()
	ch, found := p.channelByID(a.str("channel"))
	if !found {
		return fail("channel_not_found")
	}
	m, found := p.message(ch.ID, a.str("message_ts"))
	if !found || m.EphemeralFor != "" {
		return fail("message_not_found")
	}
	return ok(map[string]any{"channel": ch.ID, "permalink": a.scheme + "://" + a.host + "/#" + ch.ID + "/" + m.TS})
}
