package x

import (
	"context"
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
	"unicode/utf8"

	"catweete/social"
)

// postText has what X rewrites in the text it gives back: &, < and > as
// HTML entities, the link as a t.co link.
const postText = "Nouveau billet : Ça & ça <3 🎉 https://example.com/blog/2024/06/un-titre"

func TestPublish(t *testing.T) {
	t.Parallel()

	longError := strings.Repeat("One or more parameters to your request was invalid. ", 20)
	tests := []struct {
		name    string
		handler http.HandlerFunc
		want    social.Published
		// For failures:
		class      social.Class
		status     int
		retryAfter time.Duration
		message    string // exact, unless messageHas is set
		messageHas string
		checkCut   bool
	}{
		{
			name: "CreatedReturnsIDAndLinkWithUsername",
			handler: routes(t, map[string]http.HandlerFunc{
				"POST /2/tweets":  reply(201, createdJSON("1790000000000000001", postText)),
				"GET /2/users/me": reply(200, meJSON),
			}),
			want: social.Published{ID: "1790000000000000001", URL: "https://x.com/catweete/status/1790000000000000001"},
		},
		{
			name: "UnknownUsernameFallsBackOnTheWebLink",
			handler: routes(t, map[string]http.HandlerFunc{
				"POST /2/tweets":  reply(201, createdJSON("1790000000000000001", postText)),
				"GET /2/users/me": reply(429, tooManyJSON),
			}),
			want: social.Published{ID: "1790000000000000001", URL: "https://x.com/i/web/status/1790000000000000001"},
		},
		{
			name: "RateLimitedWaitsForTheWindowReset",
			handler: reply(429, tooManyJSON,
				"x-rate-limit-limit", "100", "x-rate-limit-remaining", "0", "x-rate-limit-reset", epoch(7*time.Minute+30*time.Second)),
			class: social.Transient, status: 429, retryAfter: 7*time.Minute + 30*time.Second,
			message: "Too Many Requests",
		},
		{
			name: "DailyCapWaitsForItsOwnReset",
			handler: reply(429, tooManyJSON,
				"x-rate-limit-limit", "100", "x-rate-limit-remaining", "98", "x-rate-limit-reset", epoch(15*time.Minute),
				"x-user-limit-24hour-limit", "17", "x-user-limit-24hour-remaining", "0", "x-user-limit-24hour-reset", epoch(5*time.Hour)),
			class: social.Transient, status: 429, retryAfter: 5 * time.Hour,
			message: "Too Many Requests",
		},
		{
			name:    "RateLimitedWithV1StyleBodyAndRetryAfter",
			handler: reply(429, `{"errors":[{"code":88,"message":"Rate limit exceeded"}]}`, "x-rate-limit-reset", "not-a-number", "Retry-After", "90"),
			class:   social.Transient, status: 429, retryAfter: 90 * time.Second,
			message: "Rate limit exceeded",
		},
		{
			name:    "RateLimitResetInThePastMeansNoWait",
			handler: reply(429, tooManyJSON, "x-rate-limit-remaining", "0", "x-rate-limit-reset", epoch(-time.Minute)),
			class:   social.Transient, status: 429,
			message: "Too Many Requests",
		},
		{
			name:    "ServiceUnavailableIsTransient",
			handler: reply(503, unavailableJSON),
			class:   social.Transient, status: 503,
			message: "Service Unavailable",
		},
		{
			name:    "ServerErrorHonoursRetryAfterButNotTheWindowReset",
			handler: reply(503, "<html>Over capacity</html>", "Retry-After", "30", "x-rate-limit-reset", epoch(time.Hour)),
			class:   social.Transient, status: 503, retryAfter: 30 * time.Second,
			message: "Service Unavailable",
		},
		{
			name:    "InvalidTokenIsPermanent",
			handler: reply(401, unauthorizedJSON),
			class:   social.Permanent, status: 401,
			message: "Unauthorized",
		},
		{
			name:    "OAuthErrorKeepsItsDescription",
			handler: reply(401, `{"error":"invalid_request","error_description":"Value passed for the token was invalid."}`),
			class:   social.Permanent, status: 401,
			message: "Value passed for the token was invalid.",
		},
		{
			name:    "OtherForbiddenIsPermanent",
			handler: reply(403, forbiddenJSON),
			class:   social.Permanent, status: 403,
			message: "You are not permitted to perform this action.",
		},
		{
			name: "ClientNotEnrolledIsPermanent",
			handler: reply(403, `{"client_id":"29128593","detail":"When authenticating requests to the Twitter API v2 endpoints, you must use keys and tokens from a Twitter developer App that is attached to a Project.",`+
				`"registration_url":"https://developer.twitter.com/en/docs/projects/overview","title":"Client Forbidden","required_enrollment":"Appropriate Level of API Access","reason":"client-not-enrolled","type":"https://api.twitter.com/2/problems/client-forbidden"}`),
			class: social.Permanent, status: 403,
			messageHas: "attached to a Project",
		},
		{
			name: "InvalidRequestGivesThePreciseMessage",
			handler: reply(400, `{"errors":[{"parameters":{},"message":"Requests with bodies must have content-type of application/json."}],`+
				`"title":"Invalid Request","detail":"One or more parameters to your request was invalid.","type":"https://api.twitter.com/2/problems/invalid-request"}`),
			class: social.Permanent, status: 400,
			message: "Requests with bodies must have content-type of application/json.",
		},
		{
			name:    "TextTooLongIsPermanent",
			handler: reply(400, `{"detail":"Your Tweet text is too long. For more information on how Twitter determines text length see https://github.com/twitter/twitter-text.","type":"about:blank","title":"Bad Request","status":400}`),
			class:   social.Permanent, status: 400,
			messageHas: "Your Tweet text is too long.",
		},
		{
			name:    "UnprocessableIsPermanent",
			handler: reply(422, "<html>Unprocessable</html>"),
			class:   social.Permanent, status: 422,
			message: "Unprocessable Entity",
		},
		{
			name:    "LongMessageIsCut",
			handler: reply(400, fmt.Sprintf(`{"title":"Invalid Request","detail":%q}`, longError)),
			class:   social.Permanent, status: 400,
			messageHas: "One or more parameters", checkCut: true,
		},
		{
			name:    "EchoedTokenIsRedacted",
			handler: reply(401, fmt.Sprintf(`{"title":"Unauthorized","detail":"Bad header: Authorization: Bearer %s","status":401}`, testToken)),
			class:   social.Permanent, status: 401,
			message: "Bad header: Authorization: Bearer [redacted]",
		},
		{
			name:    "RedirectIsNotFollowed",
			handler: reply(301, "", "Location", "https://api.twitter.com/2/tweets"),
			class:   social.Permanent, status: 301,
			messageHas: "https://api.twitter.com/2/tweets",
		},
		{
			// The post probably exists: a retry meets X's duplicate rule,
			// which names it, instead of posting it twice.
			name:    "SuccessThatIsNotJSONIsTransientWithItsStatus",
			handler: reply(201, "<html>Welcome to our Wi-Fi</html>"),
			class:   social.Transient, status: 201,
			message: "the answer is not the JSON X documents",
		},
		{
			name:    "SuccessWithoutIDIsTransientWithItsStatus",
			handler: reply(201, `{"data":{}}`),
			class:   social.Transient, status: 201,
			message: "the answer names no post",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, srv := setup(t, tt.handler)
			post := social.Post{Text: postText, IdempotencyKey: "delivery-17-3c1e"}

			got, err := c.Publish(context.Background(), post)

			reqs := srv.seen()
			if len(reqs) == 0 {
				t.Fatal("server got no request")
			}
			want := request{
				Method:        "POST",
				Path:          "/2/tweets",
				Authorization: "Bearer " + testToken,
				ContentType:   "application/json",
				Body:          map[string]any{"text": postText},
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
			if len(reqs) != 1 {
				t.Errorf("server got %d requests, want only the POST: %+v", len(reqs), reqs)
			}
			se := checkError(t, err, tt.class, tt.status, tt.retryAfter)
			switch {
			case tt.messageHas != "":
				if !strings.Contains(se.Message, tt.messageHas) {
					t.Errorf("Message = %q, want it to contain %q", se.Message, tt.messageHas)
				}
			case se.Message != tt.message:
				t.Errorf("Message = %q, want %q", se.Message, tt.message)
			}
			if tt.checkCut {
				if n := utf8.RuneCountInString(se.Message); n > social.MaxMessageRunes {
					t.Errorf("Message has %d characters, want at most %d", n, social.MaxMessageRunes)
				}
				if !strings.HasSuffix(se.Message, "…") {
					t.Errorf("cut Message = %q, want it to end with …", se.Message)
				}
			}
			if got != (social.Published{}) {
				t.Errorf("Publish returned %+v with an error", got)
			}
		})
	}
}

// timelineJSON is GET /2/users/:id/tweets?tweet.fields=entities, newest
// first: a post with the same text but another link, then the one catweete
// published, as X gives it back (entities escaped, link shortened).
const timelineJSON = `{"data":[` +
	`{"edit_history_tweet_ids":["1790000000000000009"],"id":"1790000000000000009",` +
	`"text":"Nouveau billet : Ça &amp; ça &lt;3 🎉 https://t.co/ZzZzZzZzZz",` +
	`"entities":{"urls":[{"start":30,"end":53,"url":"https://t.co/ZzZzZzZzZz","expanded_url":"https://example.com/blog/2024/06/un-autre-titre","display_url":"example.com/blog/2024/06/u…"}]}},` +
	`{"edit_history_tweet_ids":["1790000000000000005"],"id":"1790000000000000005","text":"Bonjour à tous"},` +
	`{"edit_history_tweet_ids":["1790000000000000001"],"id":"1790000000000000001",` +
	`"text":"Nouveau billet : Ça &amp; ça &lt;3 🎉 https://t.co/AbC123xyzQ",` +
	`"entities":{"urls":[{"start":30,"end":53,"url":"https://t.co/AbC123xyzQ","expanded_url":"https://example.com/blog/2024/06/un-titre","display_url":"example.com/blog/2024/06/u…"}]}}` +
	`],"meta":{"result_count":3,"newest_id":"1790000000000000009","oldest_id":"1790000000000000001","next_token":"7140dibdnow9c7btw3z2vwioavpvutgzrzm9icis4ndix"}}`

func TestPublishDuplicate(t *testing.T) {
	t.Parallel()
	timelinePath := "/2/users/" + meID + "/tweets"

	t.Run("ExistingPostIsFoundInTheTimeline", func(t *testing.T) {
		t.Parallel()
		c, srv := setup(t, routes(t, map[string]http.HandlerFunc{
			"POST /2/tweets":      reply(403, duplicateJSON),
			"GET /2/users/me":     reply(200, meJSON),
			"GET " + timelinePath: reply(200, timelineJSON),
		}))

		_, err := c.Publish(context.Background(), social.Post{Text: postText, IdempotencyKey: "k1"})

		se := checkError(t, err, social.Duplicate, 403, 0)
		want := social.Published{ID: "1790000000000000001", URL: "https://x.com/catweete/status/1790000000000000001"}
		if se.Existing != want {
			t.Errorf("Existing = %+v, want %+v", se.Existing, want)
		}
		if se.Message != "You are not allowed to create a Tweet with duplicate content." {
			t.Errorf("Message = %q", se.Message)
		}
		var tl request
		for _, r := range srv.seen() {
			if r.Path == timelinePath {
				tl = r
			}
		}
		if tl.Method != "GET" || tl.Authorization != "Bearer "+testToken || tl.Query != "max_results=20&tweet.fields=entities" {
			t.Errorf("timeline request = %+v", tl)
		}
	})

	t.Run("PostWithAnotherLinkIsNotTakenForIt", func(t *testing.T) {
		t.Parallel()
		c, _ := setup(t, routes(t, map[string]http.HandlerFunc{
			"POST /2/tweets":      reply(403, duplicateJSON),
			"GET /2/users/me":     reply(200, meJSON),
			"GET " + timelinePath: reply(200, timelineJSON),
		}))
		text := strings.Replace(postText, "un-titre", "encore-un-autre", 1)

		_, err := c.Publish(context.Background(), social.Post{Text: text, IdempotencyKey: "k1"})

		se := checkError(t, err, social.Duplicate, 403, 0)
		if se.Existing != (social.Published{}) {
			t.Errorf("Existing = %+v, want none", se.Existing)
		}
		// The dispatcher fails the delivery with X's own words.
		if se.Message != "You are not allowed to create a Tweet with duplicate content." {
			t.Errorf("Message = %q", se.Message)
		}
		if !strings.Contains(err.Error(), "no post with the same text among the account's 3 latest") {
			t.Errorf("err = %v, want it to say why the post was not found", err)
		}
	})

	t.Run("FailedSearchLeavesExistingEmpty", func(t *testing.T) {
		t.Parallel()
		c, _ := setup(t, routes(t, map[string]http.HandlerFunc{
			"POST /2/tweets":      reply(403, duplicateJSON),
			"GET /2/users/me":     reply(200, meJSON),
			"GET " + timelinePath: reply(429, tooManyJSON, "x-rate-limit-remaining", "0", "x-rate-limit-reset", epoch(time.Hour)),
		}))

		_, err := c.Publish(context.Background(), social.Post{Text: postText, IdempotencyKey: "k1"})

		se := checkError(t, err, social.Duplicate, 403, 0)
		if se.Existing != (social.Published{}) {
			t.Errorf("Existing = %+v, want none", se.Existing)
		}
		if !strings.Contains(err.Error(), "latest posts could not be read") {
			t.Errorf("err = %v, want it to say the search failed", err)
		}
	})

	t.Run("V1DuplicateCodeIsRecognised", func(t *testing.T) {
		t.Parallel()
		c, _ := setup(t, routes(t, map[string]http.HandlerFunc{
			"POST /2/tweets":      reply(403, `{"errors":[{"code":187,"message":"Status is a duplicate."}]}`),
			"GET /2/users/me":     reply(200, meJSON),
			"GET " + timelinePath: reply(200, timelineJSON),
		}))
		_, err := c.Publish(context.Background(), social.Post{Text: postText, IdempotencyKey: "k1"})
		se := checkError(t, err, social.Duplicate, 403, 0)
		if se.Existing.ID != "1790000000000000001" {
			t.Errorf("Existing = %+v", se.Existing)
		}
	})
}

func TestPublishAsksTheUsernameOnce(t *testing.T) {
	t.Parallel()
	c, srv := setup(t, routes(t, map[string]http.HandlerFunc{
		"POST /2/tweets":  reply(201, createdJSON("1790000000000000001", "x")),
		"GET /2/users/me": reply(200, meJSON),
	}))
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got, err := c.Publish(context.Background(), social.Post{Text: "x"})
			if err != nil || got.URL != "https://x.com/catweete/status/1790000000000000001" {
				t.Errorf("Publish = %+v, %v", got, err)
			}
		}()
	}
	wg.Wait()
	// Concurrent first calls may each ask; later ones use the cache.
	before := srv.count("GET", "/2/users/me")
	if _, err := c.Publish(context.Background(), social.Post{Text: "x"}); err != nil {
		t.Fatal(err)
	}
	if after := srv.count("GET", "/2/users/me"); after != before || before == 0 {
		t.Errorf("GET /2/users/me asked %d times then %d, want it cached", before, after)
	}
}

func TestPublishTimeoutHasNoStatus(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	c, _ := setup(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	})
	t.Cleanup(func() { close(release) }) // runs before the server closes
	c.http = &http.Client{Timeout: 50 * time.Millisecond}

	start := time.Now()
	_, err := c.Publish(context.Background(), social.Post{Text: "Bonjour"})
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Publish took %v with a 50ms timeout", d)
	}
	// Status 0: the post may exist, and the dispatcher must not resend it.
	se := checkError(t, err, social.Transient, 0, 0)
	if se.Message != "the server did not answer in time" {
		t.Errorf("Message = %q", se.Message)
	}
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Errorf("err = %v, want it to wrap the client's timeout", err)
	}
}

func TestPublishCanceledContextHasNoStatus(t *testing.T) {
	t.Parallel()
	c, _ := setup(t, func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	})
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(20*time.Millisecond, cancel)

	_, err := c.Publish(ctx, social.Post{Text: "Bonjour"})
	checkError(t, err, social.Transient, 0, 0)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want it to wrap context.Canceled", err)
	}
}

func TestPublishUnreachableServerHasNoStatus(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.NotFoundHandler())
	base := srv.URL
	srv.Close() // nothing listens there any more

	c, err := New(Config{APIURL: base, Token: testToken})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Publish(context.Background(), social.Post{Text: "Bonjour"})
	checkError(t, err, social.Transient, 0, 0)
}

func TestPublishReadsAtMostOneMebibyte(t *testing.T) {
	t.Parallel()
	c, _ := setup(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadRequest)
		io.WriteString(w, `{"detail":"`)
		chunk := strings.Repeat("a", 64<<10)
		for i := 0; i < 64; i++ { // 4 MiB, far past the cap
			if _, err := io.WriteString(w, chunk); err != nil {
				return
			}
		}
		io.WriteString(w, `"}`)
	})
	_, err := c.Publish(context.Background(), social.Post{Text: "Bonjour"})
	// The cut body is not JSON any more: the status text stands in.
	se := checkError(t, err, social.Permanent, 400, 0)
	if se.Message != "Bad Request" {
		t.Errorf("Message = %q, want %q", se.Message, "Bad Request")
	}
}

func TestComparable(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		a, b string
		same bool
	}{
		{"Identical", "Bonjour", "Bonjour", true},
		{"SurroundingSpace", "  Bonjour\n", "Bonjour", true},
		{"LineEnds", "a\r\nb", "a\nb", true},
		{"NFC", "Cafe\u0301", "Café", true},
		{"BareLinkComesBackWithScheme", "Voir example.com/a", "Voir http://example.com/a", true},
		{"HostCase", "https://Example.COM/A", "https://example.com/A", true},
		{"PathCase", "https://example.com/a", "https://example.com/A", false},
		{"OtherLink", "Voir https://example.com/a", "Voir https://example.com/b", false},
		{"OtherText", "Bonjour", "Bonsoir", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := comparable(tt.a) == comparable(tt.b); got != tt.same {
				t.Errorf("comparable(%q) == comparable(%q) is %v, want %v (%q, %q)", tt.a, tt.b, got, tt.same, comparable(tt.a), comparable(tt.b))
			}
		})
	}
}
