package x

import (
	"context"
	"net/http"
	"testing"
	"time"

	"catweete/social"
)

const postID = "1790000000000000001"

// metricsJSON is GET /2/tweets?ids=…&tweet.fields=public_metrics,non_public_metrics
// for a post of the token's account younger than 30 days.
const metricsJSON = `{"data":[{"edit_history_tweet_ids":["` + postID + `"],"id":"` + postID + `","text":"Bonjour",` +
	`"public_metrics":{"retweet_count":4,"reply_count":2,"like_count":31,"quote_count":1,"bookmark_count":3,"impression_count":1520},` +
	`"non_public_metrics":{"impression_count":1520,"url_link_clicks":17,"user_profile_clicks":5}}]}`

// fieldRefusedJSON is X's answer (HTTP 200, no data) when non-public metrics
// are asked of a post older than 30 days.
const fieldRefusedJSON = `{"errors":[` +
	`{"resource_type":"tweet","field":"non_public_metrics.impression_count","parameter":"ids","resource_id":"` + postID + `","title":"Field Authorization Error","section":"data",` +
	`"detail":"Sorry, you are not authorized to access 'non_public_metrics.impression_count' on the Tweet with ids : [` + postID + `].","value":"` + postID + `","type":"https://api.twitter.com/2/problems/not-authorized-for-field"},` +
	`{"resource_type":"tweet","field":"non_public_metrics.url_link_clicks","parameter":"ids","resource_id":"` + postID + `","title":"Field Authorization Error","section":"data",` +
	`"detail":"Sorry, you are not authorized to access 'non_public_metrics.url_link_clicks' on the Tweet with ids : [` + postID + `].","value":"` + postID + `","type":"https://api.twitter.com/2/problems/not-authorized-for-field"}]}`

// publicOnlyJSON is the same post asked with tweet.fields=public_metrics.
const publicOnlyJSON = `{"data":[{"edit_history_tweet_ids":["` + postID + `"],"id":"` + postID + `","text":"Bonjour",` +
	`"public_metrics":{"retweet_count":40,"reply_count":20,"like_count":310,"quote_count":10,"bookmark_count":30,"impression_count":15200}}]}`

// notFoundJSON is X's answer (HTTP 200) for a deleted post.
const notFoundJSON = `{"errors":[{"value":"` + postID + `","detail":"Could not find tweet with ids: [` + postID + `].","title":"Not Found Error",` +
	`"resource_type":"tweet","parameter":"ids","resource_id":"` + postID + `","type":"https://api.twitter.com/2/problems/resource-not-found"}]}`

func TestMetrics(t *testing.T) {
	t.Parallel()
	all := "ids=" + postID + "&tweet.fields=public_metrics,non_public_metrics"
	public := "ids=" + postID + "&tweet.fields=public_metrics"

	t.Run("RecentPostGivesEveryFigureButReach", func(t *testing.T) {
		t.Parallel()
		c, srv := setup(t, reply(200, metricsJSON))
		got, err := c.Metrics(context.Background(), postID)
		if err != nil {
			t.Fatalf("Metrics: %v", err)
		}
		want := social.Metrics{
			Impressions: social.Known(1520),
			Likes:       social.Known(31),
			Reposts:     social.Known(4),
			Replies:     social.Known(2),
			Quotes:      social.Known(1),
			Saves:       social.Known(3),
			Clicks:      social.Known(17),
		}
		if got != want {
			t.Errorf("Metrics =\n %+v\nwant\n %+v", got, want)
		}
		reqs := srv.seen()
		if len(reqs) != 1 || reqs[0].Method != "GET" || reqs[0].Path != "/2/tweets" || reqs[0].Query != all ||
			reqs[0].Authorization != "Bearer "+testToken {
			t.Errorf("requests = %+v", reqs)
		}
	})

	t.Run("OldPostIsAskedAgainForPublicMetrics", func(t *testing.T) {
		t.Parallel()
		c, srv := setup(t, func(w http.ResponseWriter, r *http.Request) {
			if r.URL.RawQuery == all {
				reply(200, fieldRefusedJSON)(w, r)
				return
			}
			reply(200, publicOnlyJSON)(w, r)
		})
		got, err := c.Metrics(context.Background(), postID)
		if err != nil {
			t.Fatalf("Metrics: %v", err)
		}
		want := social.Metrics{
			Impressions: social.Known(15200),
			Likes:       social.Known(310),
			Reposts:     social.Known(40),
			Replies:     social.Known(20),
			Quotes:      social.Known(10),
			Saves:       social.Known(30),
		}
		if got != want {
			t.Errorf("Metrics =\n %+v\nwant\n %+v", got, want)
		}
		var queries []string
		for _, r := range srv.seen() {
			queries = append(queries, r.Query)
		}
		if len(queries) != 2 || queries[0] != all || queries[1] != public {
			t.Errorf("queries = %q, want %q then %q", queries, all, public)
		}
	})

	t.Run("MissingFiguresStayUnknown", func(t *testing.T) {
		t.Parallel()
		c, _ := setup(t, reply(200, `{"data":[{"id":"`+postID+`","text":"Bonjour","public_metrics":{"like_count":0,"retweet_count":2},`+
			`"non_public_metrics":{"impression_count":80}}]}`))
		got, err := c.Metrics(context.Background(), postID)
		if err != nil {
			t.Fatalf("Metrics: %v", err)
		}
		want := social.Metrics{Impressions: social.Known(80), Likes: social.Known(0), Reposts: social.Known(2)}
		if got != want {
			t.Errorf("Metrics =\n %+v\nwant\n %+v", got, want)
		}
	})

	t.Run("DeletedPostIsPermanent", func(t *testing.T) {
		t.Parallel()
		c, srv := setup(t, reply(200, notFoundJSON))
		_, err := c.Metrics(context.Background(), postID)
		se := checkError(t, err, social.Permanent, 200, 0)
		if se.Message != "Could not find tweet with ids: ["+postID+"]." {
			t.Errorf("Message = %q", se.Message)
		}
		if n := len(srv.seen()); n != 1 {
			t.Errorf("server got %d requests, want 1", n)
		}
	})

	t.Run("RateLimitedIsTransient", func(t *testing.T) {
		t.Parallel()
		c, _ := setup(t, reply(429, tooManyJSON, "x-rate-limit-remaining", "0", "x-rate-limit-reset", epoch(10*time.Minute)))
		_, err := c.Metrics(context.Background(), postID)
		checkError(t, err, social.Transient, 429, 10*time.Minute)
	})

	t.Run("InvalidTokenIsPermanent", func(t *testing.T) {
		t.Parallel()
		c, _ := setup(t, reply(401, unauthorizedJSON))
		_, err := c.Metrics(context.Background(), postID)
		checkError(t, err, social.Permanent, 401, 0)
	})

	for _, id := range []string{"", "abc", "1790&ids=1"} {
		t.Run("MalformedIDIsRefusedWithoutARequest/"+id, func(t *testing.T) {
			t.Parallel()
			c, srv := setup(t, func(w http.ResponseWriter, r *http.Request) { t.Error("the server was called") })
			_, err := c.Metrics(context.Background(), id)
			checkError(t, err, social.Permanent, 0, 0)
			if n := len(srv.seen()); n != 0 {
				t.Errorf("server got %d requests", n)
			}
		})
	}
}

func TestProfile(t *testing.T) {
	t.Parallel()
	t.Run("ValidTokenGivesHandleLinkAndFollowers", func(t *testing.T) {
		t.Parallel()
		c, srv := setup(t, reply(200, meJSON))
		got, err := c.Profile(context.Background())
		if err != nil {
			t.Fatalf("Profile: %v", err)
		}
		want := social.Profile{Handle: "@catweete", URL: "https://x.com/catweete", Followers: social.Known(1234)}
		if got != want {
			t.Errorf("Profile = %+v, want %+v", got, want)
		}
		r := srv.seen()[0]
		if r.Method != "GET" || r.Path != "/2/users/me" || r.Query != "user.fields=public_metrics" || r.Authorization != "Bearer "+testToken {
			t.Errorf("request = %+v", r)
		}
		// The username is cached for post links.
		c.mu.Lock()
		me := c.me
		c.mu.Unlock()
		if me != (account{ID: meID, Username: "catweete"}) {
			t.Errorf("cached account = %+v", me)
		}
	})
	t.Run("MissingFollowersStayUnknown", func(t *testing.T) {
		t.Parallel()
		c, _ := setup(t, reply(200, `{"data":{"id":"`+meID+`","name":"Ça tweete","username":"catweete"}}`))
		got, err := c.Profile(context.Background())
		if err != nil {
			t.Fatalf("Profile: %v", err)
		}
		if got.Followers.Known {
			t.Errorf("Followers = %+v, want unknown", got.Followers)
		}
	})
	t.Run("InvalidTokenIsPermanent", func(t *testing.T) {
		t.Parallel()
		c, _ := setup(t, reply(401, unauthorizedJSON))
		_, err := c.Profile(context.Background())
		checkError(t, err, social.Permanent, 401, 0)
	})
}
