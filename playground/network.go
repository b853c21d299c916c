package playground

import (
	"net/http"
	"strings"
	"time"

	"catweete/social"
	"catweete/social/sandbox"
)

// networkPost is a sandbox post as the network tab shows it (API.md).
type networkPost struct {
	ID          string          `json:"id"`
	URL         string          `json:"url"`
	Text        string          `json:"text"`
	PublishedAt string          `json:"published_at"`
	Metrics     *networkMetrics `json:"metrics"`
}

// networkMetrics are a post's figures now; null where the network gives
// none (never for the sandbox, which gives them all).
type networkMetrics struct {
	Impressions *int64 `json:"impressions"`
	Reach       *int64 `json:"reach"`
	Likes       *int64 `json:"likes"`
	Reposts     *int64 `json:"reposts"`
	Replies     *int64 `json:"replies"`
	Clicks      *int64 `json:"clicks"`
}

func count(c social.Count) *int64 {
	if !c.Known {
		return nil
	}
	v := c.Value
	return &v
}

// describe returns a post with its figures as the sandbox counts them now:
// they grow over the post's first day.
func (p *Playground) describe(r *http.Request, post sandbox.Post) networkPost {
	out := networkPost{ID: post.ID, URL: post.URL, Text: post.Text, PublishedAt: post.PublishedAt.UTC().Format(time.RFC3339)}
	m, err := p.sandbox.Metrics(r.Context(), post.ID)
	if err != nil {
		p.log.Warn("playground: sandbox figures", "post", post.ID, "err", err)
		return out
	}
	out.Metrics = &networkMetrics{
		Impressions: count(m.Impressions), Reach: count(m.Reach), Likes: count(m.Likes),
		Reposts: count(m.Reposts), Replies: count(m.Replies), Clicks: count(m.Clicks),
	}
	return out
}

// serveNetwork is GET /pg/network: the sandbox network's posts, oldest
// first, with their figures now.
func (p *Playground) serveNetwork(w http.ResponseWriter, r *http.Request) {
	posts := []networkPost{}
	if p.sandbox != nil {
		for _, post := range p.sandbox.Posts() {
			posts = append(posts, p.describe(r, post))
		}
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, posts)
}

// serveNetworkPost is GET /pg/network/posts/{id}, where the sandbox's links
// lead: the page's network tab for a browser, the post as JSON otherwise.
func (p *Playground) serveNetworkPost(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if p.sandbox != nil {
		for _, post := range p.sandbox.Posts() {
			if post.ID != id {
				continue
			}
			if strings.Contains(r.Header.Get("Accept"), "text/html") {
				http.Redirect(w, r, "/#network/"+id, http.StatusSeeOther)
				return
			}
			writeJSON(w, http.StatusOK, p.describe(r, post))
			return
		}
	}
	http.NotFound(w, r)
}
