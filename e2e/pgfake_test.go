package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// pgFake answers the playground page's JSON API (playground/API.md) from
// memory, with no bot behind it: the page test puts messages and views in
// it, sends events, and reads what the page posted. It serves the page's
// files from playground/web as they are on disk.
type pgFake struct {
	t   *testing.T
	srv *httptest.Server

	mu       sync.Mutex
	state    map[string]any
	subs     map[chan []byte]struct{}
	posts    []pgPost
	changed  chan struct{}
	network  []any
	submitFn func(body map[string]any) any
}

// pgPost is one POST the page made to /pg/….
type pgPost struct {
	Path string
	Body map[string]any
}

func newPGFake(t *testing.T, state map[string]any) *pgFake {
	t.Helper()
	web, err := filepath.Abs(filepath.Join("..", "playground", "web"))
	if err != nil {
		t.Fatal(err)
	}
	f := &pgFake{t: t, state: state, subs: map[chan []byte]struct{}{}, changed: make(chan struct{}), network: []any{}}
	mux := http.NewServeMux()
	mux.Handle("GET /", http.FileServerFS(os.DirFS(web)))
	mux.HandleFunc("GET /pg/state", func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		b, err := json.Marshal(f.state)
		f.mu.Unlock()
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(b)
	})
	mux.HandleFunc("GET /pg/events", f.serveEvents)
	mux.HandleFunc("GET /pg/network", func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		b, _ := json.Marshal(f.network)
		f.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.Write(b)
	})
	mux.HandleFunc("GET /pg/files/{id}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/png")
		w.Write(testPNG())
	})
	for _, p := range []string{"/pg/send", "/pg/action", "/pg/submit", "/pg/close", "/pg/shortcut"} {
		mux.HandleFunc("POST "+p, f.servePost)
	}
	f.srv = httptest.NewServer(mux)
	t.Cleanup(func() {
		f.mu.Lock()
		for c := range f.subs {
			close(c)
			delete(f.subs, c)
		}
		f.mu.Unlock()
		f.srv.CloseClientConnections()
		f.srv.Close()
	})
	return f
}

func (f *pgFake) serveEvents(w http.ResponseWriter, r *http.Request) {
	flusher, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, "no flusher", http.StatusInternalServerError)
		return
	}
	c := make(chan []byte, 64)
	f.mu.Lock()
	f.subs[c] = struct{}{}
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		if _, ok := f.subs[c]; ok {
			delete(f.subs, c)
		}
		f.mu.Unlock()
	}()
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	io.WriteString(w, ": bonjour\n\n")
	flusher.Flush()
	for {
		select {
		case <-r.Context().Done():
			return
		case b, ok := <-c:
			if !ok {
				return
			}
			fmt.Fprintf(w, "data: %s\n\n", b)
			flusher.Flush()
		}
	}
}

func (f *pgFake) servePost(w http.ResponseWriter, r *http.Request) {
	var body map[string]any
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	f.posts = append(f.posts, pgPost{Path: r.URL.Path, Body: body})
	close(f.changed)
	f.changed = make(chan struct{})
	submit := f.submitFn
	f.mu.Unlock()
	var reply any = map[string]any{"ok": true}
	if r.URL.Path == "/pg/submit" && submit != nil {
		reply = submit(body)
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(reply)
}

// emit sends one event to every open /pg/events stream; a message event
// also updates the state a later GET /pg/state returns.
func (f *pgFake) emit(ev map[string]any) {
	f.t.Helper()
	b, err := json.Marshal(ev)
	if err != nil {
		f.t.Fatal(err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.subs) == 0 {
		f.t.Fatalf("event %s: the page has no open /pg/events stream", b)
	}
	for c := range f.subs {
		select {
		case c <- b:
		default:
			f.t.Errorf("event %s: the page's stream is 64 events behind", b)
		}
	}
}

// postsTo returns what the page posted to path, in order.
func (f *pgFake) postsTo(path string) []map[string]any {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []map[string]any
	for _, p := range f.posts {
		if p.Path == path {
			out = append(out, p.Body)
		}
	}
	return out
}

func (f *pgFake) setNetwork(posts []any) {
	f.mu.Lock()
	f.network = posts
	f.mu.Unlock()
}

func (f *pgFake) setSubmit(fn func(map[string]any) any) {
	f.mu.Lock()
	f.submitFn = fn
	f.mu.Unlock()
}

// testPNG is a small picture standing in for the digest chart.
func testPNG() []byte {
	img := image.NewRGBA(image.Rect(0, 0, 160, 90))
	for y := range 90 {
		for x := range 160 {
			c := color.RGBA{R: 0x3f, G: 0x0e, B: 0x40, A: 0xff}
			if y > 90-x/2 {
				c = color.RGBA{R: 0x2b, G: 0xac, B: 0x76, A: 0xff}
			}
			img.Set(x, y, c)
		}
	}
	var buf bytes.Buffer
	png.Encode(&buf, img) //nolint:errcheck // an in-memory image always encodes
	return buf.Bytes()
}
