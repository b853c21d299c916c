package bluesky

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"testing"

	"catweete/social"
)

// recordJSON is a getRecord answer for post under testKey, holding text.
func recordJSON(text string) string {
	return fmt.Sprintf(`{"uri":"at://%s/app.bsky.feed.post/%s","cid":"bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm",`+
		`"value":{"$type":"app.bsky.feed.post","text":%q,"createdAt":"2024-06-03T09:29:58.001Z","langs":["fr"]}}`, testDID, testKey, text)
}

// The reference PDS answers createRecord on an existing record key with a
// bare 500 (bluesky-social/atproto#3718, indigo#873); a named error is
// proposed (atproto#4728) and other servers answer 409 RecordAlreadyExists.
const internalError = `{"error":"InternalServerError","message":"Internal Server Error"}`

func TestPublishExistingRecord(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		create     handler
		get        handler
		class      social.Class
		status     int
		message    string
		wantGetRec bool
	}{
		{
			name:   "ServerErrorAndSamePostIsDuplicate",
			create: fixed(500, internalError),
			get:    fixed(200, recordJSON(post.Text)),
			class:  social.Duplicate, status: 500,
			message: "the post was already published under record key " + testKey,
		},
		{
			name:   "ConflictIsDuplicate",
			create: fixed(409, `{"error":"RecordAlreadyExists","message":"Record already exists"}`),
			get:    fixed(200, recordJSON(post.Text)),
			class:  social.Duplicate, status: 409,
			message: "the post was already published under record key " + testKey,
		},
		{
			name:   "NamedErrorIsDuplicate",
			create: fixed(400, `{"error":"RecordAlreadyExists","message":"Record already exists at this key"}`),
			get:    fixed(200, recordJSON(post.Text)),
			class:  social.Duplicate, status: 400,
			message: "the post was already published under record key " + testKey,
		},
		{
			name:   "AnotherPostUnderTheKeyIsPermanent",
			create: fixed(500, internalError),
			get:    fixed(200, recordJSON("Un autre texte")),
			class:  social.Permanent, status: 500,
			message: "record key " + testKey + " already holds another post (https://bsky.app/profile/brand.bsky.social/post/" + testKey + "): nothing was published",
		},
		{
			name:   "ServerErrorWithoutRecordIsTransient",
			create: fixed(500, internalError),
			class:  social.Transient, status: 500, // getRecord: RecordNotFound
			message: "Internal Server Error",
		},
		{
			name:   "ServerErrorAndUnreadableRecordIsTransient",
			create: fixed(502, "<html>Bad Gateway</html>"),
			get:    fixed(503, "<html>Service Unavailable</html>"),
			class:  social.Transient, status: 502,
			message: "Bad Gateway",
		},
		{
			name:   "ClaimedButUnreadableIsTransient",
			create: fixed(409, `{"error":"RecordAlreadyExists","message":"Record already exists"}`),
			get:    fixed(503, "<html>Service Unavailable</html>"),
			class:  social.Transient, status: 409,
			message: "the server says the post exists, but it could not be read back",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			handlers := map[string]handler{"com.atproto.repo.createRecord": tt.create}
			if tt.get != nil {
				handlers["com.atproto.repo.getRecord"] = tt.get
			}
			c, srv := setup(t, handlers)

			got, err := c.Publish(context.Background(), post)

			se := checkError(t, err, tt.class, tt.status, 0)
			if se.Message != tt.message {
				t.Errorf("Message = %q, want %q", se.Message, tt.message)
			}
			wantExisting := social.Published{}
			if tt.class == social.Duplicate {
				wantExisting = wantPublished
			}
			if se.Existing != wantExisting {
				t.Errorf("Existing = %+v, want %+v", se.Existing, wantExisting)
			}
			if got != (social.Published{}) {
				t.Errorf("Publish returned %+v with an error", got)
			}

			want := "[com.atproto.server.createSession com.atproto.repo.createRecord com.atproto.repo.getRecord]"
			if fmt.Sprint(srv.calls()) != want {
				t.Fatalf("calls = %v, want %v", srv.calls(), want)
			}
			get := srv.seen()[2]
			q, _ := url.ParseQuery(get.Query)
			if get.Method != "GET" || q.Get("repo") != testDID || q.Get("collection") != "app.bsky.feed.post" || q.Get("rkey") != testKey {
				t.Errorf("getRecord request = %+v", get)
			}
		})
	}
}

// pdsWithRecords is a createRecord and getRecord that keep records in
// memory, as a PDS does: a second create under the same key gets the
// reference PDS's 500. The first create can be made to lose its answer.
type pdsWithRecords struct {
	mu       sync.Mutex
	records  map[string]string // rkey → text
	loseNext bool              // store the record, then drop the connection
}

func (p *pdsWithRecords) create(s *server, w http.ResponseWriter, r *http.Request, body map[string]any) {
	rkey, _ := body["rkey"].(string)
	text, _ := body["record"].(map[string]any)["text"].(string)
	p.mu.Lock()
	_, exists := p.records[rkey]
	if !exists {
		p.records[rkey] = text
	}
	lose := p.loseNext
	p.loseNext = false
	p.mu.Unlock()
	switch {
	case exists:
		fixed(500, internalError)(s, w, r, body)
	case lose:
		// The post is stored, but the answer never reaches the client.
		conn, _, err := http.NewResponseController(w).Hijack()
		if err != nil {
			s.t.Errorf("hijack: %v", err)
			return
		}
		conn.Close()
	default:
		created(w, body)
	}
}

func (p *pdsWithRecords) get(s *server, w http.ResponseWriter, r *http.Request, body map[string]any) {
	rkey := r.URL.Query().Get("rkey")
	p.mu.Lock()
	text, ok := p.records[rkey]
	p.mu.Unlock()
	if !ok {
		fixed(400, `{"error":"RecordNotFound","message":"Could not locate record"}`)(s, w, r, body)
		return
	}
	fixed(200, recordJSON(text))(s, w, r, body)
}

func TestRetryAfterALostAnswerIsDuplicate(t *testing.T) {
	t.Parallel()
	p := &pdsWithRecords{records: map[string]string{}, loseNext: true}
	c, srv := setup(t, map[string]handler{
		"com.atproto.repo.createRecord": p.create,
		"com.atproto.repo.getRecord":    p.get,
	})

	// The first attempt reaches the PDS, which stores the post, but the
	// answer never comes back.
	_, err := c.Publish(context.Background(), post)
	checkError(t, err, social.Transient, 0, 0)

	// The dispatcher retries with the same key: the post is not published
	// again, and the retry names it.
	_, err = c.Publish(context.Background(), post)
	se := checkError(t, err, social.Duplicate, 500, 0)
	if se.Existing != wantPublished {
		t.Errorf("Existing = %+v, want %+v", se.Existing, wantPublished)
	}
	p.mu.Lock()
	n := len(p.records)
	p.mu.Unlock()
	if n != 1 {
		t.Errorf("the PDS holds %d records, want 1", n)
	}
	if n := srv.count("com.atproto.repo.createRecord"); n != 2 {
		t.Errorf("createRecord calls = %d, want 2", n)
	}
}
