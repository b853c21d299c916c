package e2e

import (
	"bufio"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"net"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

// stopLimit is how long a container waits between SIGTERM and SIGKILL.
const stopLimit = 10 * time.Second

// waitUntil polls cond until it holds, and fails the test at timeout.
func waitUntil(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited %s for %s: it did not come", timeout, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// deliveriesOf reads the deliveries of post id, by network.
func deliveriesOf(t *testing.T, in *instance, id int64) map[string]crashDelivery {
	t.Helper()
	ds, err := readCrashDeliveries(in.dbPath)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]crashDelivery{}
	for _, d := range ds {
		if d.PostID == id {
			out[d.Network] = d
		}
	}
	return out
}

// sentTo counts, per network, the requests that carried marker and the
// posts they made.
func sentTo(nets *slowNets, marker string) (requests, created map[string]int) {
	requests, created = map[string]int{}, map[string]int{}
	posts, _ := nets.snapshot()
	for _, p := range posts {
		if strings.Contains(p.Text, marker) {
			requests[p.Network]++
			if p.Created {
				created[p.Network]++
			}
		}
	}
	return requests, created
}

// TestStopWithPublicationsInFlight sends SIGTERM while a post's publish
// calls are in flight to a Mastodon and an X that took the post in and
// have not answered yet. The process exits within a container's 10 s,
// leaves no delivery in publishing under a live lease, and the next start
// posts nothing a second time.
func TestStopWithPublicationsInFlight(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		plan callPlan
		// want are the deliveries' states after the stop: the outcome
		// recorded, or, for calls the stop had to cut, Mastodon's kept for
		// a retry under its key and X's left for a person to check.
		want map[string]string
	}{
		{"AnswersWithinTheGrace", callPlan{after: 2 * time.Second}, map[string]string{"mastodon": "published", "x": "published"}},
		{"NeverAnswers", callPlan{fault: faultHang}, map[string]string{"mastodon": "scheduled", "x": "unknown"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in, nets := startTwoNetworks(t, 1, func(*rand.Rand) callPlan { return tt.plan })
			marker := "stop-" + strings.ToLower(tt.name)
			p := draftPost(t, in, marker, "Le chat s'arrête en plein vol : "+marker)
			in.click(approver1, p.Card, p.Card.button(t, "approve"))
			waitUntil(t, 10*time.Second, "both networks serving the post", func() bool { return nets.inFlight() == 2 })

			took, exitErr, ok := in.terminate(stopLimit)
			if !ok {
				t.Fatalf("catweete did not exit within %s of SIGTERM", stopLimit)
			}
			if exitErr != nil {
				t.Errorf("catweete exited with %v after SIGTERM, want a clean exit", exitErr)
			}
			t.Logf("catweete exited %s after SIGTERM, two publish calls in flight", took.Round(time.Millisecond))
			now := time.Now().Unix()
			for network, d := range deliveriesOf(t, in, p.ID) {
				if d.Status == "publishing" && d.Lease > now {
					t.Errorf("%s: left publishing under a lease until %s", network, time.Unix(d.Lease, 0))
				}
				if d.Status != tt.want[network] {
					t.Errorf("%s: delivery %s after the stop, want %s (%s)", network, d.Status, tt.want[network], d.LastError)
				}
			}

			// The next start, with networks that answer, after the wait a
			// retry asks for (skipped): a post drafted after it goes out,
			// so the first dispatcher round is over by then.
			nets.setPlanner(func(*rand.Rand) callPlan { return callPlan{} })
			retriesDueNow(t, in.dbPath)
			in.start()
			next := draftPost(t, in, marker+"-next", "Et il repart : "+marker+"-next")
			in.click(approver1, next.Card, next.Card.button(t, "approve"))
			waitUntil(t, 15*time.Second, "the next post published on both networks", func() bool {
				ds := deliveriesOf(t, in, next.ID)
				return ds["mastodon"].Status == "published" && ds["x"].Status == "published"
			})
			requests, created := sentTo(nets, "plein vol") // the first post's words
			if created["mastodon"] != 1 || created["x"] != 1 {
				t.Errorf("the post in flight at the stop made %v posts, want one per network (requests %v)", created, requests)
			}
			if requests["x"] != 1 {
				t.Errorf("X was sent the post %d times, want once: X has no idempotency key", requests["x"])
			}
			if d := deliveriesOf(t, in, p.ID)["mastodon"]; d.Status != "published" {
				t.Errorf("mastodon: delivery %s after the restart, want published", d.Status)
			}
			checkLogs(t, in)
		})
	}
}

// retriesDueNow moves the retries of the stopped bot's database to now, as
// if it had stayed down as long as they wait.
func retriesDueNow(t *testing.T, path string) {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+path+"?_busy_timeout=5000")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`UPDATE deliveries SET next_attempt_at = ? WHERE status = 'scheduled'`, time.Now().Unix()); err != nil {
		t.Fatal(err)
	}
}

// signedHead is the start of a signed Slack request whose body is
// announced as length bytes long.
func signedHead(in *instance, path string, body []byte, length int) string {
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	mac := hmac.New(sha256.New, []byte(in.secrets.signingSecret))
	mac.Write([]byte("v0:" + ts + ":"))
	mac.Write(body)
	return fmt.Sprintf("POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/x-www-form-urlencoded\r\n"+
		"Content-Length: %d\r\nX-Slack-Request-Timestamp: %s\r\nX-Slack-Signature: v0=%s\r\n\r\n",
		path, in.addr, length, ts, hex.EncodeToString(mac.Sum(nil)))
}

// slowClient is a connection to the bot that a test writes to as slowly
// as it likes; dropped is closed when the bot ends it.
type slowClient struct {
	conn    net.Conn
	opened  time.Time
	dropped chan struct{}
	took    time.Duration // once dropped: how long the bot kept it
}

func dialSlow(t *testing.T, in *instance) *slowClient {
	t.Helper()
	conn, err := net.Dial("tcp", in.addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	c := &slowClient{conn: conn, opened: time.Now(), dropped: make(chan struct{})}
	go func() {
		// Whatever the bot answers, the connection is over when it closes.
		r := bufio.NewReader(conn)
		for {
			if _, err := r.ReadByte(); err != nil {
				c.took = time.Since(c.opened)
				close(c.dropped)
				return
			}
		}
	}()
	return c
}

// dribble writes s one byte a second until the bot drops the connection.
func (c *slowClient) dribble(s string) {
	go func() {
		for i := range len(s) {
			if _, err := c.conn.Write([]byte{s[i]}); err != nil {
				return
			}
			select {
			case <-c.dropped:
				return
			case <-time.After(time.Second):
			}
		}
	}()
}

// TestSlowClientsHoldNoWorker opens more slow connections than the bot has
// workers: some send their headers, others their body, a byte a second;
// others send whole requests and never read the answers. Meanwhile the bot
// acks other requests within Slack's 3 s and does their work, the requests
// never read are done all the same, and the server's timeouts drop the
// slow ones (ReadHeaderTimeout 5 s, ReadTimeout 10 s).
func TestSlowClientsHoldNoWorker(t *testing.T) {
	t.Parallel()
	in := startInstance(t, options{})
	const slow = 10 // the bot has 8 workers

	var dribblers []*slowClient
	for i := range slow {
		c := dialSlow(t, in)
		body := url.Values{"text": {"statut"}, "user_id": {author}}.Encode()
		head := signedHead(in, "/slack/commands", []byte(body), len(body))
		if i%2 == 0 {
			c.dribble(head) // headers, a byte a second
		} else {
			if _, err := c.conn.Write([]byte(head)); err != nil {
				t.Fatal(err)
			}
			c.dribble(body) // the body, a byte a second
		}
		dribblers = append(dribblers, c)
	}
	var deaf []string
	for i := range slow {
		c := dialSlow(t, in)
		marker := fmt.Sprintf("e2e-deaf-%d", i)
		body := []byte(url.Values{
			"team_id": {"T1"}, "channel_id": {teamChannel}, "user_id": {author}, "command": {slashCommand},
			"text": {"draft Personne n'écoute " + marker}, "api_app_id": {"A1"},
			"response_url": {in.slack.newResponseURL("deaf" + strconv.Itoa(i))}, "trigger_id": {"trigger-deaf"},
		}.Encode())
		if _, err := c.conn.Write(append([]byte(signedHead(in, "/slack/commands", body, len(body))), body...)); err != nil {
			t.Fatal(err)
		}
		deaf = append(deaf, marker) // nothing reads its answer
	}

	// While they hang on, the bot serves and works.
	for i := range 3 {
		got := in.answer(in.command(colleague, teamChannel, "statut"))
		if strings.TrimSpace(got) == "" {
			t.Errorf("status #%d: no answer while slow clients hang on", i)
		}
	}
	for _, marker := range deaf {
		in.waitCard(0, marker) // drafted, though its author never read the ack
	}

	var longest time.Duration
	for i, c := range dribblers {
		select {
		case <-c.dropped:
		case <-time.After(20 * time.Second):
			t.Fatalf("slow client %d still connected after 20 s", i)
		}
		longest = max(longest, c.took)
	}
	t.Logf("the slowest client was dropped after %s", longest.Round(time.Millisecond))
	checkLogs(t, in)
}
