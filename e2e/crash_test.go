package e2e

import (
	"database/sql"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// crashLease is the dispatcher's lease (workflows.leaseDuration): a delivery
// a killed process left in publishing is recovered only after it.
const crashLease = 2 * time.Minute

// crashMarker finds a crash test post's marker in a text.
var crashMarker = regexp.MustCompile(`crash-r\d+-p\d+`)

// crashPost is a post the crash test drafted.
type crashPost struct {
	Marker, Text string
	ID           int64
	Card         card
	Round        int
	Approved     bool // its approval was seen committed
	Final        bool // drafted on the last bot, which no kill interrupts
}

// killPoint is one SIGKILL and what was in flight then.
type killPoint struct {
	Round       int
	Delay       time.Duration
	Waited      bool // the approvals were seen committed before the delay
	Open        int  // publish calls the fake networks were serving
	NewInFlight int  // deliveries this process left in publishing
}

// TestCrashNeverPublishesTwiceNorLoses kills the bot with SIGKILL at random
// points while it publishes to a slow Mastodon (which honours
// Idempotency-Key) and a slow X (which has no idempotency), restarts it on
// the same database each time, and checks that no post went out twice and
// none was lost. CATWEETE_E2E_CRASH_SEED replays a run's random choices (the
// timing of the processes themselves cannot be replayed);
// CATWEETE_E2E_CRASH_ROUNDS sets the number of kill points.
func TestCrashNeverPublishesTwiceNorLoses(t *testing.T) {
	if testing.Short() {
		t.Skip("kills and restarts the bot some 20 times")
	}
	t.Parallel()
	seed := envUint(t, "CATWEETE_E2E_CRASH_SEED", uint64(time.Now().UnixNano()))
	rounds := int(envUint(t, "CATWEETE_E2E_CRASH_ROUNDS", 30))
	if rounds < 1 || rounds > 500 {
		t.Fatalf("CATWEETE_E2E_CRASH_ROUNDS=%d: want 1 to 500", rounds)
	}
	t.Logf("seed %d (replay with CATWEETE_E2E_CRASH_SEED=%d), %d kill points", seed, seed, rounds)
	rng := rand.New(rand.NewPCG(seed, 0xc4a5))
	in, nets := startCrashInstance(t, seed)
	began := time.Now()

	var (
		posts     []*crashPost
		kills     []killPoint
		lostClick int // approvals acknowledged, then lost to a kill
		left      = map[int64]bool{}
	)
	for round := 1; round <= rounds; round++ {
		if round > 1 {
			in.start()
		}
		// An approval that a kill cut short is given again, as the person
		// would click again on a card that did not change.
		for _, p := range posts {
			if !p.Approved && crashPostStatus(t, in, p.ID) == "pending" {
				lostClick++
				in.click(approver1, p.Card, p.Card.button(t, "approve"))
			}
		}
		drafts := 1 + rng.IntN(3)
		for k := 1; k <= drafts; k++ {
			posts = append(posts, draftAndApprove(t, in, round, k))
		}
		// Most rounds wait for the approvals to be stored; the others kill
		// while they may still be on their way in.
		waited := rng.IntN(4) != 0
		if waited {
			for _, p := range posts {
				if !p.Approved {
					p.Approved = waitApproved(t, in, p, 5*time.Second)
				}
			}
		}
		delay := time.Duration(rng.Int64N(int64(1500 * time.Millisecond)))
		time.Sleep(delay)
		open := nets.inFlight()
		in.kill()
		kp := killPoint{Round: round, Delay: delay, Waited: waited, Open: open}
		ds, err := readCrashDeliveries(in.dbPath)
		if err != nil {
			t.Fatalf("after kill %d: %v", round, err)
		}
		for _, d := range ds {
			if d.Status == "publishing" && !left[d.ID] {
				left[d.ID] = true
				kp.NewInFlight++
			}
		}
		for _, p := range posts {
			if !p.Approved {
				p.Approved = crashPostStatus(t, in, p.ID) != "pending"
			}
		}
		kills = append(kills, kp)
		t.Logf("kill %2d after %4dms (approvals stored first: %-5v): %d publish call(s) open, %d delivery(ies) newly left publishing",
			round, delay.Milliseconds(), waited, kp.Open, kp.NewInFlight)
	}
	loopTook := time.Since(began)

	// The last run: no more hanging calls, every approval given, and time
	// for all that can go out to go out.
	nets.setPlanner(crashPlanner(false))
	// The last bot starts on a fresh second: a lease it takes (at least
	// start + 2 min) is then told apart from one a killed bot left.
	time.Sleep(time.Until(time.Now().Truncate(time.Second).Add(time.Second)))
	finalStart := time.Now()
	in.start()
	for _, p := range posts {
		if !p.Approved && crashPostStatus(t, in, p.ID) == "pending" {
			lostClick++
			in.click(approver1, p.Card, p.Card.button(t, "approve"))
		}
	}
	for _, p := range posts {
		if !p.Approved && !waitApproved(t, in, p, 5*time.Second) {
			t.Fatalf("post %d (%s) is still not approved after a click on a running bot", p.ID, p.Marker)
		}
		p.Approved = true
	}
	// Posts drafted on the last bot must go out everywhere: it works after
	// all those crashes, and records what it publishes.
	for k := 1; k <= 3; k++ {
		p := draftAndApprove(t, in, rounds+1, k)
		p.Final = true
		posts = append(posts, p)
	}
	if !settleCrash(t, in, nets, finalStart, 30*time.Second) {
		t.Errorf("the deliveries did not settle within 30 s")
	}
	checkLogs(t, in) // SIGTERM, a clean exit, no panic, no data race

	ds, err := readCrashDeliveries(in.dbPath)
	if err != nil {
		t.Fatal(err)
	}
	sent, unexpected := nets.snapshot()
	for _, u := range unexpected {
		t.Errorf("a fake network got a request it does not serve: %s", u)
	}
	checkCrashOutcome(t, in, finalStart, posts, ds, sent)

	// The figures.
	var open, newInFlight, waitedKills int
	for _, k := range kills {
		open += k.Open
		newInFlight += k.NewInFlight
		if k.Waited {
			waitedKills++
		}
	}
	tally := map[string]int{}
	for _, d := range ds {
		tally[d.Network+"/"+d.Status]++
	}
	keys := make([]string, 0, len(tally))
	for k := range tally {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, " %s=%d", k, tally[k])
	}
	outcomes := map[string]int{}
	repeated := 0
	for _, s := range sent {
		outcomes[s.Network+" "+s.Outcome]++
		if s.Repeated {
			repeated++
		}
	}
	t.Logf("kill points: %d (%d after the approvals were stored), the loop took %s", len(kills), waitedKills, loopTook.Round(time.Millisecond))
	t.Logf("in flight at the kills: %d publish call(s) open at the fakes, %d delivery(ies) left in publishing; %d approval(s) acknowledged then lost to a kill and given again",
		open, newInFlight, lostClick)
	t.Logf("posts: %d, deliveries: %d; final tally:%s", len(posts), len(ds), b.String())
	t.Logf("publish requests at the fakes: %d, by outcome %v; Mastodon requests that repeated a key: %d", len(sent), outcomes, repeated)
	t.Logf("whole test: %s", time.Since(began).Round(time.Millisecond))
}

// draftAndApprove drafts post k of a round with a unique text, and clicks
// approve on its card.
func draftAndApprove(t *testing.T, in *instance, round, k int) *crashPost {
	t.Helper()
	marker := fmt.Sprintf("crash-r%03d-p%d", round, k)
	p := draftPost(t, in, marker, fmt.Sprintf("Le chat décolle, tour %d, billet %d : %s", round, k, marker))
	p.Round = round
	in.click(approver1, p.Card, p.Card.button(t, "approve"))
	return p
}

// draftPost drafts text, which holds marker, and returns the post with its
// card, not yet approved.
func draftPost(t *testing.T, in *instance, marker, text string) *crashPost {
	t.Helper()
	p := &crashPost{Marker: marker, Text: text}
	_, p.Card = in.draft("draft", p.Text, p.Marker)
	approve := p.Card.button(t, "approve")
	id, _, _ := strings.Cut(approve.Value, ":")
	var err error
	if p.ID, err = strconv.ParseInt(id, 10, 64); err != nil {
		t.Fatalf("approve button value %q names no post", approve.Value)
	}
	return p
}

// startCrashInstance starts the bot with two networks, both slow fakes.
func startCrashInstance(t *testing.T, seed uint64) (*instance, *slowNets) {
	t.Helper()
	return startTwoNetworks(t, seed, crashPlanner(true))
}

// startTwoNetworks starts the bot with a fake Mastodon and a fake X whose
// publish calls go as plan says, and env added to its environment.
func startTwoNetworks(t *testing.T, seed uint64, plan planner, env ...string) (*instance, *slowNets) {
	t.Helper()
	s := secrets{
		botToken:      "xoxb-e2e-" + randomHex(12),
		signingSecret: randomHex(16),
		mastodonToken: "masto-e2e-" + randomHex(16),
	}
	xToken := "x-e2e-" + randomHex(16)
	nets := newSlowNets(t, seed, plan, s.mastodonToken, xToken)
	in := &instance{
		t: t, secrets: s, dir: t.TempDir(), logs: &lockedBuffer{},
		slack: newFakeSlack(t, s.botToken, nil),
		// The harness's own fake Mastodon is not used (the bot talks to
		// nets); dumpLogs reads it.
		masto: newFakeMastodon(t, s.mastodonToken),
		http:  &http.Client{Timeout: 10 * time.Second},
	}
	in.dbPath = filepath.Join(in.dir, "catweete.db")
	in.addr = freeAddr(t)
	in.env = []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + in.dir,
		"SLACK_BOT_TOKEN=" + s.botToken,
		"SLACK_SIGNING_SECRET=" + s.signingSecret,
		"SLACK_API_URL=" + in.slack.apiURL(),
		"CATWEETE_DB=" + in.dbPath,
		"CATWEETE_HTTP_ADDR=" + in.addr,
		"CATWEETE_APPROVAL_CHANNEL=" + approvalChannel,
		"CATWEETE_APPROVERS=" + approver1 + "," + approver2,
		"MASTODON_URL=" + nets.masto.URL,
		"MASTODON_TOKEN=" + s.mastodonToken,
		"X_API_URL=" + nets.x.URL,
		"X_ACCESS_TOKEN=" + xToken,
	}
	in.env = append(in.env, env...)
	t.Cleanup(func() {
		in.kill()
		if t.Failed() {
			in.dumpLogs()
			sent, _ := nets.snapshot()
			for _, p := range sent {
				t.Logf("%s saw: #%d key=%q %q → id %q created=%v repeated=%v %s", p.Network, p.Seq, p.Key,
					short(p.Text, 80), p.ID, p.Created, p.Repeated, p.Outcome)
			}
		}
	})
	in.start()
	return in, nets
}

// crashDelivery is a delivery row with its account's network and its post.
type crashDelivery struct {
	ID, PostID                     int64
	Network, Status, Key           string
	Attempts                       int
	NextAttempt, Lease             int64 // Unix seconds; 0 when NULL
	RemoteID, RemoteURL, LastError string
	Text, PostStatus               string
}

// openReadOnly opens the bot's database without ever writing to it.
func openReadOnly(path string) (*sql.DB, error) {
	return sql.Open("sqlite3", "file:"+path+"?mode=ro&_busy_timeout=5000")
}

func readCrashDeliveries(path string) ([]crashDelivery, error) {
	db, err := openReadOnly(path)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	rows, err := db.Query(`SELECT d.id, d.post_id, a.network, d.status, d.idempotency_key, d.attempts,
		coalesce(d.next_attempt_at, 0), coalesce(d.lease_until, 0), d.remote_id, d.remote_url, d.last_error, p.text, p.status
		FROM deliveries d JOIN accounts a ON a.id = d.account_id JOIN posts p ON p.id = d.post_id
		ORDER BY d.id`)
	if err != nil {
		return nil, fmt.Errorf("reading deliveries: %w", err)
	}
	defer rows.Close()
	var ds []crashDelivery
	for rows.Next() {
		var d crashDelivery
		if err := rows.Scan(&d.ID, &d.PostID, &d.Network, &d.Status, &d.Key, &d.Attempts, &d.NextAttempt, &d.Lease,
			&d.RemoteID, &d.RemoteURL, &d.LastError, &d.Text, &d.PostStatus); err != nil {
			return nil, fmt.Errorf("reading deliveries: %w", err)
		}
		ds = append(ds, d)
	}
	return ds, rows.Err()
}

// crashPostStatus reads a post's status.
func crashPostStatus(t *testing.T, in *instance, id int64) string {
	t.Helper()
	db, err := openReadOnly(in.dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var status string
	if err := db.QueryRow(`SELECT status FROM posts WHERE id = ?`, id).Scan(&status); err != nil {
		t.Fatalf("post %d: %v", id, err)
	}
	return status
}

// waitApproved waits until the post has left pending.
func waitApproved(t *testing.T, in *instance, p *crashPost, timeout time.Duration) bool {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		if crashPostStatus(t, in, p.ID) != "pending" {
			return true
		}
		if time.Now().After(deadline) {
			t.Errorf("post %d (%s) still pending %s after its approval was acknowledged", p.ID, p.Marker, timeout)
			return false
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// settleCrash waits until nothing is due, nothing is being published by
// the last bot, the fakes serve no call, and the deliveries, the posts and
// Slack have not changed for 1.5 s. Deliveries a killed bot left in
// publishing stay there until their lease expires, after the test.
func settleCrash(t *testing.T, in *instance, nets *slowNets, finalStart time.Time, timeout time.Duration) bool {
	t.Helper()
	deadline := time.Now().Add(timeout)
	var last string
	stable := time.Now()
	for time.Now().Before(deadline) {
		ds, err := readCrashDeliveries(in.dbPath)
		if err != nil {
			t.Logf("settling: %v", err)
			time.Sleep(100 * time.Millisecond)
			continue
		}
		now := time.Now().Unix()
		due := false
		var b strings.Builder
		for _, d := range ds {
			if d.Status == "scheduled" && d.NextAttempt <= now || d.Status == "publishing" && d.Lease >= ownLease(finalStart) {
				due = true
			}
			fmt.Fprintf(&b, "%d:%s:%d:%d:%s;", d.ID, d.Status, d.Attempts, d.Lease, d.PostStatus)
		}
		fmt.Fprintf(&b, "slack:%d", in.slack.mark())
		if sig := b.String(); sig != last {
			last, stable = sig, time.Now()
		}
		if !due && nets.inFlight() == 0 && time.Since(stable) >= 1500*time.Millisecond {
			return true
		}
		time.Sleep(100 * time.Millisecond)
	}
	return false
}

// checkCrashOutcome asserts that no post went out twice and none was lost.
func checkCrashOutcome(t *testing.T, in *instance, finalStart time.Time, posts []*crashPost, ds []crashDelivery, sent []netPost) {
	t.Helper()
	byMarker := map[string]*crashPost{}
	for _, p := range posts {
		byMarker[p.Marker] = p
	}
	// deliveryOf[marker][network] is the post's delivery on that network.
	deliveryOf := map[string]map[string]crashDelivery{}
	byKey := map[string]crashDelivery{}
	for _, d := range ds {
		m := crashMarker.FindString(d.Text)
		if byMarker[m] == nil {
			t.Errorf("delivery %d belongs to a post the test did not draft: %q", d.ID, d.Text)
			continue
		}
		if deliveryOf[m] == nil {
			deliveryOf[m] = map[string]crashDelivery{}
		}
		if prev, dup := deliveryOf[m][d.Network]; dup {
			t.Errorf("post %s has two %s deliveries: %d and %d", m, d.Network, prev.ID, d.ID)
		}
		deliveryOf[m][d.Network] = d
		byKey[d.Key] = d
	}

	// (1) Nothing published twice.
	statuses := map[string][]netPost{} // marker → Mastodon statuses created
	xPosts := map[string][]netPost{}   // marker → every POST /2/tweets
	for _, s := range sent {
		m := crashMarker.FindString(s.Text)
		if byMarker[m] == nil {
			t.Errorf("%s received a text the test did not draft: %q", s.Network, s.Text)
			continue
		}
		switch s.Network {
		case "mastodon":
			if s.Key == "" {
				t.Errorf("Mastodon received %s without an Idempotency-Key", m)
			}
			if s.Created {
				statuses[m] = append(statuses[m], s)
			}
		case "x":
			xPosts[m] = append(xPosts[m], s)
		}
	}
	for m, ss := range statuses {
		if len(ss) > 1 {
			t.Errorf("DOUBLE POST on Mastodon: %s has %d statuses, from keys %v", m, len(ss), netPostKeys(ss))
		}
		for _, s := range ss {
			if d, ok := byKey[s.Key]; !ok || d.Network != "mastodon" || crashMarker.FindString(d.Text) != m {
				t.Errorf("Mastodon status %s of %s was created with key %q, which its delivery no longer holds (it holds %q): a retry would post again",
					s.ID, m, s.Key, deliveryOf[m]["mastodon"].Key)
			}
		}
	}
	for m, ps := range xPosts {
		if len(ps) > 1 {
			t.Errorf("DOUBLE POST on X: %s was POSTed %d times (ids %v, outcomes %v)", m, len(ps), netPostIDs(ps), netPostOutcomes(ps))
		}
	}

	// (2) Nothing lost: each approved post has one delivery per network,
	// in a state that is either done or still on its way.
	for _, p := range posts {
		for _, network := range []string{"mastodon", "x"} {
			d, ok := deliveryOf[p.Marker][network]
			if !ok {
				t.Errorf("LOST: post %d (%s) has no %s delivery", p.ID, p.Marker, network)
				continue
			}
			if p.Final && d.Status != "published" {
				t.Errorf("delivery %d (%s on %s), approved on the last bot, is %q (%q), want published",
					d.ID, p.Marker, network, d.Status, d.LastError)
			}
			switch d.Status {
			case "published":
				if d.RemoteID == "" {
					t.Errorf("delivery %d (%s on %s) is published without a remote id", d.ID, p.Marker, network)
				}
			case "scheduled", "unknown":
			case "publishing":
				// A killed bot's lease outlives the test; the last bot
				// recovers at its start every lease that had ended.
				switch {
				case d.Lease >= ownLease(finalStart):
					t.Errorf("LOST: delivery %d (%s on %s) is still publishing in the last bot, after the settling: its outcome was never recorded",
						d.ID, p.Marker, network)
				case d.Lease < finalStart.Unix():
					t.Errorf("LOST: delivery %d (%s on %s) is still publishing, with a lease that ended %ds before the last start",
						d.ID, p.Marker, network, finalStart.Unix()-d.Lease)
				}
			case "failed":
				if strings.TrimSpace(d.LastError) == "" {
					t.Errorf("delivery %d (%s on %s) failed without a reason", d.ID, p.Marker, network)
				}
			default:
				t.Errorf("LOST: delivery %d (%s on %s) of an approved post is %q (post %q)", d.ID, p.Marker, network, d.Status, d.PostStatus)
			}
		}
	}
	// Whatever a network holds is published (with that id) or waits for
	// its lease or a person; a post the bot says it published is on the
	// network.
	for m, ss := range statuses {
		d := deliveryOf[m]["mastodon"]
		checkHeld(t, d, m, "Mastodon", ss[0].ID, finalStart, true)
	}
	for m, ps := range xPosts {
		d := deliveryOf[m]["x"]
		var id string
		for _, p := range ps {
			if p.Created {
				id = p.ID
			}
		}
		if id == "" {
			// The request reached X but the bot hung up before X took it
			// in: X holds nothing, but the bot cannot know that.
			if d.Status == "scheduled" {
				t.Errorf("delivery %d (%s on X) is scheduled again after its POST reached X: it would be sent blindly", d.ID, m)
			}
			continue
		}
		checkHeld(t, d, m, "X", id, finalStart, false)
	}
	for _, d := range ds {
		if d.Status != "published" {
			continue
		}
		m := crashMarker.FindString(d.Text)
		held := statuses[m]
		if d.Network == "x" {
			held = nil
			for _, p := range xPosts[m] {
				if p.Created {
					held = append(held, p)
				}
			}
		}
		if len(held) == 0 {
			t.Errorf("delivery %d (%s on %s) is published as %q, but the network holds no such post", d.ID, m, d.Network, d.RemoteID)
		}
	}

	// (3) Each approval is in the audit log.
	db, err := openReadOnly(in.dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, p := range posts {
		var n int
		if err := db.QueryRow(`SELECT count(*) FROM audit_log WHERE post_id = ? AND action = 'approve' AND actor_id = ?`,
			p.ID, approver1).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 1 {
			t.Errorf("the audit log holds %d approval(s) of post %d (%s) by %s, want 1", n, p.ID, p.Marker, approver1)
		}
	}

	// Not asked of the bot here, but worth a line: a post whose
	// deliveries have all ended and that still reads as publishing.
	for _, p := range posts {
		ended, status := 0, ""
		for _, d := range deliveryOf[p.Marker] {
			status = d.PostStatus
			if d.Status == "published" || d.Status == "failed" || d.Status == "canceled" {
				ended++
			}
		}
		if ended == 2 && status != "published" && status != "partial" && status != "failed" {
			t.Logf("note: post %d (%s) has every delivery ended but is still %q", p.ID, p.Marker, status)
		}
	}
}

// checkHeld checks the delivery of a post the network holds as id.
func checkHeld(t *testing.T, d crashDelivery, marker, network, id string, finalStart time.Time, idempotent bool) {
	t.Helper()
	switch {
	case d.ID == 0:
		t.Errorf("%s holds %s as %s, but the bot has no delivery for it", network, marker, id)
	case d.Status == "published":
		if d.RemoteID != id {
			t.Errorf("delivery %d (%s on %s) is published as %q, but %s holds it as %q", d.ID, marker, network, d.RemoteID, network, id)
		}
	case d.Status == "unknown":
	case d.Status == "publishing" && d.Lease >= finalStart.Unix() && d.Lease < ownLease(finalStart):
		// Killed mid-call: recovered when its lease ends.
	case d.Status == "scheduled" && idempotent:
		// Sent again with the same key, it gets the same status.
	default:
		t.Errorf("delivery %d (%s on %s) is %q (lease %+ds from the last start) although %s holds it as %s",
			d.ID, marker, network, d.Status, d.Lease-finalStart.Unix(), network, id)
	}
}

// ownLease is the earliest lease the last bot, started at finalStart,
// takes: a lease before it was left by a killed bot.
func ownLease(finalStart time.Time) int64 {
	return finalStart.Unix() + int64(crashLease/time.Second)
}

func netPostKeys(ps []netPost) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Key)
	}
	return out
}

func netPostIDs(ps []netPost) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.ID)
	}
	return out
}

func netPostOutcomes(ps []netPost) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Outcome)
	}
	return out
}
