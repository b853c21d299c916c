package playground

import (
	"encoding/json"
	"fmt"
	"unicode/utf8"
)

// maxStack is how many modals Slack stacks (views.push).
const maxStack = 3

// parseView decodes and checks a view argument of the given type ("modal"
// or "home"). What Slack would refuse is returned as its explanations, for
// an "invalid_arguments" answer.
func parseView(raw json.RawMessage, want string) (map[string]any, []string) {
	var v map[string]any
	if raw == nil {
		return nil, []string{"[ERROR] missing required field: view [json-pointer:/view]"}
	}
	if err := json.Unmarshal(raw, &v); err != nil || v == nil {
		return nil, []string{"[ERROR] failed to match all allowed schemas [json-pointer:/view]"}
	}
	var ps blockProblems
	if typ, _ := v["type"].(string); typ != want {
		ps.add("/view/type", "must be %q here, not %q", want, typ)
	}
	blocks, isList := v["blocks"].([]any)
	if !isList {
		ps.add("/view/blocks", "missing required field: blocks")
	}
	checkBlocks(blocks, maxViewBlocks, "/view/blocks", &ps)
	if want == "modal" {
		checkText(v["title"], "/view/title", maxViewTitle, true, true, &ps)
		for _, k := range []string{"submit", "close"} {
			if _, ok := v[k]; ok {
				checkText(v[k], "/view/"+k, maxViewTitle, true, true, &ps)
			}
		}
		if _, ok := v["submit"]; !ok && hasInput(blocks) {
			ps.add("/view", "submit is required when an input block is within the blocks array")
		}
	}
	if s, _ := v["private_metadata"].(string); utf8.RuneCountInString(s) > maxMetadata {
		ps.add("/view/private_metadata", "must be less than %d characters", maxMetadata+1)
	}
	if s, _ := v["callback_id"].(string); utf8.RuneCountInString(s) > maxCallbackID {
		ps.add("/view/callback_id", "must be less than %d characters", maxCallbackID+1)
	}
	if len(ps) > 0 {
		return nil, ps
	}
	fillBlockIDs(blocks)
	return v, nil
}

func hasInput(blocks []any) bool {
	for _, b := range blocks {
		if m, _ := b.(map[string]any); m != nil && m["type"] == "input" {
			return true
		}
	}
	return false
}

// newView stores a view the bot opened for user and returns it.
func (p *Playground) newView(user string, body map[string]any) *view {
	v := &view{ID: p.nextID("V"), User: user, View: body, Errors: map[string]string{}, hash: p.newHash()}
	v.rootID = v.ID
	v.externalID, _ = body["external_id"].(string)
	p.state.views[v.ID] = v
	return v
}

func (p *Playground) newHash() string { return fmt.Sprintf("%d.%s", p.now().Unix(), randomHex(4)) }

// externalIDTaken reports whether another view already uses id.
func (p *Playground) externalIDTaken(id string, except *view) bool {
	if id == "" {
		return false
	}
	for _, v := range p.state.views {
		if v != except && v.externalID == id {
			return true
		}
	}
	return false
}

// closeModals closes user's modals from the i-th up, and tells the page.
func (p *Playground) closeModals(user string, from int) []*view {
	stack := p.state.stack[user]
	if from >= len(stack) {
		return nil
	}
	closed := append([]*view(nil), stack[from:]...)
	for _, v := range closed {
		delete(p.state.views, v.ID)
		p.publish(map[string]any{"type": "view_closed", "id": v.ID, "user": user})
	}
	if from == 0 {
		delete(p.state.stack, user)
	} else {
		p.state.stack[user] = stack[:from]
	}
	return closed
}

// publishView tells the page about a modal or a Home tab.
func (p *Playground) publishView(v *view) {
	typ := "view"
	if v.kind() == "home" {
		typ = "home"
	}
	p.publish(map[string]any{"type": typ, "view": v})
}

// views.open: a modal for the person whose trigger_id it is. It replaces
// any modal they had open.
func (p *Playground) viewsOpen(a *apiRequest) apiResult {
	triggerID := a.str("trigger_id")
	if triggerID == "" {
		return fail("invalid_arguments", "[ERROR] missing required field: trigger_id")
	}
	raw, _ := a.raw("view")
	body, problems := parseView(raw, "modal")
	if problems != nil {
		return fail("invalid_arguments", problems...)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if ext, _ := body["external_id"].(string); p.externalIDTaken(ext, nil) {
		return fail("duplicate_external_id")
	}
	user, code := p.useTrigger(triggerID)
	if code != "" {
		return fail(code)
	}
	p.closeModals(user, 0)
	v := p.newView(user, body)
	p.state.stack[user] = []*view{v}
	p.publishView(v)
	return ok(map[string]any{"view": v.slackJSON(nil)})
}

// views.push: a modal on top of the person's open ones, three at most.
func (p *Playground) viewsPush(a *apiRequest) apiResult {
	triggerID := a.str("trigger_id")
	if triggerID == "" {
		return fail("invalid_arguments", "[ERROR] missing required field: trigger_id")
	}
	raw, _ := a.raw("view")
	body, problems := parseView(raw, "modal")
	if problems != nil {
		return fail("invalid_arguments", problems...)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if ext, _ := body["external_id"].(string); p.externalIDTaken(ext, nil) {
		return fail("duplicate_external_id")
	}
	user, code := p.useTrigger(triggerID)
	if code != "" {
		return fail(code)
	}
	stack := p.state.stack[user]
	if len(stack) >= maxStack {
		return fail("push_limit_reached")
	}
	v := p.newView(user, body)
	if len(stack) > 0 {
		v.rootID, v.previousID = stack[0].ID, stack[len(stack)-1].ID
	}
	p.state.stack[user] = append(stack, v)
	p.publishView(v)
	return ok(map[string]any{"view": v.slackJSON(nil)})
}

// views.update: an open modal or a Home tab, replaced; by view_id or
// external_id, and only if its hash (when given) is still current.
func (p *Playground) viewsUpdate(a *apiRequest) apiResult {
	id, ext := a.str("view_id"), a.str("external_id")
	if id == "" && ext == "" {
		return fail("invalid_arguments", "[ERROR] either view_id or external_id is required")
	}
	raw, _ := a.raw("view")
	p.mu.Lock()
	defer p.mu.Unlock()
	var v *view
	if id != "" {
		v = p.state.views[id]
	} else {
		for _, candidate := range p.state.views {
			if candidate.externalID == ext {
				v = candidate
			}
		}
	}
	if v == nil {
		return fail("not_found")
	}
	if hash := a.str("hash"); hash != "" && hash != v.hash {
		return fail("hash_conflict")
	}
	body, problems := parseView(raw, v.kind())
	if problems != nil {
		return fail("invalid_arguments", problems...)
	}
	newExt, _ := body["external_id"].(string)
	if p.externalIDTaken(newExt, v) {
		return fail("duplicate_external_id")
	}
	v.View, v.Errors, v.hash = body, map[string]string{}, p.newHash()
	if newExt != "" {
		v.externalID = newExt
	}
	p.publishView(v)
	return ok(map[string]any{"view": v.slackJSON(nil)})
}

// views.publish: a person's Home tab.
func (p *Playground) viewsPublish(a *apiRequest) apiResult {
	user := a.str("user_id")
	if user == "" {
		return fail("invalid_arguments", "[ERROR] missing required field: user_id")
	}
	raw, _ := a.raw("view")
	body, problems := parseView(raw, "home")
	if problems != nil {
		return fail("invalid_arguments", problems...)
	}
	if _, found := human(user); !found {
		return fail("user_not_found")
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	v := p.state.homes[user]
	if v != nil {
		if hash := a.str("hash"); hash != "" && hash != v.hash {
			return fail("hash_conflict")
		}
		v.View, v.Errors, v.hash = body, map[string]string{}, p.newHash()
	} else {
		v = p.newView(user, body)
		p.state.homes[user] = v
	}
	p.publishView(v)
	return ok(map[string]any{"view": v.slackJSON(nil)})
}
