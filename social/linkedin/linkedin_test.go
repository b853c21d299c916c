package linkedin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"catweete/social"
	"catweete/social/socialtest"
)

// testToken is distinctive so that a leak into an error is easy to spot.
const testToken = "li-tok-8d1e5b-SECRET"

const (
	testOrg    = "urn:li:organization:2414183"
	testPerson = "urn:li:person:782bbtaQ"
)

// testNow is the clock the clients under test read.
func testNow() time.Time { return time.Date(2024, 6, 3, 9, 30, 0, 0, time.UTC) }

// request is what the test server saw.
type request struct {
	Method, Path, RawQuery                      string
	Authorization, Version, Restli, ContentType string
	Body                                        map[string]any
}

// server records the requests of one test.
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
// client for author pointed at it (with a trailing slash, which must be
// tolerated).
func setup(t *testing.T, author string, h http.HandlerFunc) (*Client, *server) {
	t.Helper()
	s := &server{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req := request{
			Method:        r.Method,
			Path:          r.URL.EscapedPath(),
			RawQuery:      r.URL.RawQuery,
			Authorization: r.Header.Get("Authorization"),
			Version:       r.Header.Get("LinkedIn-Version"),
			Restli:        r.Header.Get("X-Restli-Protocol-Version"),
			ContentType:   r.Header.Get("Content-Type"),
		}
		if b, _ := io.ReadAll(r.Body); len(b) > 0 {
			if err := json.Unmarshal(b, &req.Body); err != nil {
				t.Errorf("request body is not JSON: %v: %s", err, b)
			}
		}
		s.mu.Lock()
		s.requests = append(s.requests, req)
		s.mu.Unlock()
		h(w, r)
	}))
	t.Cleanup(srv.Close)
	c, err := New(Config{APIURL: srv.URL + "/", Token: testToken, AuthorURN: author, Version: "202610"})
	if err != nil {
		t.Fatal(err)
	}
	c.nowFunc = testNow
	return c, s
}

// setupOffline returns a client for checks that make no request.
func setupOffline(t *testing.T) *Client {
	t.Helper()
	c, err := New(Config{Token: testToken, AuthorURN: testOrg})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// reply writes an answer with the given status and headers, JSON when the
// body looks like it.
func reply(code int, body string, headers ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		for i := 0; i+1 < len(headers); i += 2 {
			w.Header().Set(headers[i], headers[i+1])
		}
		if strings.HasPrefix(body, "{") {
			w.Header().Set("Content-Type", "application/json")
		} else if body != "" {
			w.Header().Set("Content-Type", "text/html")
		}
		w.WriteHeader(code)
		io.WriteString(w, body)
	}
}

// route answers by path (escaped, with the query when the key has a "?").
func route(t *testing.T, routes map[string]http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		key := r.URL.EscapedPath()
		if h, ok := routes[key+"?"+r.URL.RawQuery]; ok {
			h(w, r)
			return
		}
		if h, ok := routes[key]; ok {
			h(w, r)
			return
		}
		t.Errorf("unexpected request %s %s?%s", r.Method, key, r.URL.RawQuery)
		reply(404, `{"status":404,"code":"NOT_FOUND","message":"Not Found"}`)(w, r)
	}
}

// linkedInError is an error body as LinkedIn writes it.
func linkedInError(status int, code, message string) string {
	return fmt.Sprintf(`{"status":%d,"serviceErrorCode":100,"code":%q,"message":%q}`, status, code, message)
}

// duplicateBody is the 422 LinkedIn answers to a repeated post, as reported
// in github.com/Arisamiga/Linkedin-RSS/issues/5.
const duplicateBody = `{"errorDetailType":"com.linkedin.common.error.BadRequest","message":"com.linkedin.content.common.exception.BadRequestResponseException: Content is a duplicate of urn:li:share:7141138937766391808","errorDetails":{"inputErrors":[{"description":"Duplicate post is detected","input":{},"code":"DUPLICATE_POST"}]},"status":422}`

// checkError asserts that err is a classified *social.Error and that the token
// appears nowhere in it, and returns it.
func checkError(t *testing.T, err error, class social.Class, status int, retryAfter time.Duration) *social.Error {
	t.Helper()
	return socialtest.CheckError(t, err, social.NetworkLinkedIn, class, status, retryAfter, testToken)
}

func TestPublish(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		handler    http.HandlerFunc
		want       social.Published
		class      social.Class // 0: success
		status     int
		retryAfter time.Duration
		message    string // "" skips the check
		existing   social.Published
	}{
		{
			name:    "CreatedReturnsTheURNAndLink",
			handler: reply(201, "", "x-restli-id", "urn:li:share:6844785523593134080"),
			want: social.Published{
				ID:  "urn:li:share:6844785523593134080",
				URL: "https://www.linkedin.com/feed/update/urn:li:share:6844785523593134080/",
			},
		},
		{
			name:    "UGCPostURN",
			handler: reply(201, "", "X-RestLi-Id", "urn:li:ugcPost:7000000000000000001"),
			want: social.Published{
				ID:  "urn:li:ugcPost:7000000000000000001",
				URL: "https://www.linkedin.com/feed/update/urn:li:ugcPost:7000000000000000001/",
			},
		},
		{
			name:    "CreatedWithoutURNIsTransient",
			handler: reply(201, ""),
			class:   social.Transient, status: 201,
			message: "the answer does not name the new post (no x-restli-id header)",
		},
		{
			name:    "DuplicateNamesTheExistingPost",
			handler: reply(422, duplicateBody),
			class:   social.Duplicate, status: 422,
			message: "Content is a duplicate of urn:li:share:7141138937766391808",
			existing: social.Published{
				ID:  "urn:li:share:7141138937766391808",
				URL: "https://www.linkedin.com/feed/update/urn:li:share:7141138937766391808/",
			},
		},
		{
			name: "DuplicateWithoutURNIsStillDuplicate",
			handler: reply(422, `{"status":422,"message":"Duplicate post",`+
				`"errorDetails":{"inputErrors":[{"description":"Duplicate post is detected","input":{},"code":"DUPLICATE_POST"}]}}`),
			class: social.Duplicate, status: 422,
			message: "Duplicate post",
		},
		{
			name:    "ValidationErrorIsPermanent",
			handler: reply(422, linkedInError(422, "UNPROCESSABLE_ENTITY", "ERROR :: /commentary :: is too long")),
			class:   social.Permanent, status: 422,
			message: "UNPROCESSABLE_ENTITY: ERROR :: /commentary :: is too long",
		},
		{
			name:    "InvalidTokenIsPermanent",
			handler: reply(401, linkedInError(401, "INVALID_ACCESS_TOKEN", "Invalid access token")),
			class:   social.Permanent, status: 401,
			message: "INVALID_ACCESS_TOKEN: Invalid access token",
		},
		{
			name:    "MissingPermissionIsPermanent",
			handler: reply(403, linkedInError(403, "ACCESS_DENIED", "Not enough permissions to access: partnerApiPostsExternal.CREATE.20240101")),
			class:   social.Permanent, status: 403,
			message: "ACCESS_DENIED: Not enough permissions to access: partnerApiPostsExternal.CREATE.20240101",
		},
		{
			name:    "RetiredVersionIsPermanentAndSaysWhatToSet",
			handler: reply(426, linkedInError(426, "NONEXISTENT_VERSION", "Requested version 20240901 is not active")),
			class:   social.Permanent, status: 426,
			message: "NONEXISTENT_VERSION: Requested version 20240901 is not active: LinkedIn no longer serves API version 202610; set LINKEDIN_VERSION to a recent YYYYMM",
		},
		{
			name:    "RateLimitedWithRetryAfter",
			handler: reply(429, linkedInError(429, "TOO_MANY_REQUESTS", "Resource level throttle APPLICATION DAY limit for calls to this resource is reached."), "Retry-After", "120"),
			class:   social.Transient, status: 429, retryAfter: 2 * time.Minute,
		},
		{
			name:    "RateLimitedWithoutRetryAfter",
			handler: reply(429, linkedInError(429, "TOO_MANY_REQUESTS", "Too many requests")),
			class:   social.Transient, status: 429,
			message: "TOO_MANY_REQUESTS: Too many requests",
		},
		{
			name:    "ServerErrorIsTransient",
			handler: reply(500, linkedInError(500, "INTERNAL_SERVER_ERROR", "Internal Server Error")),
			class:   social.Transient, status: 500,
		},
		{
			name:    "GatewayPageIsTransientWithStatusText",
			handler: reply(503, "<html>Service Unavailable</html>", "Retry-After", "Mon, 03 Jun 2024 09:31:00 GMT"),
			class:   social.Transient, status: 503, retryAfter: time.Minute,
			message: "Service Unavailable",
		},
		{
			name:    "EchoedTokenIsRedacted",
			handler: reply(401, linkedInError(401, "INVALID_ACCESS_TOKEN", "Bad header Authorization: Bearer "+testToken)),
			class:   social.Permanent, status: 401,
			message: "INVALID_ACCESS_TOKEN: Bad header Authorization: Bearer [redacted]",
		},
		{
			name:    "RedirectIsNotFollowed",
			handler: reply(301, "", "Location", "https://www.linkedin.com/"),
			class:   social.Permanent, status: 301,
			message: "the server redirects to https://www.linkedin.com/: check LINKEDIN_API_URL",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, srv := setup(t, testOrg, tt.handler)
			post := social.Post{Text: "Ça tweete (enfin) ! #Lyon", IdempotencyKey: "3kz7x2abcde2a"}

			got, err := c.Publish(context.Background(), post)

			reqs := srv.seen()
			if len(reqs) != 1 {
				t.Fatalf("server got %d requests, want 1", len(reqs))
			}
			want := request{
				Method:        "POST",
				Path:          "/rest/posts",
				Authorization: "Bearer " + testToken,
				Version:       "202610",
				Restli:        "2.0.0",
				ContentType:   "application/json",
				Body: map[string]any{
					"author":     testOrg,
					"commentary": `Ça tweete \(enfin\) ! {hashtag|\#|Lyon}`,
					"visibility": "PUBLIC",
					"distribution": map[string]any{
						"feedDistribution":               "MAIN_FEED",
						"targetEntities":                 []any{},
						"thirdPartyDistributionChannels": []any{},
					},
					"lifecycleState":            "PUBLISHED",
					"isReshareDisabledByAuthor": false,
				},
			}
			if fmt.Sprint(reqs[0]) != fmt.Sprint(want) {
				t.Errorf("request =\n %+v\nwant\n %+v", reqs[0], want)
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
			if se.Existing != tt.existing {
				t.Errorf("Existing = %+v, want %+v", se.Existing, tt.existing)
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
		{"EmptyText", " \n\t", "the text is empty"},
		{"TooLong", strings.Repeat("é", 3001), "the text is 3001 characters long, over LinkedIn's limit of 3000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, srv := setup(t, testOrg, func(w http.ResponseWriter, r *http.Request) {
				t.Error("the server was called")
			})
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

func TestPublishAtTheLimit(t *testing.T) {
	t.Parallel()
	c, _ := setup(t, testPerson, reply(201, "", "x-restli-id", "urn:li:share:1"))
	// 3,000 characters that each need escaping: the limit applies to the
	// text as approved, not to the escaped commentary.
	if _, err := c.Publish(context.Background(), social.Post{Text: strings.Repeat("(", 3000)}); err != nil {
		t.Errorf("text of exactly the limit: %v", err)
	}
}

func TestPublishHangingServerIsTransient(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	c, _ := setup(t, testOrg, func(w http.ResponseWriter, r *http.Request) {
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
}

func TestPublishUnreachableServerIsTransient(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.NotFoundHandler())
	base := srv.URL
	srv.Close()

	c, err := New(Config{APIURL: base, Token: testToken, AuthorURN: testOrg})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Publish(context.Background(), social.Post{Text: "Bonjour"})
	checkError(t, err, social.Transient, 0, 0)
}

// statsBody is an organizationalEntityShareStatistics answer for one post.
func statsBody(key, urn string) string {
	return fmt.Sprintf(`{"paging":{"count":10,"start":0,"links":[]},"elements":[{"totalShareStatistics":`+
		`{"uniqueImpressionsCount":812,"clickCount":57,"engagement":0.0921,"likeCount":41,"commentCount":6,`+
		`"shareCount":3,"commentMentionsCount":0,"impressionCount":1130,"shareMentionsCount":0},`+
		`"organizationalEntity":%q,%q:%q}]}`, testOrg, key, urn)
}

func TestMetrics(t *testing.T) {
	t.Parallel()
	orgFigures := social.Metrics{
		Impressions: social.Known(1130), Reach: social.Known(812), Likes: social.Known(41),
		Replies: social.Known(6), Reposts: social.Known(3), Clicks: social.Known(57),
	}
	tests := []struct {
		name      string
		author    string
		remoteID  string
		handler   http.HandlerFunc
		wantPath  string
		wantQuery string
		want      social.Metrics
	}{
		{
			name:      "OrganizationShare",
			author:    testOrg,
			remoteID:  "urn:li:share:6844785523593134080",
			handler:   reply(200, statsBody("share", "urn:li:share:6844785523593134080")),
			wantPath:  "/rest/organizationalEntityShareStatistics",
			wantQuery: "q=organizationalEntity&organizationalEntity=urn%3Ali%3Aorganization%3A2414183&shares=List(urn%3Ali%3Ashare%3A6844785523593134080)",
			want:      orgFigures,
		},
		{
			name:      "OrganizationUGCPost",
			author:    testOrg,
			remoteID:  "urn:li:ugcPost:7000000000000000001",
			handler:   reply(200, statsBody("ugcPost", "urn:li:ugcPost:7000000000000000001")),
			wantPath:  "/rest/organizationalEntityShareStatistics",
			wantQuery: "q=organizationalEntity&organizationalEntity=urn%3Ali%3Aorganization%3A2414183&ugcPosts=List(urn%3Ali%3AugcPost%3A7000000000000000001)",
			want:      orgFigures,
		},
		{
			name:      "PostWithoutActivityIsLeftOutAndMeansZero",
			author:    testOrg,
			remoteID:  "urn:li:share:1",
			handler:   reply(200, `{"paging":{"count":10,"start":0,"links":[]},"elements":[]}`),
			wantPath:  "/rest/organizationalEntityShareStatistics",
			wantQuery: "q=organizationalEntity&organizationalEntity=urn%3Ali%3Aorganization%3A2414183&shares=List(urn%3Ali%3Ashare%3A1)",
			want: social.Metrics{
				Impressions: social.Known(0), Reach: social.Known(0), Likes: social.Known(0),
				Replies: social.Known(0), Reposts: social.Known(0), Clicks: social.Known(0),
			},
		},
		{
			name:      "MissingFigureStaysUnknown",
			author:    testOrg,
			remoteID:  "urn:li:share:1",
			handler:   reply(200, `{"elements":[{"totalShareStatistics":{"impressionCount":10,"likeCount":1}}]}`),
			wantPath:  "/rest/organizationalEntityShareStatistics",
			wantQuery: "q=organizationalEntity&organizationalEntity=urn%3Ali%3Aorganization%3A2414183&shares=List(urn%3Ali%3Ashare%3A1)",
			want:      social.Metrics{Impressions: social.Known(10), Likes: social.Known(1)},
		},
		{
			name:     "MemberPostHasLikesAndCommentsOnly",
			author:   testPerson,
			remoteID: "urn:li:share:6844785523593134080",
			handler: reply(200, `{"commentsSummary":{"selectedComments":[],"totalFirstLevelComments":4,"commentsState":"OPEN","aggregatedTotalComments":5},`+
				`"$URN":"urn:li:socialActions:urn:li:share:6844785523593134080",`+
				`"likesSummary":{"selectedLikes":[],"likedByCurrentUser":false,"totalLikes":17,"aggregatedTotalLikes":18},`+
				`"target":"urn:li:share:6844785523593134080"}`),
			wantPath: "/rest/socialActions/urn%3Ali%3Ashare%3A6844785523593134080",
			want:     social.Metrics{Likes: social.Known(18), Replies: social.Known(5)},
		},
		{
			name:     "MemberPostOlderSummary",
			author:   testPerson,
			remoteID: "urn:li:ugcPost:7",
			handler:  reply(200, `{"commentsSummary":{"totalFirstLevelComments":2},"likesSummary":{"totalLikes":9}}`),
			wantPath: "/rest/socialActions/urn%3Ali%3AugcPost%3A7",
			want:     social.Metrics{Likes: social.Known(9), Replies: social.Known(2)},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, srv := setup(t, tt.author, tt.handler)
			got, err := c.Metrics(context.Background(), tt.remoteID)
			if err != nil {
				t.Fatalf("Metrics: %v", err)
			}
			if got != tt.want {
				t.Errorf("Metrics =\n %+v\nwant\n %+v", got, tt.want)
			}
			reqs := srv.seen()
			if len(reqs) != 1 {
				t.Fatalf("server got %d requests, want 1", len(reqs))
			}
			r := reqs[0]
			if r.Method != "GET" || r.Path != tt.wantPath || r.RawQuery != tt.wantQuery {
				t.Errorf("request = %s %s?%s\nwant      GET %s?%s", r.Method, r.Path, r.RawQuery, tt.wantPath, tt.wantQuery)
			}
			if r.Authorization != "Bearer "+testToken || r.Version != "202610" || r.Restli != "2.0.0" {
				t.Errorf("headers = %+v", r)
			}
		})
	}
}

func TestMetricsFailures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		author   string
		remoteID string
		handler  http.HandlerFunc // nil: no request expected
		class    social.Class
		status   int
	}{
		{"NotAURN", testOrg, "6844785523593134080", nil, social.Permanent, 0},
		{"PathInjection", testOrg, "urn:li:share:1/../../x", nil, social.Permanent, 0},
		{"ActivityURNHasNoOrganizationStatistics", testOrg, "urn:li:activity:1", nil, social.Permanent, 0},
		{"MissingAdminPermission", testOrg, "urn:li:share:1",
			reply(403, linkedInError(403, "ACCESS_DENIED", "Not enough permissions to access: organizationalEntityShareStatistics.FINDER-organizationalEntity.20240101")),
			social.Permanent, 403},
		{"RateLimited", testPerson, "urn:li:share:1", reply(429, linkedInError(429, "TOO_MANY_REQUESTS", "Too many requests")), social.Transient, 429},
		{"NotJSON", testPerson, "urn:li:share:1", reply(200, "<html>hello</html>"), social.Transient, 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := tt.handler
			if h == nil {
				h = func(w http.ResponseWriter, r *http.Request) { t.Error("the server was called") }
			}
			c, _ := setup(t, tt.author, h)
			got, err := c.Metrics(context.Background(), tt.remoteID)
			checkError(t, err, tt.class, tt.status, 0)
			if got != (social.Metrics{}) {
				t.Errorf("Metrics returned %+v with an error", got)
			}
		})
	}
}

func TestProfile(t *testing.T) {
	t.Parallel()
	const sizePath = "/rest/networkSizes/urn%3Ali%3Aorganization%3A2414183?edgeType=COMPANY_FOLLOWED_BY_MEMBER"
	tests := []struct {
		name    string
		author  string
		routes  map[string]http.HandlerFunc
		want    social.Profile
		class   social.Class // 0: success
		status  int
		message string
	}{
		{
			name:   "Organization",
			author: testOrg,
			routes: map[string]http.HandlerFunc{
				sizePath:                      reply(200, `{"firstDegreeSize":1240}`),
				"/rest/organizations/2414183": reply(200, `{"id":2414183,"localizedName":"Ça Tweete SAS","vanityName":"catweete","name":{"localized":{"fr_FR":"Ça Tweete SAS"}}}`),
			},
			want: social.Profile{Handle: "Ça Tweete SAS", URL: "https://www.linkedin.com/company/catweete/", Followers: social.Known(1240)},
		},
		{
			name:   "OrganizationNameRefusedKeepsTheURN",
			author: testOrg,
			routes: map[string]http.HandlerFunc{
				sizePath:                      reply(200, `{"firstDegreeSize":7}`),
				"/rest/organizations/2414183": reply(403, linkedInError(403, "ACCESS_DENIED", "Not enough permissions")),
			},
			want: social.Profile{Handle: testOrg, URL: "https://www.linkedin.com/company/2414183/", Followers: social.Known(7)},
		},
		{
			name:   "OrganizationInvalidToken",
			author: testOrg,
			routes: map[string]http.HandlerFunc{
				sizePath: reply(401, linkedInError(401, "INVALID_ACCESS_TOKEN", "Invalid access token")),
			},
			class: social.Permanent, status: 401,
		},
		{
			name:   "OrganizationNameThrottledFails",
			author: testOrg,
			routes: map[string]http.HandlerFunc{
				sizePath:                      reply(200, `{"firstDegreeSize":7}`),
				"/rest/organizations/2414183": reply(429, linkedInError(429, "TOO_MANY_REQUESTS", "Too many requests")),
			},
			class: social.Transient, status: 429,
		},
		{
			name:   "Member",
			author: testPerson,
			routes: map[string]http.HandlerFunc{
				"/v2/userinfo": reply(200, `{"sub":"782bbtaQ","email_verified":true,"name":"Camille Martin","locale":{"country":"FR","language":"fr"},"given_name":"Camille","family_name":"Martin"}`),
			},
			want: social.Profile{Handle: "Camille Martin"},
		},
		{
			name:   "MemberTokenOfSomeoneElse",
			author: testPerson,
			routes: map[string]http.HandlerFunc{
				"/v2/userinfo": reply(200, `{"sub":"zzz999","name":"Quelqu'un d'autre"}`),
			},
			class: social.Permanent, status: 200,
			message: `the token belongs to member "zzz999", not to LINKEDIN_AUTHOR_URN urn:li:person:782bbtaQ`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, srv := setup(t, tt.author, route(t, tt.routes))
			got, err := c.Profile(context.Background())
			if tt.class == 0 {
				if err != nil {
					t.Fatalf("Profile: %v", err)
				}
				if got != tt.want {
					t.Errorf("Profile = %+v, want %+v", got, tt.want)
				}
			} else {
				se := checkError(t, err, tt.class, tt.status, 0)
				if tt.message != "" && se.Message != tt.message {
					t.Errorf("Message = %q, want %q", se.Message, tt.message)
				}
			}
			for _, r := range srv.seen() {
				if r.Method != "GET" || r.Authorization != "Bearer "+testToken {
					t.Errorf("request = %+v", r)
				}
				versioned := strings.HasPrefix(r.Path, "/rest/")
				if versioned != (r.Version == "202610" && r.Restli == "2.0.0") {
					t.Errorf("%s: LinkedIn-Version %q, X-Restli-Protocol-Version %q", r.Path, r.Version, r.Restli)
				}
			}
		})
	}
}

func TestNew(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		cfg         Config
		wantBase    string // "" means New must fail
		wantVersion string
		errHas      string
	}{
		{"Defaults", Config{Token: "t", AuthorURN: testOrg}, DefaultAPIURL, DefaultVersion, ""},
		{"TrailingSlashAndVersion", Config{APIURL: "http://localhost:8080/li/", Token: "t\n", AuthorURN: " " + testPerson, Version: "202511"}, "http://localhost:8080/li", "202511", ""},
		{"PatchVersion", Config{Token: "t", AuthorURN: testOrg, Version: "202601.01"}, DefaultAPIURL, "202601.01", ""},
		{"MissingToken", Config{AuthorURN: testOrg}, "", "", "LINKEDIN_ACCESS_TOKEN"},
		{"TokenWithSpace", Config{Token: "Bearer x", AuthorURN: testOrg}, "", "", "LINKEDIN_ACCESS_TOKEN"},
		{"MissingAuthor", Config{Token: "t"}, "", "", "LINKEDIN_AUTHOR_URN"},
		{"AuthorIsANumber", Config{Token: "t", AuthorURN: "2414183"}, "", "", "LINKEDIN_AUTHOR_URN"},
		{"AuthorIsAGroup", Config{Token: "t", AuthorURN: "urn:li:group:1"}, "", "", "LINKEDIN_AUTHOR_URN"},
		{"BadVersion", Config{Token: "t", AuthorURN: testOrg, Version: "2025-09"}, "", "", "LINKEDIN_VERSION"},
		{"RelativeURL", Config{APIURL: "api.linkedin.com", Token: "t", AuthorURN: testOrg}, "", "", "LINKEDIN_API_URL"},
		{"CredentialsInURL", Config{APIURL: "https://me:hunter2@api.linkedin.com", Token: "t", AuthorURN: testOrg}, "", "", "LINKEDIN_API_URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := New(tt.cfg)
			if tt.wantBase == "" {
				if err == nil {
					t.Fatal("New succeeded, want an error")
				}
				if !strings.Contains(err.Error(), tt.errHas) {
					t.Errorf("err = %v, want it to name %s", err, tt.errHas)
				}
				if strings.Contains(err.Error(), "hunter2") {
					t.Errorf("err = %v leaks the URL's password", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			if c.base != tt.wantBase || c.version != tt.wantVersion {
				t.Errorf("base, version = %q, %q; want %q, %q", c.base, c.version, tt.wantBase, tt.wantVersion)
			}
			if c.Network() != social.NetworkLinkedIn || c.Idempotent() {
				t.Errorf("Network, Idempotent = %q, %v", c.Network(), c.Idempotent())
			}
			if c.http == nil || c.http.Timeout != social.DefaultTimeout || c.http.CheckRedirect == nil {
				t.Errorf("default HTTP client = %+v, want a %v timeout and no redirects", c.http, social.DefaultTimeout)
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
