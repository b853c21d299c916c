package x

import (
	"context"
	"errors"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"golang.org/x/text/unicode/norm"

	"catweete/social"
)

// recentPosts is how many of the account's latest posts Publish reads when X
// refuses a text as a duplicate: the one X means is almost always among the
// last few, and a bigger page costs more of a small read quota.
const recentPosts = 20

// post is the part of X's Post object that catweete reads
// (https://docs.x.com/x-api/fundamentals/data-dictionary).
type post struct {
	ID       string `json:"id"`
	Text     string `json:"text"`
	Entities *struct {
		URLs []struct {
			// URL is the t.co link that stands in the text.
			URL string `json:"url"`
			// ExpandedURL is the link as it was written.
			ExpandedURL string `json:"expanded_url"`
		} `json:"urls"`
	} `json:"entities"`
	PublicMetrics    *publicMetrics    `json:"public_metrics"`
	NonPublicMetrics *nonPublicMetrics `json:"non_public_metrics"`
}

// Publish posts p.Text (POST /2/tweets,
// https://docs.x.com/x-api/posts/creation-of-a-post) and returns the new
// post's id and link, https://x.com/<username>/status/<id>. The username
// comes from GET /2/users/me, asked once and cached; if that fails the link
// is https://x.com/i/web/status/<id>, which X redirects to the same post.
//
// p.IdempotencyKey is not sent: X has none (see Idempotent).
//
// Failures are *social.Error:
//   - no answer (timeout, connection lost, canceled): Transient, Status 0:
//     the post may exist, so the dispatcher asks a person rather than resend;
//   - 429: Transient, RetryAfter from X's reset headers (see rateLimitWait);
//   - 5xx: Transient, with the HTTP status;
//   - 403 "duplicate content": Duplicate, see below;
//   - 400, 401, 403, 404, 422 and other answers: Permanent, with X's words.
//
// On a duplicate, X does not say which post holds the text, so Publish
// reads the account's latest posts (GET /2/users/:id/tweets) for one with
// the same text and names it in Error.Existing; the dispatcher then records
// the delivery as published. If none matches, or the search fails,
// Existing stays empty and the dispatcher fails the delivery with X's
// message ("You are not allowed to create a Tweet with duplicate
// content."), for a person to settle; the wrapped error (for the log) says
// why the post was not found.
func (c *Client) Publish(ctx context.Context, p social.Post) (social.Published, error) {
	in := struct {
		Text string `json:"text"`
	}{Text: p.Text}
	var out struct {
		Data struct {
			ID string `json:"id"`
		} `json:"data"`
		Errors []errorItem `json:"errors"`
	}
	status, err := c.call(ctx, http.MethodPost, "/2/tweets", in, &out)
	var se *social.Error
	switch {
	case errors.As(err, &se) && se.Class == social.Duplicate:
		existing, why := c.findExisting(ctx, p.Text)
		if existing.ID == "" {
			return social.Published{}, fmt.Errorf("publish: %w (%s)", err, why)
		}
		se.Existing = existing
		return social.Published{}, fmt.Errorf("publish: %w", err)
	case err != nil:
		return social.Published{}, fmt.Errorf("publish: %w", err)
	case out.Data.ID == "":
		// X said yes without naming the post: it probably exists. This is
		// Transient with the HTTP status, so the dispatcher tries again,
		// and X's duplicate rule turns the second try into a Duplicate
		// that names the post instead of publishing it twice.
		msg := problem{Errors: out.Errors}.words()
		if msg == "" {
			msg = "the answer names no post"
		}
		return social.Published{}, fmt.Errorf("publish: %w", &social.Error{
			Network: social.NetworkX,
			Class:   social.Transient,
			Status:  status,
			Message: c.clean(msg),
		})
	}
	return social.Published{ID: out.Data.ID, URL: c.postURL(ctx, out.Data.ID)}, nil
}

// postURL returns the public link to post id, with the account's username
// when it is known or can be learnt.
func (c *Client) postURL(ctx context.Context, id string) string {
	acc, err := c.account(ctx)
	if err != nil {
		return webURL + "/i/web/status/" + url.PathEscape(id)
	}
	return statusURL(acc.Username, id)
}

// statusURL is the link to a post of username.
func statusURL(username, id string) string {
	return webURL + "/" + url.PathEscape(username) + "/status/" + url.PathEscape(id)
}

// findExisting looks among the account's latest posts for one whose text is
// text, and returns it; otherwise it returns an empty Published and why.
func (c *Client) findExisting(ctx context.Context, text string) (social.Published, string) {
	acc, err := c.account(ctx)
	if err != nil {
		return social.Published{}, fmt.Sprintf("the account could not be read to find the existing post: %v", err)
	}
	var out struct {
		Data []post `json:"data"`
	}
	path := "/2/users/" + url.PathEscape(acc.ID) + "/tweets?max_results=" + strconv.Itoa(recentPosts) + "&tweet.fields=entities"
	if _, err := c.call(ctx, http.MethodGet, path, nil, &out); err != nil {
		return social.Published{}, fmt.Sprintf("the latest posts could not be read to find the existing one: %v", err)
	}
	want := comparable(text)
	for _, p := range out.Data { // newest first
		if p.ID != "" && comparable(p.writtenText()) == want {
			return social.Published{ID: p.ID, URL: statusURL(acc.Username, p.ID)}, ""
		}
	}
	return social.Published{}, fmt.Sprintf("no post with the same text among the account's %d latest", len(out.Data))
}

// writtenText returns the post's text as it was written, as far as X lets
// us know it: X answers with &, < and > as HTML entities, and with every
// link replaced by its t.co short link, whose entity gives the link back.
func (p post) writtenText() string {
	s := html.UnescapeString(p.Text)
	if p.Entities != nil {
		for _, u := range p.Entities.URLs {
			if u.URL != "" && u.ExpandedURL != "" {
				s = strings.Replace(s, u.URL, u.ExpandedURL, 1)
			}
		}
	}
	return s
}

// comparable puts a text in the form in which two texts X considers the
// same compare equal: NFC (X stores NFC), line ends as \n, no surrounding
// space, and every link without its scheme and with a lower-case host,
// since X gives back a link typed as example.com as http://example.com.
// Links are otherwise compared exactly: two posts that differ only by a
// link are different posts, and taking one for the other would record the
// wrong post as published.
func comparable(s string) string {
	s = norm.NFC.String(strings.ReplaceAll(s, "\r\n", "\n"))
	s = strings.TrimSpace(s)
	var b strings.Builder
	last := 0
	for _, u := range extractURLs(s) {
		b.WriteString(s[last:u.start])
		b.WriteString(canonicalURL(s[u.start:u.end]))
		last = u.end
	}
	b.WriteString(s[last:])
	return b.String()
}

// canonicalURL drops a link's http or https scheme and lower-cases its host.
func canonicalURL(u string) string {
	for _, scheme := range []string{"https://", "http://"} {
		if len(u) >= len(scheme) && strings.EqualFold(u[:len(scheme)], scheme) {
			u = u[len(scheme):]
			break
		}
	}
	host, rest := u, ""
	if i := strings.IndexAny(u, "/?#"); i >= 0 {
		host, rest = u[:i], u[i:]
	}
	if rest == "/" {
		rest = ""
	}
	return strings.ToLower(host) + rest
}
