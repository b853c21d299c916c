package playground

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"path"
	"strconv"
	"strings"
)

// maxUpload bounds one uploaded file: the digest's chart is a few dozen
// kilobytes.
const maxUpload = 16 << 20

// files.getUploadURLExternal: step 1 of the upload, a URL on this server
// (on the host the bot called, so that slack-go sends its token there).
func (p *Playground) filesGetUploadURLExternal(a *apiRequest) apiResult {
	name := a.str("filename")
	length, isNumber := intArg(a, "length")
	switch {
	case name == "":
		return fail("invalid_arguments", "[ERROR] missing required field: filename")
	case !isNumber:
		return fail("invalid_arguments", "[ERROR] missing required field: length")
	case length <= 0:
		return fail("invalid_arguments", "[ERROR] length must be more than 0")
	case length > maxUpload:
		return fail("file_too_large")
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	f := &file{ID: p.nextID("F"), Name: name, Title: name, AltText: a.str("alt_txt"), Length: length}
	p.state.files[f.ID] = f
	return ok(map[string]any{"upload_url": a.scheme + "://" + a.host + "/api/upload/" + f.ID, "file_id": f.ID})
}

// serveUpload is POST /api/upload/{id}, step 2: the file's bytes, as a
// multipart form (slack-go's way) or as the raw body. Like Slack's upload
// URL, the URL itself is the credential.
func (p *Playground) serveUpload(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	p.mu.Lock()
	f, found := p.state.files[id]
	p.mu.Unlock()
	if !found {
		http.Error(w, "upload URL not found", http.StatusNotFound)
		return
	}
	data, err := readUpload(w, r)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			http.Error(w, "file too large", http.StatusRequestEntityTooLarge)
			return
		}
		http.Error(w, "unreadable upload: "+err.Error(), http.StatusBadRequest)
		return
	}
	p.mu.Lock()
	f.Data, f.Uploaded = data, true
	p.mu.Unlock()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	fmt.Fprintf(w, "OK - %d", len(data))
}

func readUpload(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	body := http.MaxBytesReader(w, r.Body, maxUpload+1<<20)
	ct, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct != "multipart/form-data" {
		return io.ReadAll(body)
	}
	if params["boundary"] == "" {
		return nil, errors.New("multipart form without a boundary")
	}
	reader := multipart.NewReader(body, params["boundary"])
	for {
		part, err := reader.NextPart()
		if err == io.EOF {
			return nil, errors.New("no file in the form")
		}
		if err != nil {
			return nil, err
		}
		if part.FileName() != "" || part.FormName() == "file" {
			return io.ReadAll(part)
		}
	}
}

// files.completeUploadExternal: step 3, the files shared — in a message of
// the bot in channel_id, in the thread of thread_ts when given.
func (p *Playground) filesCompleteUploadExternal(a *apiRequest) apiResult {
	raw, given := a.raw("files")
	if !given {
		return fail("invalid_arguments", "[ERROR] missing required field: files")
	}
	var list []struct {
		ID    string `json:"id"`
		Title string `json:"title"`
	}
	if err := json.Unmarshal(raw, &list); err != nil || len(list) == 0 {
		return fail("invalid_arguments", "[ERROR] files must be a JSON array of {id, title} [json-pointer:/files]")
	}
	c := content{text: a.str("initial_comment")}
	if c.text == "" {
		if rawBlocks, ok := a.raw("blocks"); ok && len(bytes.TrimSpace(rawBlocks)) > 0 {
			blocks, code, msgs := parseBlocks(rawBlocks, maxMessageBlocks, "/blocks")
			if code != "" {
				return fail(code, msgs...)
			}
			fillBlockIDs(blocks)
			c.blocks = blocks
		}
	}
	channelID := a.str("channel_id")
	if channelID == "" {
		channelID, _, _ = strings.Cut(a.str("channels"), ",")
	}

	p.mu.Lock()
	defer p.mu.Unlock()
	var refs []fileRef
	var summaries []map[string]any
	for _, item := range list {
		f, found := p.state.files[item.ID]
		if !found || !f.Uploaded {
			return fail("file_not_found")
		}
		if item.Title != "" {
			f.Title = item.Title
		}
		refs = append(refs, fileRef{ID: f.ID, Title: f.Title, URL: "/pg/files/" + f.ID})
		summaries = append(summaries, map[string]any{"id": f.ID, "title": f.Title})
	}
	if channelID != "" {
		ch, found := p.resolveChannel(channelID)
		if !found {
			return fail("channel_not_found")
		}
		p.addMessage(&message{Channel: ch.ID, User: BotUserID, Text: c.text, Blocks: c.blocks, Files: refs,
			ThreadTS: p.threadRoot(ch.ID, a.str("thread_ts"))})
	}
	return ok(map[string]any{"files": summaries})
}

// files.info: one file's description.
func (p *Playground) filesInfo(a *apiRequest) apiResult {
	p.mu.Lock()
	defer p.mu.Unlock()
	f, found := p.state.files[a.str("file")]
	if !found || !f.Uploaded {
		return fail("file_not_found")
	}
	url := a.scheme + "://" + a.host + "/pg/files/" + f.ID
	return ok(map[string]any{"file": map[string]any{
		"id": f.ID, "name": f.Name, "title": f.Title, "size": len(f.Data), "mimetype": mimeType(f.Name, f.Data),
		"url_private": url, "url_private_download": url, "alt_txt": f.AltText,
	}})
}

// serveFile is GET /pg/files/{id}: an uploaded file's bytes.
func (p *Playground) serveFile(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	f, found := p.state.files[r.PathValue("id")]
	var data []byte
	var name string
	if found {
		data, name, found = f.Data, f.Name, f.Uploaded
	}
	p.mu.Unlock()
	if !found {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", mimeType(name, data))
	h.Set("Content-Length", strconv.Itoa(len(data)))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Disposition", mime.FormatMediaType("inline", map[string]string{"filename": name}))
	w.Write(data) //nolint:errcheck // the page went away
}

func mimeType(name string, data []byte) string {
	if t := mime.TypeByExtension(path.Ext(name)); t != "" {
		return t
	}
	return http.DetectContentType(data)
}
