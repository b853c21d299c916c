package bluesky

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"catweete/social"
)

// postURI is the AT URI Metrics is asked about.
const postURI = "at://" + testDID + "/app.bsky.feed.post/" + testKey

// postsJSON is a getPosts answer holding one postView with the given counts
// (a JSON fragment such as `"likeCount":3,`).
func postsJSON(counts string) string {
	return fmt.Sprintf(`{"posts":[{"uri":%q,"cid":"bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm",`+
		`"author":{"did":%q,"handle":%q,"displayName":"La Marque","labels":[],"createdAt":"2023-04-12T10:00:00.000Z"},`+
		`"record":{"$type":"app.bsky.feed.post","text":"Ça tweete ! 🎉","createdAt":"2024-06-03T09:30:00.123Z"},`+
		`%s"indexedAt":"2024-06-03T09:30:01.456Z","viewer":{"threadMuted":false,"embeddingDisabled":false},"labels":[]}]}`,
		postURI, testDID, testHandle, counts)
}

func TestMetrics(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		counts string
		want   social.Metrics
	}{
		{
			name:   "EveryCount",
			counts: `"replyCount":4,"repostCount":12,"likeCount":87,"quoteCount":2,"bookmarkCount":5,`,
			want: social.Metrics{
				Likes: social.Known(87), Reposts: social.Known(12), Replies: social.Known(4),
				Quotes: social.Known(2), Saves: social.Known(5),
			},
		},
		{
			name:   "ZeroIsKnown",
			counts: `"replyCount":0,"repostCount":0,"likeCount":0,"quoteCount":0,`,
			want: social.Metrics{
				Likes: social.Known(0), Reposts: social.Known(0), Replies: social.Known(0), Quotes: social.Known(0),
			},
		},
		{
			name:   "AbsentCountsAreUnknown",
			counts: `"likeCount":1,`,
			want:   social.Metrics{Likes: social.Known(1)},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, srv := setup(t, map[string]handler{"app.bsky.feed.getPosts": fixed(200, postsJSON(tt.counts))})

			got, err := c.Metrics(context.Background(), postURI)
			if err != nil {
				t.Fatalf("Metrics: %v", err)
			}
			if got != tt.want {
				t.Errorf("Metrics =\n %+v\nwant\n %+v", got, tt.want)
			}
			// Bluesky gives no impressions, reach or clicks: never invented.
			if got.Impressions.Known || got.Reach.Known || got.Clicks.Known {
				t.Errorf("Metrics = %+v: impressions, reach and clicks must stay unknown", got)
			}
			reqs := srv.seen()
			if len(reqs) != 1 {
				t.Fatalf("requests = %v, want getPosts alone (no login)", srv.calls())
			}
			q, _ := url.ParseQuery(reqs[0].Query)
			if reqs[0].Method != "GET" || reqs[0].NSID != "app.bsky.feed.getPosts" || q.Get("uris") != postURI || reqs[0].Authorization != "" {
				t.Errorf("request = %+v", reqs[0])
			}
		})
	}
}

func TestMetricsOfAnUnknownPost(t *testing.T) {
	t.Parallel()
	// getPosts leaves out the posts it cannot show, deleted ones included.
	c, _ := setup(t, map[string]handler{"app.bsky.feed.getPosts": fixed(200, `{"posts":[]}`)})
	_, err := c.Metrics(context.Background(), postURI)
	checkError(t, err, social.Permanent, 200, 0)
	if !errors.Is(err, ErrNotFound) {
		t.Errorf("err = %v, want it to wrap ErrNotFound", err)
	}
}

func TestMetricsFailures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		handler    handler
		class      social.Class
		status     int
		retryAfter time.Duration
	}{
		{"RateLimited", fixed(429, `{"error":"RateLimitExceeded","message":"Rate Limit Exceeded"}`, "Ratelimit-Reset", fmt.Sprint(testNow.Unix()+60)),
			social.Transient, 429, time.Unix(testNow.Unix()+60, 0).Sub(testNow)},
		{"ServerError", fixed(500, `{"error":"InternalServerError","message":"Internal Server Error"}`), social.Transient, 500, 0},
		{"InvalidRequest", fixed(400, `{"error":"InvalidRequest","message":"Error: uris/0 must be a valid at-uri"}`), social.Permanent, 400, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, _ := setup(t, map[string]handler{"app.bsky.feed.getPosts": tt.handler})
			_, err := c.Metrics(context.Background(), postURI)
			checkError(t, err, tt.class, tt.status, tt.retryAfter)
		})
	}
}

func TestMetricsRefusesWhatIsNotAPostURI(t *testing.T) {
	t.Parallel()
	for _, id := range []string{
		"",
		"https://bsky.app/profile/brand.bsky.social/post/" + testKey,
		"at://" + testDID + "/app.bsky.feed.like/" + testKey,
		"at://" + testDID + "/app.bsky.feed.post/",
		"at://" + testDID + "/app.bsky.feed.post/" + testKey + "/x",
		"at:///app.bsky.feed.post/" + testKey,
		"at://" + testDID + "/app.bsky.feed.post/a b",
	} {
		t.Run(id, func(t *testing.T) {
			t.Parallel()
			c, srv := setup(t, nil)
			_, err := c.Metrics(context.Background(), id)
			checkError(t, err, social.Permanent, 0, 0)
			if n := len(srv.seen()); n != 0 {
				t.Errorf("server got %d requests, want 0", n)
			}
		})
	}
}

func TestReadsUseTheSessionWhenTheAppViewIsThePDS(t *testing.T) {
	t.Parallel()
	c, srv := setup(t, map[string]handler{
		"com.atproto.repo.createRecord": createRecord,
		"app.bsky.feed.getPosts":        fixed(200, postsJSON(`"likeCount":1,`)),
	})
	if _, err := c.Publish(context.Background(), post); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Metrics(context.Background(), postURI); err != nil {
		t.Fatal(err)
	}
	if auths := srv.authorizations("app.bsky.feed.getPosts"); auths[0] != "Bearer "+srv.token("access", 1) {
		t.Errorf("getPosts Authorization = %q, want the session's token", auths[0])
	}
}

func TestReadsRetryWithoutARefusedToken(t *testing.T) {
	t.Parallel()
	c, srv := setup(t, map[string]handler{
		"com.atproto.repo.createRecord": createRecord,
		"app.bsky.feed.getPosts": func(s *server, w http.ResponseWriter, r *http.Request, body map[string]any) {
			if r.Header.Get("Authorization") != "" {
				fixed(400, `{"error":"ExpiredToken","message":"Token has expired"}`)(s, w, r, body)
				return
			}
			fixed(200, postsJSON(`"likeCount":1,`))(s, w, r, body)
		},
	})
	if _, err := c.Publish(context.Background(), post); err != nil {
		t.Fatal(err)
	}
	got, err := c.Metrics(context.Background(), postURI)
	if err != nil || got.Likes != social.Known(1) {
		t.Fatalf("Metrics = %+v, %v", got, err)
	}
	auths := srv.authorizations("app.bsky.feed.getPosts")
	if len(auths) != 2 || auths[0] == "" || auths[1] != "" {
		t.Errorf("getPosts Authorization = %q, want the token, then none", auths)
	}
	if n := srv.count("com.atproto.server.refreshSession"); n != 0 {
		t.Errorf("refreshSession calls = %d: a read must not renew the session", n)
	}
}

func TestReadsSendNoTokenToAnotherAppView(t *testing.T) {
	t.Parallel()
	pds := newServer(t, map[string]handler{"com.atproto.repo.createRecord": createRecord})
	appView := newServer(t, map[string]handler{
		"app.bsky.feed.getPosts":    fixed(200, postsJSON(`"likeCount":1,`)),
		"app.bsky.actor.getProfile": fixed(200, `{"did":"`+testDID+`","handle":"`+testHandle+`","followersCount":1}`),
	})
	c, err := New(Config{PDSURL: pds.url, AppViewURL: appView.url, Handle: testHandle, AppPassword: testPassword})
	if err != nil {
		t.Fatal(err)
	}
	c.nowFunc = pds.clock.Now
	if _, err := c.Publish(context.Background(), post); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Metrics(context.Background(), postURI); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Profile(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, r := range appView.seen() {
		if r.Authorization != "" {
			t.Errorf("%s sent Authorization %q to the AppView", r.NSID, r.Authorization)
		}
	}
	if n := len(pds.seen()); n != 2 {
		t.Errorf("the PDS got %v, want the login and the post only", pds.calls())
	}
}

// profileJSON is a getProfile answer (app.bsky.actor.defs#profileViewDetailed).
func profileJSON(handle, followers string) string {
	return fmt.Sprintf(`{"did":%q,"handle":%q,"displayName":"La Marque","description":"Le compte de l'équipe",`+
		`"avatar":"https://cdn.bsky.app/img/avatar/plain/%s/bafkrei@jpeg",%s"followsCount":56,"postsCount":789,`+
		`"indexedAt":"2024-06-01T00:00:00.000Z","createdAt":"2023-04-12T10:00:00.000Z",`+
		`"viewer":{"muted":false,"blockedBy":false},"labels":[]}`, testDID, handle, testDID, followers)
}

func TestProfile(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		handle    string
		followers string
		want      social.Profile
	}{
		{"Followers", testHandle, `"followersCount":1234,`,
			social.Profile{Handle: testHandle, URL: "https://bsky.app/profile/brand.bsky.social", Followers: social.Known(1234)}},
		{"NoFollowerCount", testHandle, "",
			social.Profile{Handle: testHandle, URL: "https://bsky.app/profile/brand.bsky.social"}},
		{"InvalidHandleGivesTheDID", "handle.invalid", `"followersCount":3,`,
			social.Profile{Handle: testDID, URL: "https://bsky.app/profile/" + testDID, Followers: social.Known(3)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, srv := setup(t, map[string]handler{"app.bsky.actor.getProfile": fixed(200, profileJSON(tt.handle, tt.followers))})
			got, err := c.Profile(context.Background())
			if err != nil {
				t.Fatalf("Profile: %v", err)
			}
			if got != tt.want {
				t.Errorf("Profile = %+v, want %+v", got, tt.want)
			}
			r := srv.seen()[0]
			q, _ := url.ParseQuery(r.Query)
			if len(srv.seen()) != 1 || r.Method != "GET" || r.NSID != "app.bsky.actor.getProfile" || q.Get("actor") != testHandle || r.Authorization != "" {
				t.Errorf("requests = %+v, want one getProfile by handle, without a login", srv.seen())
			}
		})
	}
}

func TestProfileAsksByDIDOnceLoggedIn(t *testing.T) {
	t.Parallel()
	c, srv := setup(t, map[string]handler{
		"com.atproto.repo.createRecord": createRecord,
		"app.bsky.actor.getProfile":     fixed(200, profileJSON(testHandle, `"followersCount":7,`)),
	})
	if _, err := c.Publish(context.Background(), post); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Profile(context.Background()); err != nil {
		t.Fatal(err)
	}
	r := srv.seen()[2]
	q, _ := url.ParseQuery(r.Query)
	if q.Get("actor") != testDID || r.Authorization != "Bearer "+srv.token("access", 1) {
		t.Errorf("getProfile request = %+v, want by DID with the session", r)
	}
}

func TestProfileFailures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		handler handler
		class   social.Class
		status  int
		message string
	}{
		{"UnknownActor", fixed(400, `{"error":"InvalidRequest","message":"Profile not found"}`), social.Permanent, 400, "Profile not found"},
		{"EmptyAnswer", fixed(200, `{}`), social.Transient, 200, "the answer names no account"},
		{"NotJSON", fixed(200, `<html>hello</html>`), social.Transient, 200, "the answer is not the JSON the server documents"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, _ := setup(t, map[string]handler{"app.bsky.actor.getProfile": tt.handler})
			_, err := c.Profile(context.Background())
			se := checkError(t, err, tt.class, tt.status, 0)
			if se.Message != tt.message {
				t.Errorf("Message = %q, want %q", se.Message, tt.message)
			}
		})
	}
}
