package bot

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"catweete/commands"
	"catweete/workflows"
)

// These benchmarks run only with -bench; they compare catweete's own
// request path with the least a Slack app must do (read the body, check the
// signature, answer 200), in one process and one run, so that their ratio
// means something on a noisy machine:
//
//	go test -run '^$' -bench 'Verify|Ack' -count 6 ./bot | tee new.txt && benchstat new.txt

// BenchmarkVerify checks Slack's published signature vector.
func BenchmarkVerify(b *testing.B) {
	body, err := os.ReadFile("testdata/slack-signature-vector.body")
	if err != nil {
		b.Fatal(err)
	}
	const stamp = 1531420618
	v := NewVerifier("8f742231b10e8888abcd99yyyzzz85a5", func() time.Time { return time.Unix(stamp, 0) })
	h := http.Header{}
	h.Set("X-Slack-Request-Timestamp", "1531420618")
	h.Set("X-Slack-Signature", "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503")
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if err := v.Verify(h, body); err != nil {
			b.Fatal(err)
		}
	}
}

// limitHandler is the bare minimum: slack-go's SecretsVerifier over the
// body, then an empty 200. bench/verifier serves the same over the network.
func limitHandler(secret string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		sv, err := slack.NewSecretsVerifier(r.Header, secret)
		if err != nil {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
		if err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		sv.Write(body) //nolint:errcheck // a hash never fails to write
		if sv.Ensure() != nil {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		w.WriteHeader(http.StatusOK)
	}
}

// signedCommand is `/catweete text` as Slack sends it to f's bot: its
// form body, and headers signed now (good for the 5 minutes a benchmark
// may run), with a forged copy.
func signedCommand(f *fixture, text string) (body []byte, signed, forged http.Header) {
	form := url.Values{
		"token": {"legacy"}, "team_id": {testTeam}, "team_domain": {"cat"}, "channel_id": {"C1"},
		"channel_name": {"general"}, "user_id": {"U1"}, "user_name": {"someone"}, "command": {"/catweete"},
		"text": {text}, "api_app_id": {"A1"}, "response_url": {f.slack.responseURL(1)}, "trigger_id": {"1.2.3"},
	}
	body = []byte(form.Encode())
	signed = http.Header{}
	signed.Set("Content-Type", formType)
	sign(signed, body)
	forged = signed.Clone()
	forged.Set("X-Slack-Signature", "v0="+string(bytes.Repeat([]byte("0"), 64)))
	return body, signed, forged
}

// ackCase is one sub-benchmark of serveAcks: handler answering body sent
// with header, want its status (and, with withBody, a body).
type ackCase struct {
	name     string
	handler  http.Handler
	header   http.Header
	want     int
	withBody bool
}

// serveAcks runs each case as a sub-benchmark, one request per iteration,
// in process.
func serveAcks(b *testing.B, body []byte, cases []ackCase) {
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				req := httptest.NewRequest(http.MethodPost, "/slack/commands", bytes.NewReader(body))
				req.Header = c.header
				rec := httptest.NewRecorder()
				c.handler.ServeHTTP(rec, req)
				if rec.Code != c.want || c.withBody && rec.Body.Len() == 0 {
					b.Fatalf("status %d, body %q; want %d", rec.Code, rec.Body, c.want)
				}
			}
		})
	}
}

// BenchmarkAck serves one signed slash command per iteration, in process:
// "limit" is limitHandler, "help" catweete's /slack/commands answering
// `/catweete help` in its ack, "bad-signature" catweete refusing one.
func BenchmarkAck(b *testing.B) {
	f := setup(b)
	mux := http.NewServeMux()
	f.bot.Routes(mux)
	body, signed, forged := signedCommand(f, "help")
	serveAcks(b, body, []ackCase{
		{"limit", limitHandler(testSecret), signed, http.StatusOK, false},
		{"help", mux, signed, http.StatusOK, true},
		{"bad-signature", mux, forged, http.StatusUnauthorized, false},
	})
}

// BenchmarkAckStatus serves `/catweete status` over a database holding
// 300 posts, its answer carried by the ack (AckWait), in process beside
// limitHandler: the request as the load test sends it, the network aside.
func BenchmarkAckStatus(b *testing.B) {
	f := setup(b, func(o *setupOptions) { o.ackWait = time.Second })
	seedPosts(b, f, 300)
	mux := http.NewServeMux()
	f.bot.Routes(mux)
	body, signed, _ := signedCommand(f, "status")
	serveAcks(b, body, []ackCase{
		{"limit", limitHandler(testSecret), signed, http.StatusOK, false},
		{"status", mux, signed, http.StatusOK, true},
	})
}

// seedPosts drafts n posts, and approves two in three.
func seedPosts(b *testing.B, f *fixture, n int) {
	ctx := b.Context()
	for i := range n {
		p, err := f.svc.Draft(ctx, workflows.DraftRequest{AuthorID: "UAUTHOR", Text: fmt.Sprintf("Post n°%d de la semaine", i), OriginChannel: "C1"})
		if err != nil {
			b.Fatal(err)
		}
		if i%3 != 0 {
			if _, err := f.svc.Approve(ctx, p.ID, p.Version, "UAPPROVER"); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkStatus answers "alors ça tweete ?" over a database holding 300
// posts: 100 waiting for approval, 200 approved and scheduled. It is the
// work a status command does after its ack, the answer's posting aside.
func BenchmarkStatus(b *testing.B) {
	f := setup(b)
	ctx := b.Context()
	seedPosts(b, f, 300)
	req := commands.Request{Text: "alors ça tweete ?", UserID: "U1", ChannelID: "C1", Source: commands.SourceSlashCommand}
	b.ReportAllocs()
	for b.Loop() {
		if reply := f.router.Handle(ctx, req); reply.Text == "" {
			b.Fatal("no answer")
		}
	}
}

// BenchmarkAckOverLoopback is BenchmarkAck through a real HTTP server and
// keep-alive connections, as the load test sends it (its client's CPU
// time counts too, alike for both).
func BenchmarkAckOverLoopback(b *testing.B) {
	f := setup(b)
	mux := http.NewServeMux()
	f.bot.Routes(mux)
	body, signed, _ := signedCommand(f, "help")
	for _, bench := range []struct {
		name    string
		handler http.Handler
	}{
		{"limit", limitHandler(testSecret)},
		{"help", mux},
	} {
		b.Run(bench.name, func(b *testing.B) {
			srv := httptest.NewServer(bench.handler)
			defer srv.Close()
			client := srv.Client()
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					req, err := http.NewRequest(http.MethodPost, srv.URL+"/slack/commands", bytes.NewReader(body))
					if err != nil {
						b.Error(err)
						return
					}
					req.Header = signed.Clone()
					resp, err := client.Do(req)
					if err != nil {
						b.Error(err)
						return
					}
					io.Copy(io.Discard, resp.Body) //nolint:errcheck // only the time counts
					resp.Body.Close()
					if resp.StatusCode != http.StatusOK {
						b.Errorf("status %d", resp.StatusCode)
						return
					}
				}
			})
		})
	}
}
