package e2e

import (
	"encoding/json"
	"regexp"
	"strings"
)

// parseBlocks reads a `blocks` field as Slack would.
func parseBlocks(s string) []any {
	var blocks []any
	if s == "" {
		return nil
	}
	if err := json.Unmarshal([]byte(s), &blocks); err != nil {
		return []any{map[string]any{"_unparsable": s}}
	}
	return blocks
}

// allText joins every text the blocks show, in order.
func allText(v any) string {
	var b strings.Builder
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if s, ok := x["text"].(string); ok {
				b.WriteString(s)
				b.WriteString("\n")
			}
			for k, y := range x {
				if k != "text" || !isString(y) {
					walk(y)
				}
			}
		case []any:
			for _, y := range x {
				walk(y)
			}
		}
	}
	walk(v)
	return b.String()
}

func isString(v any) bool { _, ok := v.(string); return ok }

// button is a button of a message, as Slack would send it back on a click.
type button struct {
	ActionID, Value, BlockID, Text string
}

// findButtons lists the buttons of blocks, with the block_id of the block
// that holds each.
func findButtons(blocks []any) []button {
	var out []button
	var walk func(v any, blockID string)
	walk = func(v any, blockID string) {
		switch x := v.(type) {
		case map[string]any:
			if id, ok := x["block_id"].(string); ok {
				blockID = id
			}
			if x["type"] == "button" {
				b := button{BlockID: blockID}
				b.ActionID, _ = x["action_id"].(string)
				b.Value, _ = x["value"].(string)
				b.Text = strings.TrimSpace(allText(x["text"]))
				out = append(out, b)
				return
			}
			for _, y := range x {
				walk(y, blockID)
			}
		case []any:
			for _, y := range x {
				walk(y, blockID)
			}
		}
	}
	for _, b := range blocks {
		walk(b, "")
	}
	return out
}

// headerText is the text of the blocks' header, if any.
func headerText(blocks []any) string {
	for _, b := range blocks {
		if m, ok := b.(map[string]any); ok && m["type"] == "header" {
			return strings.TrimSpace(allText(m["text"]))
		}
	}
	return ""
}

var mastodonCount = regexp.MustCompile(`Mastodon (\d+)/(\d+)`)
