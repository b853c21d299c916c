package playground

import (
	"embed"
	"io/fs"
	"net/http"
	"path"
	"strings"
)

// webFiles is the page: HTML, script and style, built into the binary so
// that the playground works offline (no CDN).
//
//go:embed web
var webFiles embed.FS

// pageFiles is webFiles without its web/ prefix.
var pageFiles = mustSub(webFiles, "web")

func mustSub(fsys fs.FS, dir string) fs.FS {
	sub, err := fs.Sub(fsys, dir)
	if err != nil {
		panic(err) // a constant, existing directory
	}
	return sub
}

// pagePolicy keeps the page to this server: no script, style or image from
// anywhere else, so that a CDN slipping in fails here rather than offline.
const pagePolicy = "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; " +
	"img-src 'self' data: blob:; connect-src 'self'; font-src 'self' data:; frame-ancestors 'none'; base-uri 'self'"

// servePage serves the page at / and its assets beside it; anything else
// is 404, whatever the method, so that the bot's /slack/* routes (which it
// registers itself, once it is ready) are never mistaken for a page.
func (p *Playground) servePage(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		http.NotFound(w, r)
		return
	}
	name := strings.TrimPrefix(path.Clean(r.URL.Path), "/")
	if name == "" {
		name = "index.html"
	}
	if strings.Contains(name, "/") || name == "." {
		http.NotFound(w, r)
		return
	}
	if _, err := fs.Stat(pageFiles, name); err != nil {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Security-Policy", pagePolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-cache")
	http.ServeFileFS(w, r, pageFiles, name)
}
