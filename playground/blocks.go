package playground

import (
	"encoding/json"
	"fmt"
	"unicode/utf8"
)

// Block Kit limits that Slack enforces, from its reference.
const (
	maxMessageBlocks = 50
	maxViewBlocks    = 100
	maxText          = 40000 // a message's text
	maxSectionText   = 3000
	maxHeaderText    = 150
	maxFieldText     = 2000
	maxFields        = 10
	maxContextItems  = 10
	maxActionItems   = 25
	maxButtonText    = 75
	maxButtonValue   = 2000
	maxActionID      = 255
	maxBlockID       = 255
	maxViewTitle     = 24
	maxMetadata      = 3000
	maxCallbackID    = 255
)

// blockProblems collects what Slack would refuse in a list of blocks, as
// Slack words it: "[ERROR] must be less than 3001 characters
// [json-pointer:/blocks/1/text/text]".
type blockProblems []string

func (ps *blockProblems) add(pointer, format string, args ...any) {
	*ps = append(*ps, fmt.Sprintf("[ERROR] %s [json-pointer:%s]", fmt.Sprintf(format, args...), pointer))
}

// parseBlocks decodes and checks a blocks argument. A value that is not a
// JSON array of objects is "invalid_blocks_format"; one that breaks Block
// Kit's rules is "invalid_blocks", with Slack's explanations.
func parseBlocks(raw json.RawMessage, max int, pointer string) ([]any, string, []string) {
	var blocks []any
	if err := json.Unmarshal(raw, &blocks); err != nil {
		return nil, "invalid_blocks_format", []string{"[ERROR] the blocks are not a JSON array: " + err.Error()}
	}
	var ps blockProblems
	checkBlocks(blocks, max, pointer, &ps)
	if len(ps) > 0 {
		return nil, "invalid_blocks", ps
	}
	return blocks, "", nil
}

// checkBlocks checks a list of blocks against Block Kit's rules.
func checkBlocks(blocks []any, max int, pointer string, ps *blockProblems) {
	if len(blocks) > max {
		ps.add(pointer, "no more than %d items allowed", max)
	}
	ids := map[string]bool{}
	for i, b := range blocks {
		at := fmt.Sprintf("%s/%d", pointer, i)
		block, isObject := b.(map[string]any)
		if !isObject {
			ps.add(at, "must be an object")
			continue
		}
		typ, _ := block["type"].(string)
		if typ == "" {
			ps.add(at+"/type", "missing required field: type")
			continue
		}
		if id, ok := block["block_id"].(string); ok && id != "" {
			if utf8.RuneCountInString(id) > maxBlockID {
				ps.add(at+"/block_id", "must be less than %d characters", maxBlockID+1)
			}
			if ids[id] {
				ps.add(at+"/block_id", "duplicate block_id %q", id)
			}
			ids[id] = true
		}
		switch typ {
		case "header":
			checkText(block["text"], at+"/text", maxHeaderText, true, true, ps)
		case "section":
			_, hasText := block["text"]
			fields, _ := block["fields"].([]any)
			if !hasText && len(fields) == 0 {
				ps.add(at, "must provide either text or fields")
			}
			if hasText {
				checkText(block["text"], at+"/text", maxSectionText, false, true, ps)
			}
			if len(fields) > maxFields {
				ps.add(at+"/fields", "no more than %d items allowed", maxFields)
			}
			for j, f := range fields {
				checkText(f, fmt.Sprintf("%s/fields/%d", at, j), maxFieldText, false, true, ps)
			}
			if acc, ok := block["accessory"].(map[string]any); ok {
				checkElement(acc, at+"/accessory", ps)
			}
		case "context":
			elems, _ := block["elements"].([]any)
			if len(elems) == 0 {
				ps.add(at+"/elements", "must provide at least 1 item")
			}
			if len(elems) > maxContextItems {
				ps.add(at+"/elements", "no more than %d items allowed", maxContextItems)
			}
			for j, e := range elems {
				if m, ok := e.(map[string]any); ok && m["type"] != "image" {
					checkText(m, fmt.Sprintf("%s/elements/%d", at, j), maxSectionText, false, true, ps)
				}
			}
		case "actions":
			elems, _ := block["elements"].([]any)
			if len(elems) == 0 {
				ps.add(at+"/elements", "must provide at least 1 item")
			}
			if len(elems) > maxActionItems {
				ps.add(at+"/elements", "no more than %d items allowed", maxActionItems)
			}
			actionIDs := map[string]bool{}
			for j, e := range elems {
				el, _ := e.(map[string]any)
				if el == nil {
					ps.add(fmt.Sprintf("%s/elements/%d", at, j), "must be an object")
					continue
				}
				if id, _ := el["action_id"].(string); id != "" {
					if actionIDs[id] {
						ps.add(fmt.Sprintf("%s/elements/%d/action_id", at, j), "duplicate action_id %q", id)
					}
					actionIDs[id] = true
				}
				checkElement(el, fmt.Sprintf("%s/elements/%d", at, j), ps)
			}
		case "input":
			checkText(block["label"], at+"/label", maxFieldText, true, true, ps)
			el, _ := block["element"].(map[string]any)
			if el == nil {
				ps.add(at+"/element", "missing required field: element")
			} else {
				checkElement(el, at+"/element", ps)
			}
		}
	}
}

// checkElement checks an interactive element's common fields.
func checkElement(el map[string]any, at string, ps *blockProblems) {
	if t, _ := el["type"].(string); t == "" {
		ps.add(at+"/type", "missing required field: type")
	}
	if id, _ := el["action_id"].(string); utf8.RuneCountInString(id) > maxActionID {
		ps.add(at+"/action_id", "must be less than %d characters", maxActionID+1)
	}
	if el["type"] == "button" {
		checkText(el["text"], at+"/text", maxButtonText, true, true, ps)
		if v, _ := el["value"].(string); utf8.RuneCountInString(v) > maxButtonValue {
			ps.add(at+"/value", "must be less than %d characters", maxButtonValue+1)
		}
	}
}

// checkText checks a text object: its type, and its length.
func checkText(v any, at string, max int, plainOnly, required bool, ps *blockProblems) {
	obj, _ := v.(map[string]any)
	if obj == nil {
		if required {
			ps.add(at, "must be a text object")
		}
		return
	}
	typ, _ := obj["type"].(string)
	switch {
	case typ != "plain_text" && typ != "mrkdwn":
		ps.add(at+"/type", "must be one of plain_text, mrkdwn")
	case plainOnly && typ != "plain_text":
		ps.add(at+"/type", "must be plain_text")
	}
	text, isString := obj["text"].(string)
	if !isString {
		ps.add(at+"/text", "must be a string")
		return
	}
	if n := utf8.RuneCountInString(text); n > max {
		ps.add(at+"/text", "must be less than %d characters", max+1)
	} else if n == 0 {
		ps.add(at+"/text", "must be more than 0 characters")
	}
}

// fillBlockIDs gives a block id to every block without one, as Slack does,
// so that the page can name the block of a click or of a modal's value.
func fillBlockIDs(blocks []any) {
	used := map[string]bool{}
	for _, b := range blocks {
		if m, ok := b.(map[string]any); ok {
			if id, _ := m["block_id"].(string); id != "" {
				used[id] = true
			}
		}
	}
	n := 0
	for _, b := range blocks {
		m, ok := b.(map[string]any)
		if !ok {
			continue
		}
		if id, _ := m["block_id"].(string); id != "" {
			continue
		}
		id := ""
		for id == "" || used[id] {
			n++
			id = fmt.Sprintf("pg%d", n)
		}
		used[id] = true
		m["block_id"] = id
	}
}

// findElement returns the interactive element action of block in blocks.
func findElement(blocks []any, blockID, actionID string) (map[string]any, map[string]any, bool) {
	for _, b := range blocks {
		block, _ := b.(map[string]any)
		if block == nil || block["block_id"] != blockID {
			continue
		}
		var candidates []any
		if acc, ok := block["accessory"]; ok {
			candidates = append(candidates, acc)
		}
		if el, ok := block["element"]; ok {
			candidates = append(candidates, el)
		}
		if elems, ok := block["elements"].([]any); ok {
			candidates = append(candidates, elems...)
		}
		for _, c := range candidates {
			if el, _ := c.(map[string]any); el != nil && el["action_id"] == actionID {
				return block, el, true
			}
		}
	}
	return nil, nil, false
}

// optionsOf lists an element's options, those of its groups included.
func optionsOf(el map[string]any) []map[string]any {
	var out []map[string]any
	collect := func(list any) {
		items, _ := list.([]any)
		for _, it := range items {
			if o, _ := it.(map[string]any); o != nil {
				out = append(out, o)
			}
		}
	}
	collect(el["options"])
	if gs, _ := el["option_groups"].([]any); gs != nil {
		for _, g := range gs {
			if gm, _ := g.(map[string]any); gm != nil {
				collect(gm["options"])
			}
		}
	}
	return out
}

// option returns the element's option with this value.
func option(el map[string]any, value string) (map[string]any, bool) {
	for _, o := range optionsOf(el) {
		if o["value"] == value {
			return o, true
		}
	}
	return nil, false
}

// textOf returns a text object's text.
func textOf(v any) string {
	m, _ := v.(map[string]any)
	s, _ := m["text"].(string)
	return s
}
