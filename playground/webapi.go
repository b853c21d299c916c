package playground

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// maxAPIBody bounds a Web API request body (the biggest the bot sends is a
// modal or a message of 50 blocks).
const maxAPIBody = 2 << 20

// apiRequest is one Web API call: its arguments, however they came (query
// string, form, multipart form or JSON body), and where it came from.
type apiRequest struct {
	method string
	form   url.Values
	json   map[string]json.RawMessage
	host   string // the Host the bot called, for the URLs the answer gives
	scheme string
}

// str returns an argument as text: a form value, or a JSON string, number
// or boolean as written.
func (a *apiRequest) str(name string) string {
	if a.json != nil {
		raw, ok := a.json[name]
		if !ok {
			return a.form.Get(name)
		}
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return s
		}
		if t := string(bytes.TrimSpace(raw)); t != "null" {
			return t
		}
		return ""
	}
	return a.form.Get(name)
}

// has reports whether an argument was given at all.
func (a *apiRequest) has(name string) bool {
	if a.json != nil {
		if raw, ok := a.json[name]; ok {
			return string(bytes.TrimSpace(raw)) != "null"
		}
	}
	_, ok := a.form[name]
	return ok
}

// raw returns a JSON argument (blocks, view, files): a JSON value in a JSON
// body, or JSON text in a form field or a JSON string.
func (a *apiRequest) raw(name string) (json.RawMessage, bool) {
	if a.json != nil {
		if raw, ok := a.json[name]; ok {
			var s string
			if json.Unmarshal(raw, &s) == nil {
				return json.RawMessage(s), true
			}
			return raw, true
		}
	}
	if vs, ok := a.form[name]; ok && len(vs) > 0 {
		return json.RawMessage(vs[0]), true
	}
	return nil, false
}

// apiResult is a method's answer: ok with its fields, or Slack's error.
type apiResult map[string]any

func ok(fields map[string]any) apiResult {
	out := apiResult{"ok": true}
	for k, v := range fields {
		out[k] = v
	}
	return out
}

func fail(code string, messages ...string) apiResult {
	out := apiResult{"ok": false, "error": code}
	if len(messages) > 0 {
		out["response_metadata"] = map[string]any{"messages": messages}
	}
	return out
}

// apiMethod is one Web API method.
type apiMethod func(p *Playground, a *apiRequest) apiResult

// apiMethods are the Web API methods the playground answers: those the bot
// calls, and the few a person trying things by hand expects next to them.
// Built once per Playground, never changed.
func apiMethods() map[string]apiMethod {
	return map[string]apiMethod{
		"api.test":                     (*Playground).apiTest,
		"auth.test":                    (*Playground).authTest,
		"bots.info":                    (*Playground).botsInfo,
		"chat.postMessage":             (*Playground).chatPostMessage,
		"chat.postEphemeral":           (*Playground).chatPostEphemeral,
		"chat.update":                  (*Playground).chatUpdate,
		"chat.delete":                  (*Playground).chatDelete,
		"chat.getPermalink":            (*Playground).chatGetPermalink,
		"views.open":                   (*Playground).viewsOpen,
		"views.push":                   (*Playground).viewsPush,
		"views.update":                 (*Playground).viewsUpdate,
		"views.publish":                (*Playground).viewsPublish,
		"users.info":                   (*Playground).usersInfo,
		"users.list":                   (*Playground).usersList,
		"usergroups.users.list":        (*Playground).usergroupsUsersList,
		"conversations.open":           (*Playground).conversationsOpen,
		"conversations.info":           (*Playground).conversationsInfo,
		"conversations.history":        (*Playground).conversationsHistory,
		"conversations.replies":        (*Playground).conversationsReplies,
		"conversations.members":        (*Playground).conversationsMembers,
		"files.getUploadURLExternal":   (*Playground).filesGetUploadURLExternal,
		"files.completeUploadExternal": (*Playground).filesCompleteUploadExternal,
		"files.info":                   (*Playground).filesInfo,
	}
}

// serveAPI is /api/{method}: it reads the arguments, checks the token and
// runs the method. Like Slack it answers 200 with {"ok":false,"error":…}
// for every refusal, and tells the page, which shows the bot's errors.
func (p *Playground) serveAPI(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("method")
	a, res := p.readAPIRequest(w, r, name)
	if res == nil {
		method, found := p.methods[name]
		switch {
		case !found:
			res = fail("unknown_method")
		case name == "api.test":
			res = method(p, a)
		default:
			if res = p.checkToken(r, a); res == nil {
				res = method(p, a)
			}
		}
	}
	if res["ok"] != true {
		p.showError("%s → %s%s", name, res["error"], detail(res))
	}
	writeJSON(w, http.StatusOK, res)
}

// detail is the explanation Slack gives with some errors.
func detail(res apiResult) string {
	meta, _ := res["response_metadata"].(map[string]any)
	msgs, _ := meta["messages"].([]string)
	if len(msgs) == 0 {
		return ""
	}
	return " (" + strings.Join(msgs, "; ") + ")"
}

// readAPIRequest reads a call's arguments; a body that cannot be read is
// Slack's error, returned as the result.
func (p *Playground) readAPIRequest(w http.ResponseWriter, r *http.Request, name string) (*apiRequest, apiResult) {
	a := &apiRequest{method: name, form: url.Values{}, host: r.Host, scheme: "http"}
	if r.TLS != nil {
		a.scheme = "https"
	}
	for k, vs := range r.URL.Query() {
		a.form[k] = append(a.form[k], vs...)
	}
	if r.Method != http.MethodPost {
		return a, nil
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxAPIBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return a, fail("request_too_large")
		}
		return a, fail("invalid_form_data")
	}
	ct, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ct {
	case "application/json":
		if len(bytes.TrimSpace(body)) == 0 {
			a.json = map[string]json.RawMessage{}
			return a, nil
		}
		if err := json.Unmarshal(body, &a.json); err != nil || a.json == nil {
			return a, fail("invalid_json")
		}
	case "multipart/form-data":
		req := &http.Request{Header: http.Header{"Content-Type": {r.Header.Get("Content-Type")}}, Body: io.NopCloser(bytes.NewReader(body))}
		if _, ok := params["boundary"]; !ok {
			return a, fail("invalid_form_data")
		}
		if err := req.ParseMultipartForm(maxAPIBody); err != nil {
			return a, fail("invalid_form_data")
		}
		for k, vs := range req.MultipartForm.Value {
			a.form[k] = append(a.form[k], vs...)
		}
	default:
		// Slack reads any other body as a form, as slack-go sends it.
		form, err := url.ParseQuery(string(body))
		if err != nil {
			return a, fail("invalid_form_data")
		}
		for k, vs := range form {
			a.form[k] = append(a.form[k], vs...)
		}
	}
	return a, nil
}

// checkToken accepts the bot token as a bearer header or a token argument.
func (p *Playground) checkToken(r *http.Request, a *apiRequest) apiResult {
	token, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if token == "" {
		token = a.str("token")
	}
	switch token {
	case "":
		return fail("not_authed")
	case p.token:
		return nil
	default:
		return fail("invalid_auth")
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v) //nolint:errcheck // the client hung up: nothing to do
}

// intArg reads a whole-number argument; ok is false when it is missing or
// not a number.
func intArg(a *apiRequest, name string) (int, bool) {
	n, err := strconv.Atoi(a.str(name))
	return n, err == nil
}
