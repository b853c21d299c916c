package facebook

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"catweete/social"
	"catweete/social/socialtest"
)

// testToken is distinctive so that a leak into an error is easy to spot.
const testToken = "EAAfb-page-tok-77c1-SECRET"

const testPage = "104857600123"

// testNow is the clock the clients under test read.
func testNow() time.Time { return time.Date(2024, 6, 3, 9, 30, 0, 0, time.UTC) }

// request is what the test server saw.
type request struct {
	Method, Path  string
	Query         url.Values
	Form          url.Values // the POST body
	Authorization string
	ContentType   string
}

type server struct {
	mu       sync.Mutex
	requests []request
}

func (s *server) seen() []request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]request(nil), s.requests...)
}

// setup starts a server that records every request and answers with h, and a
// client pointed at it (with a trailing slash, which must be tolerated).
func setup(t *testing.T, h http.HandlerFunc) (*Client, *server) {
	t.Helper()
	s := &server{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req := request{
			Method:        r.Method,
			Path:          r.URL.Path,
			Query:         r.URL.Query(),
			Authorization: r.Header.Get("Authorization"),
			ContentType:   r.Header.Get("Content-Type"),
		}
		if strings.Contains(r.URL.String(), testToken) {
			t.Errorf("the token is in the URL %s", r.URL)
		}
		if r.Method == http.MethodPost {
			b, _ := io.ReadAll(r.Body)
			req.Form, _ = url.ParseQuery(string(b))
		}
		s.mu.Lock()
		s.requests = append(s.requests, req)
		s.mu.Unlock()
		h(w, r)
	}))
	t.Cleanup(srv.Close)
	c, err := New(Config{GraphURL: srv.URL + "/", Version: "v26.0", PageID: testPage, PageToken: testToken})
	if err != nil {
		t.Fatal(err)
	}
	c.nowFunc = testNow
	return c, s
}

// reply writes an answer with the given status and headers.
func reply(code int, body string, headers ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		for i := 0; i+1 < len(headers); i += 2 {
			w.Header().Set(headers[i], headers[i+1])
		}
		if strings.HasPrefix(body, "{") {
			w.Header().Set("Content-Type", "application/json; charset=UTF-8")
		} else {
			w.Header().Set("Content-Type", "text/html")
		}
		w.WriteHeader(code)
		io.WriteString(w, body)
	}
}

// graphError is an error body as the Graph API writes it.
func graphError(code, subcode int, message string) string {
	return fmt.Sprintf(`{"error":{"message":%q,"type":"OAuthException","code":%d,"error_subcode":%d,"fbtrace_id":"AxYz12Bc"}}`, message, code, subcode)
}

// checkError asserts that err is a classified *social.Error and that the token
// appears nowhere in it, and returns it.
func checkError(t *testing.T, err error, class social.Class, status int, retryAfter time.Duration) *social.Error {
	t.Helper()
	return socialtest.CheckError(t, err, social.NetworkFacebook, class, status, retryAfter, testToken)
}

func TestPublish(t *testing.T) {
	t.Parallel()
	const buc = `{"` + testPage + `":[{"type":"pages","call_count":100,"total_cputime":12,"total_time":15,"estimated_time_to_regain_access":19}]}`
	tests := []struct {
		name       string
		handler    http.HandlerFunc
		want       social.Published
		class      social.Class // 0: success
		status     int
		retryAfter time.Duration
		message    string // "" skips the check
	}{
		{
			name:    "CreatedReturnsTheIDAndLink",
			handler: reply(200, `{"id":"104857600123_122110000000000001"}`),
			want:    social.Published{ID: "104857600123_122110000000000001", URL: "https://www.facebook.com/104857600123_122110000000000001"},
		},
		{
			name:    "AnswerWithoutIDIsTransient",
			handler: reply(200, `{"success":true}`),
			class:   social.Transient, status: 200,
			message: "the answer does not name the new post",
		},
		{
			name:    "AnswerNotJSONIsTransient",
			handler: reply(200, "<html>portal</html>"),
			class:   social.Transient, status: 200,
			message: "the answer is not the JSON the Graph API documents",
		},
		{
			name:    "DuplicateIsDuplicateWithoutExisting",
			handler: reply(400, graphError(506, 1455006, "(#506) Duplicate status message")),
			class:   social.Duplicate, status: 400,
			message: "(#506) Duplicate status message",
		},
		{
			name:    "ExpiredTokenIsPermanent",
			handler: reply(400, graphError(190, 463, "Error validating access token: Session has expired on Monday, 03-Jun-24 08:00:00 PDT.")),
			class:   social.Permanent, status: 400,
			message: "(#190) Error validating access token: Session has expired on Monday, 03-Jun-24 08:00:00 PDT.",
		},
		{
			name:    "MissingPermissionIsPermanent",
			handler: reply(403, graphError(200, 0, "(#200) If posting to a page, requires both pages_read_engagement and pages_manage_posts as an admin with sufficient administrative permission")),
			class:   social.Permanent, status: 403,
		},
		{
			name:    "PermissionDeniedIsPermanent",
			handler: reply(403, graphError(10, 0, "(#10) Application does not have permission for this action")),
			class:   social.Permanent, status: 403,
		},
		{
			name:    "PolicyBlockIsPermanent",
			handler: reply(400, graphError(368, 1390008, "It looks like you were misusing this feature by going too fast.")),
			class:   social.Permanent, status: 400,
			message: "(#368) It looks like you were misusing this feature by going too fast.",
		},
		{
			name:    "AppThrottlingOn400IsTransient",
			handler: reply(400, graphError(4, 0, "(#4) Application request limit reached")),
			class:   social.Transient, status: 400,
			message: "(#4) Application request limit reached",
		},
		{
			name:    "UserThrottlingOn403IsTransient",
			handler: reply(403, graphError(17, 0, "(#17) User request limit reached")),
			class:   social.Transient, status: 403,
		},
		{
			name:    "PageThrottlingIsTransient",
			handler: reply(400, graphError(32, 0, "(#32) Page request limit reached")),
			class:   social.Transient, status: 400,
		},
		{
			name:    "CustomThrottlingIsTransient",
			handler: reply(400, graphError(613, 0, "(#613) Calls to this api have exceeded the rate limit.")),
			class:   social.Transient, status: 400,
		},
		{
			name:    "AppLimitReachedIsTransient",
			handler: reply(400, graphError(341, 0, "(#341) Application limit reached")),
			class:   social.Transient, status: 400,
		},
		{
			name: "BusinessUseCaseThrottlingWaitsAsToldInMinutes",
			handler: reply(400, graphError(80001, 2446079, "(#80001) There have been too many calls to this Page account. Wait a bit and try again."),
				"X-Business-Use-Case-Usage", buc),
			class: social.Transient, status: 400, retryAfter: 19 * time.Minute,
		},
		{
			name: "BusinessUseCaseRangeIsThrottling",
			handler: reply(403, graphError(80014, 0, "(#80014) There have been too many calls for this ad account."),
				"X-Business-Use-Case-Usage", `{"1":[{"type":"x","estimated_time_to_regain_access":2},{"type":"y","estimated_time_to_regain_access":5}],"2":[]}`),
			class: social.Transient, status: 403, retryAfter: 5 * time.Minute,
		},
		{
			name: "RetryAfterHeaderWinsOverUsage",
			handler: reply(400, graphError(4, 0, "(#4) Application request limit reached"),
				"Retry-After", "30", "X-Business-Use-Case-Usage", buc),
			class: social.Transient, status: 400, retryAfter: 30 * time.Second,
		},
		{
			name: "AppUsageWithEstimateIsRead",
			handler: reply(400, graphError(4, 0, "(#4) Application request limit reached"),
				"X-App-Usage", `{"call_count":100,"total_cputime":20,"total_time":30,"estimated_time_to_regain_access":3}`),
			class: social.Transient, status: 400, retryAfter: 3 * time.Minute,
		},
		{
			name: "AppUsageWithoutEstimateMeansOwnBackoff",
			handler: reply(400, graphError(4, 0, "(#4) Application request limit reached"),
				"X-App-Usage", `{"call_count":100,"total_cputime":20,"total_time":30}`),
			class: social.Transient, status: 400,
		},
		{
			name:    "UnreadableUsageHeaderMeansOwnBackoff",
			handler: reply(400, graphError(32, 0, "(#32) Page request limit reached"), "X-Business-Use-Case-Usage", "not json"),
			class:   social.Transient, status: 400,
		},
		{
			name:    "HTTP429IsTransient",
			handler: reply(429, "<html>slow down</html>", "Retry-After", "Mon, 03 Jun 2024 09:32:00 GMT"),
			class:   social.Transient, status: 429, retryAfter: 2 * time.Minute,
			message: "Too Many Requests",
		},
		{
			name:    "UnknownErrorIsTransient",
			handler: reply(500, graphError(1, 99, "An unknown error occurred")),
			class:   social.Transient, status: 500,
			message: "(#1) An unknown error occurred",
		},
		{
			name:    "ServiceErrorOn400IsTransient",
			handler: reply(400, graphError(2, 0, "An unexpected error has occurred. Please retry your request later.")),
			class:   social.Transient, status: 400,
		},
		{
			name:    "ServerErrorIsTransient",
			handler: reply(503, "<html>down</html>"),
			class:   social.Transient, status: 503,
			message: "Service Unavailable",
		},
		{
			name:    "IsTransientFlagIsHonoured",
			handler: reply(400, `{"error":{"message":"(#9007) Media is not ready","code":9007,"is_transient":true}}`),
			class:   social.Transient, status: 400,
		},
		{
			name:    "InvalidParameterIsPermanent",
			handler: reply(400, graphError(100, 0, "(#100) Invalid parameter")),
			class:   social.Permanent, status: 400,
		},
		{
			name:    "EchoedTokenIsRedacted",
			handler: reply(400, graphError(190, 0, "Malformed access token "+testToken)),
			class:   social.Permanent, status: 400,
			message: "(#190) Malformed access token [redacted]",
		},
		{
			name:    "RedirectIsNotFollowed",
			handler: reply(302, "", "Location", "https://www.facebook.com/login"),
			class:   social.Permanent, status: 302,
			message: "the server redirects to https://www.facebook.com/login: check FACEBOOK_GRAPH_URL",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, srv := setup(t, tt.handler)
			post := social.Post{Text: "Ça tweete ! #Lyon (enfin) & co", IdempotencyKey: "3kz7x2abcde2a"}

			got, err := c.Publish(context.Background(), post)

			reqs := srv.seen()
			if len(reqs) != 1 {
				t.Fatalf("server got %d requests, want 1", len(reqs))
			}
			r := reqs[0]
			if r.Method != "POST" || r.Path != "/v26.0/"+testPage+"/feed" || r.ContentType != "application/x-www-form-urlencoded" {
				t.Errorf("request = %s %s (%s)", r.Method, r.Path, r.ContentType)
			}
			wantForm := url.Values{"message": {post.Text}, "access_token": {testToken}}
			if r.Form.Encode() != wantForm.Encode() || len(r.Query) != 0 {
				t.Errorf("form = %v, query = %v; want form %v", r.Form, r.Query, wantForm)
			}

			if tt.class == 0 {
				if err != nil {
					t.Fatalf("Publish: %v", err)
				}
				if got != tt.want {
					t.Errorf("Publish = %+v, want %+v", got, tt.want)
				}
				return
			}
			se := checkError(t, err, tt.class, tt.status, tt.retryAfter)
			if tt.message != "" && se.Message != tt.message {
				t.Errorf("Message = %q, want %q", se.Message, tt.message)
			}
			if se.Existing != (social.Published{}) {
				t.Errorf("Existing = %+v, want none: Meta does not name the duplicate", se.Existing)
			}
			// Only an invalid or expired token (#190, #102) marks the
			// account: a missing permission or a block is another story.
			if wantRejected := strings.Contains(tt.message, "(#190)") || strings.Contains(tt.message, "(#102)"); social.Rejected(err) != wantRejected {
				t.Errorf("Rejected = %v, want %v", social.Rejected(err), wantRejected)
			}
			if got != (social.Published{}) {
				t.Errorf("Publish returned %+v with an error", got)
			}
		})
	}
}

func TestPublishRefusesWithoutCallingTheNetwork(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		text    string
		message string
	}{
		{"EmptyText", "  ", "the text is empty"},
		{"TooLong", strings.Repeat("a", 63207), "the text is 63207 characters long, over Facebook's limit of 63206"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, srv := setup(t, func(w http.ResponseWriter, r *http.Request) { t.Error("the server was called") })
			_, err := c.Publish(context.Background(), social.Post{Text: tt.text})
			se := checkError(t, err, social.Permanent, 0, 0)
			if se.Message != tt.message {
				t.Errorf("Message = %q, want %q", se.Message, tt.message)
			}
			if n := len(srv.seen()); n != 0 {
				t.Errorf("server got %d requests, want 0", n)
			}
		})
	}
}

func TestPublishHangingServerIsTransient(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	c, _ := setup(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	})
	t.Cleanup(func() { close(release) })
	c.http = &http.Client{Timeout: 50 * time.Millisecond}

	_, err := c.Publish(context.Background(), social.Post{Text: "Bonjour"})
	se := checkError(t, err, social.Transient, 0, 0)
	if se.Message != "the server did not answer in time" {
		t.Errorf("Message = %q", se.Message)
	}
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Errorf("err = %v, want it to wrap the client's timeout", err)
	}
	if strings.Contains(err.Error(), "/feed") {
		t.Errorf("err = %v, want it without the request URL", err)
	}
}

func TestPublishCanceledContextIsTransient(t *testing.T) {
	t.Parallel()
	c, _ := setup(t, func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(20*time.Millisecond, cancel)
	_, err := c.Publish(ctx, social.Post{Text: "Bonjour"})
	checkError(t, err, social.Transient, 0, 0)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want it to wrap context.Canceled", err)
	}
}

func TestLength(t *testing.T) {
	t.Parallel()
	c, err := New(Config{PageID: testPage, PageToken: testToken})
	if err != nil {
		t.Fatal(err)
	}
	for text, want := range map[string]int{"": 0, "Café": 4, "🎉": 1, "https://example.com/a": 21} {
		if got, limit := c.Length(text); got != want || limit != 63206 {
			t.Errorf("Length(%q) = %d, %d; want %d, 63206", text, got, limit, want)
		}
	}
}

const testPost = testPage + "_122110000000000001"

// postAnswer is the fields answer for testPost.
const postAnswer = `{"shares":{"count":3},` +
	`"reactions":{"data":[],"summary":{"total_count":42,"viewer_reaction":"NONE"}},` +
	`"comments":{"data":[],"summary":{"order":"ranked","total_count":7,"can_comment":true}},` +
	`"id":"` + testPost + `"}`

// insight is one metric of an insights answer.
func insight(name string, value int) string {
	return fmt.Sprintf(`{"name":%q,"period":"lifetime","values":[{"value":%d}],"title":"Lifetime","description":"Lifetime: …","id":"%s/insights/%s/lifetime"}`,
		name, value, testPost, name)
}

// insightsHandler answers the insights edge as Meta would if the metrics in
// withdrawn no longer existed: any request naming one fails with #100.
func insightsHandler(values map[string]int, withdrawn ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		asked := strings.Split(r.URL.Query().Get("metric"), ",")
		for _, m := range asked {
			for _, gone := range withdrawn {
				if m == gone {
					reply(400, graphError(100, 0, "(#100) The value must be a valid insights metric"))(w, r)
					return
				}
			}
		}
		var data []string
		for _, m := range asked {
			if v, ok := values[m]; ok {
				data = append(data, insight(m, v))
			}
		}
		reply(200, `{"data":[`+strings.Join(data, ",")+`],"paging":{"previous":"x","next":"y"}}`)(w, r)
	}
}

// metricsRoutes answers the post's fields with fields and its insights with
// insights.
func metricsRoutes(t *testing.T, fields, insights http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/v26.0/" + testPost:
			fields(w, r)
		case "/v26.0/" + testPost + "/insights":
			insights(w, r)
		default:
			t.Errorf("unexpected request %s %s", r.Method, r.URL)
			reply(404, graphError(803, 0, "(#803) Some of the aliases you requested do not exist"))(w, r)
		}
	}
}

func TestMetrics(t *testing.T) {
	t.Parallel()
	all := map[string]int{"post_media_view": 2310, "post_total_media_view_unique": 1544, "post_clicks": 88}
	tests := []struct {
		name     string
		fields   http.HandlerFunc
		insights http.HandlerFunc
		want     social.Metrics
		metrics  []string // the metric parameter of each insights request
	}{
		{
			name:     "EverythingKnown",
			fields:   reply(200, postAnswer),
			insights: insightsHandler(all),
			want: social.Metrics{
				Impressions: social.Known(2310), Reach: social.Known(1544), Clicks: social.Known(88),
				Likes: social.Known(42), Replies: social.Known(7), Reposts: social.Known(3),
			},
			metrics: []string{"post_media_view,post_total_media_view_unique,post_clicks"},
		},
		{
			name:     "WithdrawnMetricStaysUnknown",
			fields:   reply(200, postAnswer),
			insights: insightsHandler(all, "post_clicks"),
			want: social.Metrics{
				Impressions: social.Known(2310), Reach: social.Known(1544),
				Likes: social.Known(42), Replies: social.Known(7), Reposts: social.Known(3),
			},
			metrics: []string{"post_media_view,post_total_media_view_unique,post_clicks", "post_media_view", "post_total_media_view_unique", "post_clicks"},
		},
		{
			name:     "AllMetricsWithdrawn",
			fields:   reply(200, postAnswer),
			insights: insightsHandler(all, "post_media_view", "post_total_media_view_unique", "post_clicks"),
			want:     social.Metrics{Likes: social.Known(42), Replies: social.Known(7), Reposts: social.Known(3)},
			metrics:  []string{"post_media_view,post_total_media_view_unique,post_clicks", "post_media_view", "post_total_media_view_unique", "post_clicks"},
		},
		{
			name:     "NoInsightsYetAndNobodyShared",
			fields:   reply(200, `{"reactions":{"data":[],"summary":{"total_count":0}},"comments":{"data":[],"summary":{"total_count":0}},"id":"`+testPost+`"}`),
			insights: reply(200, `{"data":[]}`),
			want:     social.Metrics{Likes: social.Known(0), Replies: social.Known(0), Reposts: social.Known(0)},
			metrics:  []string{"post_media_view,post_total_media_view_unique,post_clicks"},
		},
		{
			name:     "SummaryMissingStaysUnknown",
			fields:   reply(200, `{"id":"`+testPost+`","shares":{"count":1}}`),
			insights: insightsHandler(map[string]int{"post_clicks": 5}),
			want:     social.Metrics{Reposts: social.Known(1), Clicks: social.Known(5)},
			metrics:  []string{"post_media_view,post_total_media_view_unique,post_clicks"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, srv := setup(t, metricsRoutes(t, tt.fields, tt.insights))
			got, err := c.Metrics(context.Background(), testPost)
			if err != nil {
				t.Fatalf("Metrics: %v", err)
			}
			if got != tt.want {
				t.Errorf("Metrics =\n %+v\nwant\n %+v", got, tt.want)
			}
			reqs := srv.seen()
			if len(reqs) == 0 {
				t.Fatal("no request")
			}
			wantFields := "shares,reactions.summary(total_count).limit(0),comments.summary(total_count).limit(0)"
			if f := reqs[0]; f.Path != "/v26.0/"+testPost || f.Query.Get("fields") != wantFields {
				t.Errorf("first request = %s ?%v", f.Path, f.Query)
			}
			var metrics []string
			for _, r := range reqs {
				if r.Method != "GET" || r.Authorization != "Bearer "+testToken || r.Query.Has("access_token") {
					t.Errorf("request = %+v, want a GET with the token in the Authorization header only", r)
				}
				if r.Path == "/v26.0/"+testPost+"/insights" {
					metrics = append(metrics, r.Query.Get("metric"))
				}
			}
			if fmt.Sprint(metrics) != fmt.Sprint(tt.metrics) {
				t.Errorf("insights asked for %q, want %q", metrics, tt.metrics)
			}
		})
	}
}

func TestMetricsFailures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		remoteID   string
		handler    http.HandlerFunc // nil: no request expected
		class      social.Class
		status     int
		retryAfter time.Duration
	}{
		{"NotAPostID", "122110000000000001", nil, social.Permanent, 0, 0},
		{"PathInjection", testPage + "_1/../../me", nil, social.Permanent, 0, 0},
		{"PostGone", testPost,
			metricsRoutes(t, reply(400, graphError(100, 33, "Unsupported get request. Object with ID '"+testPost+"' does not exist")), nil),
			social.Permanent, 400, 0},
		{"InsightsPermissionMissingFailsTheCall", testPost,
			metricsRoutes(t, reply(200, postAnswer), reply(403, graphError(10, 0, "(#10) This endpoint requires the 'read_insights' permission"))),
			social.Permanent, 403, 0},
		{"InsightsThrottled", testPost,
			metricsRoutes(t, reply(200, postAnswer), reply(400, graphError(80001, 0, "(#80001) There have been too many calls to this Page account."),
				"X-Business-Use-Case-Usage", `{"`+testPage+`":[{"type":"pages","estimated_time_to_regain_access":1}]}`)),
			social.Transient, 400, time.Minute},
		{"ThrottledWhileFindingTheWithdrawnMetric", testPost,
			metricsRoutes(t, reply(200, postAnswer), func(w http.ResponseWriter, r *http.Request) {
				if strings.Contains(r.URL.Query().Get("metric"), ",") {
					reply(400, graphError(100, 0, "(#100) The value must be a valid insights metric"))(w, r)
					return
				}
				reply(400, graphError(4, 0, "(#4) Application request limit reached"))(w, r)
			}),
			social.Transient, 400, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := tt.handler
			if h == nil {
				h = func(w http.ResponseWriter, r *http.Request) { t.Error("the server was called") }
			}
			c, _ := setup(t, h)
			got, err := c.Metrics(context.Background(), tt.remoteID)
			checkError(t, err, tt.class, tt.status, tt.retryAfter)
			if got != (social.Metrics{}) {
				t.Errorf("Metrics returned %+v with an error", got)
			}
		})
	}
}

func TestProfile(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		handler http.HandlerFunc
		want    social.Profile
		class   social.Class
		status  int
	}{
		{
			name:    "FollowersCount",
			handler: reply(200, `{"name":"Ça Tweete","link":"https://www.facebook.com/catweete","followers_count":1240,"fan_count":1180,"id":"`+testPage+`"}`),
			want:    social.Profile{Handle: "Ça Tweete", URL: "https://www.facebook.com/catweete", Followers: social.Known(1240)},
		},
		{
			name:    "FanCountStandsIn",
			handler: reply(200, `{"name":"Ancienne Page","fan_count":310,"id":"`+testPage+`"}`),
			want:    social.Profile{Handle: "Ancienne Page", URL: "https://www.facebook.com/" + testPage, Followers: social.Known(310)},
		},
		{
			name:    "NoAudienceFigure",
			handler: reply(200, `{"id":"`+testPage+`"}`),
			want:    social.Profile{Handle: testPage, URL: "https://www.facebook.com/" + testPage},
		},
		{
			name:    "ExpiredToken",
			handler: reply(400, graphError(190, 460, "Error validating access token: The session has been invalidated because the user changed their password.")),
			class:   social.Permanent, status: 400,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, srv := setup(t, tt.handler)
			got, err := c.Profile(context.Background())
			if tt.class != 0 {
				checkError(t, err, tt.class, tt.status, 0)
			} else if err != nil {
				t.Fatalf("Profile: %v", err)
			} else if got != tt.want {
				t.Errorf("Profile = %+v, want %+v", got, tt.want)
			}
			r := srv.seen()[0]
			if r.Method != "GET" || r.Path != "/v26.0/"+testPage || r.Query.Get("fields") != "name,link,followers_count,fan_count" ||
				r.Authorization != "Bearer "+testToken {
				t.Errorf("request = %+v", r)
			}
		})
	}
}

func TestNew(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		cfg      Config
		wantBase string // "" means New must fail
		errHas   string
	}{
		{"Defaults", Config{PageID: testPage, PageToken: "t"}, DefaultGraphURL + "/" + DefaultVersion, ""},
		{"ConfiguredAndTrimmed", Config{GraphURL: "http://localhost:9000/graph/", Version: "v24.0", PageID: " 1 ", PageToken: "t\n"}, "http://localhost:9000/graph/v24.0", ""},
		{"MissingPage", Config{PageToken: "t"}, "", "FACEBOOK_PAGE_ID"},
		{"PageName", Config{PageID: "catweete", PageToken: "t"}, "", "FACEBOOK_PAGE_ID"},
		{"MissingToken", Config{PageID: testPage}, "", "FACEBOOK_PAGE_TOKEN"},
		{"TokenWithSpace", Config{PageID: testPage, PageToken: "a b"}, "", "FACEBOOK_PAGE_TOKEN"},
		{"BadVersion", Config{PageID: testPage, PageToken: "t", Version: "26"}, "", "FACEBOOK_GRAPH_VERSION"},
		{"RelativeURL", Config{GraphURL: "graph.facebook.com", PageID: testPage, PageToken: "t"}, "", "FACEBOOK_GRAPH_URL"},
		{"CredentialsInURL", Config{GraphURL: "https://u:hunter2@graph.facebook.com", PageID: testPage, PageToken: "t"}, "", "FACEBOOK_GRAPH_URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := New(tt.cfg)
			if tt.wantBase == "" {
				if err == nil {
					t.Fatal("New succeeded, want an error")
				}
				if !strings.Contains(err.Error(), tt.errHas) || strings.Contains(err.Error(), "hunter2") {
					t.Errorf("err = %v, want it to name %s and not the password", err, tt.errHas)
				}
				return
			}
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			if c.base != tt.wantBase {
				t.Errorf("base = %q, want %q", c.base, tt.wantBase)
			}
			if c.Network() != social.NetworkFacebook || c.Idempotent() {
				t.Errorf("Network, Idempotent = %q, %v", c.Network(), c.Idempotent())
			}
			if c.http == nil || c.http.Timeout != social.DefaultTimeout || c.http.CheckRedirect == nil {
				t.Errorf("default HTTP client = %+v", c.http)
			}
		})
	}
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
