package playground

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
)

// responseMessage is what the bot sends to a response_url, or in the ack
// of a slash command.
type responseMessage struct {
	Text            string          `json:"text"`
	Blocks          json.RawMessage `json:"blocks"`
	ResponseType    string          `json:"response_type"`
	ReplaceOriginal bool            `json:"replace_original"`
	DeleteOriginal  bool            `json:"delete_original"`
	ThreadTS        string          `json:"thread_ts"`
}

// answer shows msg as Slack shows an answer to user in channel: in place of
// original (replace_original, delete_original), for everyone (in_channel)
// or for user alone (ephemeral, the default). It returns Slack's error, or
// "". Called with p.mu held.
func (p *Playground) answer(user, channelID, original string, msg responseMessage) (string, []string) {
	var orig *message
	if original != "" {
		orig, _ = p.message(channelID, original)
	}
	if msg.DeleteOriginal {
		if orig == nil {
			return "message_not_found", nil
		}
		p.deleteMessage(orig)
		return "", nil
	}
	var blocks []any
	if raw := bytes.TrimSpace(msg.Blocks); len(raw) > 0 && string(raw) != "null" {
		parsed, code, problems := parseBlocks(raw, maxMessageBlocks, "/blocks")
		if code != "" {
			return code, problems
		}
		fillBlockIDs(parsed)
		blocks = parsed
	}
	if msg.Text == "" && len(blocks) == 0 {
		return "no_text", nil
	}
	if msg.ReplaceOriginal && orig != nil {
		// The message is replaced as a whole: blocks left out are gone.
		orig.Text, orig.Blocks, orig.Edited = msg.Text, orEmptyBlocks(blocks), true
		p.publishMessage(orig)
		return "", nil
	}
	m := &message{Channel: channelID, User: BotUserID, Text: msg.Text, Blocks: blocks,
		ThreadTS: p.threadRoot(channelID, msg.ThreadTS)}
	if msg.ResponseType != "in_channel" {
		m.EphemeralFor = user
	}
	p.addMessage(m)
	return "", nil
}

func orEmptyBlocks(b []any) []any {
	if b == nil {
		return []any{}
	}
	return b
}

// serveRespond is POST /pg/respond/{id}: a response_url. Like Slack's it
// works 5 times within 30 minutes, takes a JSON message, and answers "ok"
// or an error with a 4xx.
func (p *Playground) serveRespond(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxAPIBody))
	if err != nil {
		http.Error(w, "invalid_payload", http.StatusBadRequest)
		return
	}
	var msg responseMessage
	if err := json.Unmarshal(body, &msg); err != nil {
		p.showError("response_url: the bot sent unreadable JSON: %v", err)
		http.Error(w, "invalid_payload", http.StatusBadRequest)
		return
	}
	p.mu.Lock()
	ru, found := p.state.responseURLs[r.PathValue("id")]
	code := ""
	var problems []string
	switch {
	case !found || p.realNow().Sub(ru.Issued) > responseURLTTL:
		code = "expired_url"
	case ru.Uses >= responseURLUses:
		code = "used_url"
	default:
		ru.Uses++
		code, problems = p.answer(ru.User, ru.Channel, ru.Original, msg)
	}
	p.mu.Unlock()
	if code != "" {
		p.showError("response_url → %s%s", code, joinProblems(problems))
		status := http.StatusBadRequest
		if code == "expired_url" || code == "used_url" {
			status = http.StatusNotFound
		}
		http.Error(w, code, status)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write([]byte("ok")) //nolint:errcheck // the bot hung up
}

func joinProblems(ps []string) string {
	if len(ps) == 0 {
		return ""
	}
	return " (" + strings.Join(ps, "; ") + ")"
}
