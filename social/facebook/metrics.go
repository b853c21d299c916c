package facebook

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"

	"catweete/social"
)

// Post insights metrics Metrics asks for. Meta renames and withdraws Page
// insights metrics (https://developers.facebook.com/docs/platforminsights/page/deprecated-metrics):
// on 15 November 2025 post_impressions gave way to post_media_view ("views"),
// and by June 2025 post_impressions_unique to post_total_media_view_unique.
const (
	// metricViews stands for impressions: the times the post was on screen.
	metricViews = "post_media_view"
	// metricViewers stands for reach: the accounts that saw the post.
	metricViewers = "post_total_media_view_unique"
	// metricClicks counts clicks anywhere in the post.
	metricClicks = "post_clicks"
)

// insightMetrics is the metric list, in the order it is asked for.
var insightMetrics = []string{metricViews, metricViewers, metricClicks}

// postFields is the part of a Page post Metrics reads.
type postFields struct {
	ID     string `json:"id"`
	Shares *struct {
		Count int64 `json:"count"`
	} `json:"shares"`
	Reactions *struct {
		Summary *struct {
			TotalCount *int64 `json:"total_count"`
		} `json:"summary"`
	} `json:"reactions"`
	Comments *struct {
		Summary *struct {
			TotalCount *int64 `json:"total_count"`
		} `json:"summary"`
	} `json:"comments"`
}

// insightsAnswer is a GET /{post-id}/insights answer.
type insightsAnswer struct {
	Data []struct {
		Name   string `json:"name"`
		Values []struct {
			Value json.RawMessage `json:"value"`
		} `json:"values"`
	} `json:"data"`
}

// Metrics returns what Meta says of the Page post remoteID (its
// "<page-id>_<post-id>", as Publish returned it), in two requests:
//
//   - GET /{post-id}?fields=shares,reactions.summary(total_count).limit(0),comments.summary(total_count).limit(0):
//     reactions of every kind (Likes), top-level comments (Replies) and
//     shares (Reposts; Meta leaves "shares" out of a post nobody shared,
//     which counts as 0);
//   - GET /{post-id}/insights?metric=post_media_view,post_total_media_view_unique,post_clicks:
//     views (Impressions, since Meta replaced impressions with views),
//     unique viewers (Reach) and Clicks.
//
// Meta refuses the whole insights request when one metric is no longer
// valid (error #100): each metric is then asked alone, and those Meta still
// refuses stay unknown instead of failing the call. Insights Meta does not
// give (a Page too small, a post too recent) stay unknown too. Any other
// failure is a *social.Error, classified as Publish's are.
func (c *Client) Metrics(ctx context.Context, remoteID string) (social.Metrics, error) {
	if !postIDRE.MatchString(remoteID) {
		return social.Metrics{}, fmt.Errorf("metrics: %w", c.refuse("the post id is not a Facebook Page post id (<page-id>_<post-id>)"))
	}
	var p postFields
	fields := url.Values{"fields": {"shares,reactions.summary(total_count).limit(0),comments.summary(total_count).limit(0)"}}
	if _, err := c.get(ctx, "/"+remoteID, fields, &p); err != nil {
		return social.Metrics{}, fmt.Errorf("metrics: %w", err)
	}
	m := social.Metrics{Reposts: social.Known(0)}
	if p.Shares != nil {
		m.Reposts = social.Known(p.Shares.Count)
	}
	if p.Reactions != nil && p.Reactions.Summary != nil && p.Reactions.Summary.TotalCount != nil {
		m.Likes = social.Known(*p.Reactions.Summary.TotalCount)
	}
	if p.Comments != nil && p.Comments.Summary != nil && p.Comments.Summary.TotalCount != nil {
		m.Replies = social.Known(*p.Comments.Summary.TotalCount)
	}

	values, err := c.insights(ctx, remoteID)
	if err != nil {
		return social.Metrics{}, fmt.Errorf("metrics: %w", err)
	}
	m.Impressions = values[metricViews]
	m.Reach = values[metricViewers]
	m.Clicks = values[metricClicks]
	return m, nil
}

// insights reads the post's insight metrics. A metric Meta calls invalid
// (#100) or does not return is missing from the map.
func (c *Client) insights(ctx context.Context, postID string) (map[string]social.Count, error) {
	values := make(map[string]social.Count, len(insightMetrics))
	code, err := c.readInsights(ctx, postID, insightMetrics, values)
	if err == nil {
		return values, nil
	}
	if code != codeInvalidParameter {
		return nil, err
	}
	// One withdrawn metric spoils the lot: find out which, one by one.
	for _, metric := range insightMetrics {
		code, err := c.readInsights(ctx, postID, []string{metric}, values)
		if err != nil && code != codeInvalidParameter {
			return nil, err
		}
	}
	return values, nil
}

// readInsights asks for metrics and adds the figures Meta gives to values.
// It returns the Graph error code of a failure.
func (c *Client) readInsights(ctx context.Context, postID string, metrics []string, values map[string]social.Count) (int, error) {
	var a insightsAnswer
	code, err := c.get(ctx, "/"+postID+"/insights", url.Values{"metric": {strings.Join(metrics, ",")}}, &a)
	if err != nil {
		return code, err
	}
	for _, d := range a.Data {
		if len(d.Values) == 0 {
			continue
		}
		// Lifetime post metrics have one value; should Meta send a series,
		// the last is the latest.
		var v float64
		if json.Unmarshal(d.Values[len(d.Values)-1].Value, &v) == nil && v >= 0 {
			values[d.Name] = social.Known(int64(v))
		}
	}
	return 0, nil
}

// Profile returns the Page as Facebook shows it, and checks the token
// (GET /{page-id}?fields=name,link,followers_count,fan_count). Followers are
// followers_count, what Pages show since the New Pages Experience; fan_count
// (likes) stands in on a Page that has no such field.
func (c *Client) Profile(ctx context.Context) (social.Profile, error) {
	var page struct {
		Name           string `json:"name"`
		Link           string `json:"link"`
		FollowersCount *int64 `json:"followers_count"`
		FanCount       *int64 `json:"fan_count"`
	}
	if _, err := c.get(ctx, "/"+c.page, url.Values{"fields": {"name,link,followers_count,fan_count"}}, &page); err != nil {
		return social.Profile{}, fmt.Errorf("profile: %w", err)
	}
	p := social.Profile{Handle: strings.TrimSpace(page.Name), URL: strings.TrimSpace(page.Link)}
	if p.Handle == "" {
		p.Handle = c.page
	}
	if p.URL == "" {
		p.URL = "https://www.facebook.com/" + c.page
	}
	switch {
	case page.FollowersCount != nil:
		p.Followers = social.Known(*page.FollowersCount)
	case page.FanCount != nil:
		p.Followers = social.Known(*page.FanCount)
	}
	return p, nil
}
