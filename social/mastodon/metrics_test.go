package mastodon

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"catweete/social"
)

func TestMetrics(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		handler http.HandlerFunc
		want    social.Metrics
	}{
		{
			name:    "StatusCounts",
			handler: reply(200, strings.Replace(statusJSON("110", "https://mastodon.example/@catweete/110"), `"replies_count":0,"reblogs_count":0,"favourites_count":0`, `"replies_count":4,"reblogs_count":9,"favourites_count":31`, 1)),
			want:    social.Metrics{Likes: social.Known(31), Reposts: social.Known(9), Replies: social.Known(4)},
		},
		{
			name:    "QuotesWhereTheServerHasThem",
			handler: reply(200, `{"id":"110","replies_count":1,"reblogs_count":2,"favourites_count":3,"quotes_count":4}`),
			want:    social.Metrics{Likes: social.Known(3), Reposts: social.Known(2), Replies: social.Known(1), Quotes: social.Known(4)},
		},
		{
			name:    "ZeroIsKnown",
			handler: reply(200, statusJSON("110", "")),
			want:    social.Metrics{Likes: social.Known(0), Reposts: social.Known(0), Replies: social.Known(0)},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, srv := setup(t, tt.handler)
			got, err := c.Metrics(context.Background(), "110")
			if err != nil {
				t.Fatalf("Metrics: %v", err)
			}
			if got != tt.want {
				t.Errorf("Metrics = %+v, want %+v", got, tt.want)
			}
			if got.Impressions.Known || got.Reach.Known || got.Clicks.Known || got.Saves.Known {
				t.Errorf("Metrics = %+v invents figures Mastodon does not give", got)
			}
			r := srv.seen()[0]
			if r.Method != "GET" || r.Path != "/api/v1/statuses/110" || r.Authorization != "Bearer "+testToken {
				t.Errorf("request = %+v", r)
			}
		})
	}
}

func TestMetricsFailures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		remoteID string
		handler  http.HandlerFunc
		class    social.Class
		status   int
	}{
		{"DeletedStatus", "110", reply(404, `{"error":"Record not found"}`), social.Permanent, 404},
		{"RevokedToken", "110", reply(401, `{"error":"The access token was revoked"}`), social.Permanent, 401},
		{"ServerError", "110", reply(502, "<html>Bad Gateway</html>"), social.Transient, 502},
		{"EmptyID", "", func(w http.ResponseWriter, r *http.Request) { t.Error("the server was called") }, social.Permanent, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, _ := setup(t, tt.handler)
			got, err := c.Metrics(context.Background(), tt.remoteID)
			checkError(t, err, tt.class, tt.status, 0)
			if got != (social.Metrics{}) {
				t.Errorf("Metrics returned %+v with an error", got)
			}
		})
	}
}

func TestMetricsEscapesTheID(t *testing.T) {
	t.Parallel()
	var rawPath string
	c, _ := setup(t, func(w http.ResponseWriter, r *http.Request) {
		rawPath = r.URL.EscapedPath()
		reply(404, `{"error":"Record not found"}`)(w, r)
	})
	_, err := c.Metrics(context.Background(), "../accounts/1?x=")
	checkError(t, err, social.Permanent, 404, 0)
	if rawPath != "/api/v1/statuses/..%2Faccounts%2F1%3Fx=" {
		t.Errorf("path = %q, want the id as one escaped segment", rawPath)
	}
}

func TestProfile(t *testing.T) {
	t.Parallel()
	t.Run("HandleURLAndFollowers", func(t *testing.T) {
		t.Parallel()
		c, srv := setup(t, reply(200, `{"id":"109348","username":"catweete","acct":"catweete",`+
			`"display_name":"Ça tweete","url":"https://mastodon.example/@catweete","followers_count":1234,"following_count":56}`))
		got, err := c.Profile(context.Background())
		if err != nil {
			t.Fatalf("Profile: %v", err)
		}
		host := strings.TrimPrefix(c.base, "http://")
		want := social.Profile{Handle: "@catweete@" + host, URL: "https://mastodon.example/@catweete", Followers: social.Known(1234)}
		if got != want {
			t.Errorf("Profile = %+v, want %+v", got, want)
		}
		if r := srv.seen()[0]; r.Path != "/api/v1/accounts/verify_credentials" {
			t.Errorf("path = %q", r.Path)
		}
	})
	t.Run("InvalidTokenIsPermanent", func(t *testing.T) {
		t.Parallel()
		c, _ := setup(t, reply(401, `{"error":"The access token is invalid"}`))
		_, err := c.Profile(context.Background())
		checkError(t, err, social.Permanent, 401, 0)
	})
}

// The methods every network client offers catweete's workflows.
var _ interface {
	Network() string
	Idempotent() bool
	Publish(context.Context, social.Post) (social.Published, error)
	Length(text string) (count, limit int)
	Metrics(ctx context.Context, remoteID string) (social.Metrics, error)
	Profile(context.Context) (social.Profile, error)
} = (*Client)(nil)
