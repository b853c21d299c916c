package e2e

import (
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// The fault test's size. Its CI run must end within two minutes on two
// cores with the bot race-checked; CATWEETE_E2E_FAULT_DRAFTS and
// CATWEETE_E2E_FAULT_KILLS run it long by hand.
const (
	faultDraftsDefault = 500
	faultKillsDefault  = 24
	// faultNetworkTimeout is the bot's CATWEETE_NETWORK_TIMEOUT: how long a
	// hung publish call holds its account's slot.
	faultNetworkTimeout = "1s"
	// A kill comes this long after the round's approvals start going in.
	faultKillMin = 50 * time.Millisecond
	faultKillMax = 1500 * time.Millisecond
)

// faultMarker finds a fault test post's marker in a text.
var faultMarker = regexp.MustCompile(`fault-p\d{4}`)

// faultPlanner draws each publish call's fate: a little slow always, and
// about one call in four goes wrong. A 503 and a 429 are refused before the
// network takes anything in; a hang and a dropped connection come after it
// took the post in, so that the client cannot know whether it exists. slow
// false leaves those two out: they are what makes Mastodon retry only 30 s
// later, and X ask a person.
func faultPlanner(slow bool) planner {
	return func(rng *rand.Rand) callPlan {
		p := callPlan{
			before: time.Duration(rng.Int64N(int64(60 * time.Millisecond))),
			after:  10*time.Millisecond + time.Duration(rng.Int64N(int64(60*time.Millisecond))),
		}
		switch r := rng.IntN(100); {
		case r < 8:
			p.fault = faultServerError
		case r < 16:
			p.fault = faultRateLimit
		case r < 21 && slow:
			p.fault = faultHang
		case r >= 21 && r < 26 && slow:
			p.fault = faultDrop
		}
		return p
	}
}

// faultKill is one SIGKILL and what was in flight then.
type faultKill struct {
	Delay       time.Duration
	Clicks      int  // approvals sent in this round's window
	Skipped     bool // the restart after it skipped a long downtime
	Open        int  // publish calls the fake networks were serving
	NewInFlight int  // deliveries this process left in publishing
}

// TestFaultsPublishOnceThroughFailuresAndKills drafts posts through signed
// Slack payloads, approves them, and lets the bot publish them to a fake
// Mastodon and a fake X that, call by call at random, answer, fail with a
// 503, rate limit with their own headers, hang until the client's timeout,
// or take the post in and drop the connection; meanwhile the bot is killed
// with SIGKILL at random moments and restarted on the same database, until
// every delivery has reached a final state. Then: no post went out twice,
// none was lost (each delivery is published with the network's id, or
// failed or unknown with an alert), each post's audit log is a walk of the
// state machine to where the post stands, and each card's last drawing
// says what the database says.
//
// CATWEETE_E2E_FAULT_SEED replays a run's random choices (the timing of
// the processes cannot be replayed); CATWEETE_E2E_FAULT_DRAFTS and
// CATWEETE_E2E_FAULT_KILLS set its size.
func TestFaultsPublishOnceThroughFailuresAndKills(t *testing.T) {
	if testing.Short() {
		t.Skip("publishes hundreds of posts through failing networks and kills the bot some 20 times")
	}
	t.Parallel()
	seed := envUint(t, "CATWEETE_E2E_FAULT_SEED", uint64(time.Now().UnixNano()))
	drafts := int(envUint(t, "CATWEETE_E2E_FAULT_DRAFTS", faultDraftsDefault))
	maxKills := int(envUint(t, "CATWEETE_E2E_FAULT_KILLS", faultKillsDefault))
	if drafts < 1 || drafts > 9999 || maxKills < 1 || maxKills > 10000 {
		t.Fatalf("CATWEETE_E2E_FAULT_DRAFTS=%d, CATWEETE_E2E_FAULT_KILLS=%d: want 1 to 9999 drafts and 1 to 10000 kills", drafts, maxKills)
	}
	t.Logf("seed %d (replay with CATWEETE_E2E_FAULT_SEED=%d), %d drafts, up to %d kill points", seed, seed, drafts, maxKills)
	rng := rand.New(rand.NewPCG(seed, 0xfa17))
	in, nets := startTwoNetworks(t, seed, faultPlanner(true), "CATWEETE_NETWORK_TIMEOUT="+faultNetworkTimeout)
	began := time.Now()

	// Drafts are spread over three quarters of the kill points; the rest
	// kill while only publishing is left.
	draftRounds := max(maxKills*3/4, 1)
	perRound := (drafts + draftRounds - 1) / draftRounds
	var (
		posts     []*crashPost
		kills     []faultKill
		lostClick int // approvals acknowledged, then lost to a kill
		left      = map[int64]bool{}
	)
	for len(kills) < maxKills {
		if len(kills) > 0 {
			// Half the restarts come after a long stop: what the kill left
			// in publishing is past its lease, every retry is due.
			if rng.IntN(2) == 0 {
				kills[len(kills)-1].Skipped = true
				skipDowntime(t, in.dbPath)
			}
			in.start()
		}
		statuses := readPostStatuses(t, in.dbPath)
		var toApprove []*crashPost
		for _, p := range posts {
			if statuses[p.ID] == "pending" {
				toApprove = append(toApprove, p)
			}
		}
		for k := 0; k < perRound && len(posts) < drafts; k++ {
			n := len(posts) + 1
			marker := fmt.Sprintf("fault-p%04d", n)
			p := draftPost(t, in, marker, fmt.Sprintf("Le chat tient bon, billet %d : %s", n, marker))
			posts = append(posts, p)
			toApprove = append(toApprove, p)
		}
		// The approvals go in a few milliseconds apart while the killer
		// waits; those that come after the kill find no one.
		rng.Shuffle(len(toApprove), func(i, j int) { toApprove[i], toApprove[j] = toApprove[j], toApprove[i] })
		gaps := make([]time.Duration, len(toApprove))
		buttons := make([]button, len(toApprove))
		for i, p := range toApprove {
			gaps[i] = time.Duration(rng.Int64N(int64(20 * time.Millisecond)))
			buttons[i] = p.Card.button(t, "approve")
		}
		delay := faultKillMin + time.Duration(rng.Int64N(int64(faultKillMax-faultKillMin)))
		acked := make([]bool, len(toApprove))
		var clicker sync.WaitGroup
		clicker.Go(func() {
			for i, p := range toApprove {
				time.Sleep(gaps[i])
				k := in.clickRaw(approver1, p.Card, buttons[i])
				if k.Err != nil {
					return // killed: the others would fail too
				}
				acked[i] = k.Status == 200
			}
		})
		time.Sleep(delay)
		open := nets.inFlight()
		in.kill()
		clicker.Wait()
		kp := faultKill{Delay: delay, Open: open}
		for _, a := range acked {
			if a {
				kp.Clicks++
			}
		}
		ds, err := readCrashDeliveries(in.dbPath)
		if err != nil {
			t.Fatalf("after kill %d: %v", len(kills)+1, err)
		}
		statuses = readPostStatuses(t, in.dbPath)
		for i, p := range toApprove {
			if acked[i] && statuses[p.ID] == "pending" {
				lostClick++
			}
		}
		settled := len(posts) == drafts
		for _, d := range ds {
			switch d.Status {
			case "publishing":
				if !left[d.ID] {
					left[d.ID] = true
					kp.NewInFlight++
				}
				settled = false
			case "waiting", "scheduled":
				settled = false
			}
		}
		kills = append(kills, kp)
		t.Logf("kill %2d after %4dms: %2d approval(s) acknowledged, %d publish call(s) open, %d delivery(ies) newly left publishing; %d/%d drafted",
			len(kills), delay.Milliseconds(), kp.Clicks, kp.Open, kp.NewInFlight, len(posts), drafts)
		if settled {
			break
		}
	}
	loopTook := time.Since(began)

	// The last run: the networks still refuse and rate limit, but no
	// longer hang or drop (Mastodon would retry those 30 s later), and no
	// one kills the bot. It starts after a long stop, on a fresh second: a
	// lease it takes is then told apart from one a killed bot left.
	nets.setPlanner(faultPlanner(false))
	skipDowntime(t, in.dbPath)
	time.Sleep(time.Until(time.Now().Truncate(time.Second).Add(time.Second)))
	in.start()
	for len(posts) < drafts {
		n := len(posts) + 1
		marker := fmt.Sprintf("fault-p%04d", n)
		posts = append(posts, draftPost(t, in, marker, fmt.Sprintf("Le chat tient bon, billet %d : %s", n, marker)))
	}
	statuses := readPostStatuses(t, in.dbPath)
	for _, p := range posts {
		if statuses[p.ID] == "pending" {
			in.click(approver1, p.Card, p.Card.button(t, "approve"))
		}
	}
	settleTimeout := 30*time.Second + time.Duration(drafts)*40*time.Millisecond
	if !settleFaults(t, in, nets, settleTimeout) {
		t.Errorf("the deliveries did not all reach a final state within %s", settleTimeout)
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
	calls, _ := in.slack.snapshot(0)
	checkFaultOutcome(t, in, posts, ds, sent, calls)

	// The figures.
	var open, newInFlight, skipped int
	for _, k := range kills {
		open += k.Open
		newInFlight += k.NewInFlight
		if k.Skipped {
			skipped++
		}
	}
	t.Logf("seed %d: %d drafts, %d kill points tried, %d restarts (%d after a long stop), the kill loop took %s",
		seed, len(posts), len(kills), in.starts-1, skipped, loopTook.Round(time.Millisecond))
	t.Logf("in flight at the kills: %d publish call(s) open at the fakes, %d delivery(ies) left in publishing; %d approval(s) acknowledged then lost to a kill and given again",
		open, newInFlight, lostClick)
	t.Logf("faults injected: %s", tallyOf(sent, func(p netPost) string {
		switch p.Outcome {
		case outcomeServerError, outcomeRateLimited, outcomeHung, outcomeDropped:
			return p.Outcome
		}
		return ""
	}))
	t.Logf("publish requests at the fakes: %d; by outcome: %s", len(sent), tallyOf(sent, func(p netPost) string { return p.Network + " " + p.Outcome }))
	t.Logf("deliveries: %d; by final state: %s", len(ds), tallyOf(ds, func(d crashDelivery) string { return d.Network + " " + d.Status }))
	t.Logf("posts by state: %s", tallyOf(ds, func(d crashDelivery) string {
		if d.Network != "mastodon" {
			return ""
		}
		return d.PostStatus
	}))
	t.Logf("whole test: %s", time.Since(began).Round(time.Millisecond))
}

// envUint reads a whole number from the environment, def when unset.
func envUint(t *testing.T, name string, def uint64) uint64 {
	t.Helper()
	s := os.Getenv(name)
	if s == "" {
		return def
	}
	v, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		t.Fatalf("%s=%q: %v", name, s, err)
	}
	return v
}

// tallyOf counts xs by key ("" is left out), in key order.
func tallyOf[T any](xs []T, key func(T) string) string {
	counts := map[string]int{}
	for _, x := range xs {
		if k := key(x); k != "" {
			counts[k]++
		}
	}
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s=%d", k, counts[k])
	}
	return b.String()
}

// skipDowntime makes the stopped bot's database look as if it had been
// stopped for longer than a lease and any wait between two attempts, as a
// restart after a long outage finds it: every lease has ended, every retry
// is due. Only those two clocks move. The dispatcher's lease (2 min) and
// its backoff (30 s, doubling) are far longer than a test can wait.
func skipDowntime(t *testing.T, dbPath string) {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+dbPath+"?_busy_timeout=5000")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	now := time.Now().Unix()
	if _, err := db.Exec(`UPDATE deliveries SET lease_until = ? WHERE status = 'publishing' AND lease_until >= ?`, now-1, now-1); err != nil {
		t.Fatalf("ending the leases: %v", err)
	}
	if _, err := db.Exec(`UPDATE deliveries SET next_attempt_at = ? WHERE status = 'scheduled' AND next_attempt_at > ?`, now, now); err != nil {
		t.Fatalf("making the retries due: %v", err)
	}
}

// readPostStatuses reads every post's status.
func readPostStatuses(t *testing.T, dbPath string) map[int64]string {
	t.Helper()
	db, err := openReadOnly(dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT id, status FROM posts`)
	if err != nil {
		t.Fatalf("reading the posts: %v", err)
	}
	defer rows.Close()
	out := map[int64]string{}
	for rows.Next() {
		var id int64
		var status string
		if err := rows.Scan(&id, &status); err != nil {
			t.Fatalf("reading the posts: %v", err)
		}
		out[id] = status
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("reading the posts: %v", err)
	}
	return out
}

// settleFaults waits until no post waits for approval, every delivery has
// reached a final state, the fakes serve no call, and the deliveries, the
// posts and Slack have not changed for 1.5 s.
func settleFaults(t *testing.T, in *instance, nets *slowNets, timeout time.Duration) bool {
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
		final := true
		var b strings.Builder
		for _, d := range ds {
			switch d.Status {
			case "waiting", "scheduled", "publishing":
				final = false
			}
			fmt.Fprintf(&b, "%d:%s:%d:%s;", d.ID, d.Status, d.Attempts, d.PostStatus)
		}
		fmt.Fprintf(&b, "slack:%d", in.slack.mark())
		if sig := b.String(); sig != last {
			last, stable = sig, time.Now()
		}
		if final && nets.inFlight() == 0 && time.Since(stable) >= 1500*time.Millisecond {
			return true
		}
		time.Sleep(100 * time.Millisecond)
	}
	return false
}

// What the French cards say of a post's and a delivery's state.
var (
	postStateFR = map[string]string{
		"pending": "en attente d'approbation", "approved": "approuvé", "publishing": "en cours de publication",
		"published": "publié", "partial": "publié en partie", "failed": "en échec",
	}
	deliveryStateFR = map[string]string{
		"waiting": "attend l'approbation", "scheduled": "programmé", "publishing": "en cours", "published": "publié",
		"failed": "échec", "unknown": "incertain : à vérifier", "canceled": "annulé",
	}
	networkNames = map[string]string{"mastodon": "Mastodon", "x": "X"}
	// alertKind tells a failure alert from an uncertain one, by their text.
	alertFailed  = regexp.MustCompile(`Le post n°(\d+) n'a pas pu partir sur (\S+)`)
	alertUnknown = regexp.MustCompile(`Le post n°(\d+) est peut-être parti sur (\S+)`)
)

// auditRow is one line of a post's audit log.
type auditRow struct {
	Actor, Action, From, To string
}

// checkFaultOutcome asserts that nothing went out twice, nothing was lost,
// each post's audit log walks the state machine to where it stands, and
// each card says the truth.
func checkFaultOutcome(t *testing.T, in *instance, posts []*crashPost, ds []crashDelivery, sent []netPost, calls []apiCall) {
	t.Helper()
	byMarker := map[string]*crashPost{}
	for _, p := range posts {
		byMarker[p.Marker] = p
	}
	deliveryOf := map[string]map[string]crashDelivery{} // marker → network → delivery
	byID := map[int64]crashDelivery{}
	for _, d := range ds {
		m := faultMarker.FindString(d.Text)
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
		byID[d.ID] = d
	}

	// (1) Nothing twice. held[marker][network] is the post the network
	// holds for it.
	requests := map[string]map[string][]netPost{}
	held := map[string]map[string]netPost{}
	for _, s := range sent {
		m := faultMarker.FindString(s.Text)
		if byMarker[m] == nil {
			t.Errorf("%s received a text the test did not draft: %q", s.Network, s.Text)
			continue
		}
		if requests[m] == nil {
			requests[m], held[m] = map[string][]netPost{}, map[string]netPost{}
		}
		requests[m][s.Network] = append(requests[m][s.Network], s)
		if s.Created {
			if prev, twice := held[m][s.Network]; twice {
				t.Errorf("DOUBLE POST on %s: %s is there twice, as %s and %s", s.Network, m, prev.ID, s.ID)
				continue
			}
			held[m][s.Network] = s
		}
	}
	for m, byNet := range requests {
		for _, s := range byNet["mastodon"] {
			if s.Key == "" {
				t.Errorf("Mastodon received %s without an Idempotency-Key", m)
			} else if first := byNet["mastodon"][0].Key; s.Key != first {
				t.Errorf("Mastodon received %s with two keys, %q and %q: a retry could post it again", m, first, s.Key)
			}
		}
		// X has no idempotency: a post may be sent again only after X said
		// no (503, 429) without taking it in.
		xs := byNet["x"]
		for i, s := range xs[:max(len(xs)-1, 0)] {
			if !s.refused() {
				t.Errorf("%s was POSTed to X again after request #%d, which ended %q: sent blindly (then: %s)",
					m, s.Seq, s.Outcome, short(fmt.Sprint(netPostOutcomes(xs[i+1:])), 200))
				break
			}
		}
	}

	// (2) Nothing lost, and nothing said that the networks contradict.
	for _, p := range posts {
		for _, network := range []string{"mastodon", "x"} {
			d, ok := deliveryOf[p.Marker][network]
			if !ok {
				t.Errorf("LOST: post %d (%s) has no %s delivery", p.ID, p.Marker, network)
				continue
			}
			h, isHeld := held[p.Marker][network]
			switch d.Status {
			case "published":
				switch {
				case !isHeld:
					t.Errorf("delivery %d (%s on %s) is published as %q, but the network holds no such post", d.ID, p.Marker, network, d.RemoteID)
				case d.RemoteID != h.ID:
					t.Errorf("delivery %d (%s on %s) is published as %q, but the network holds it as %q", d.ID, p.Marker, network, d.RemoteID, h.ID)
				}
			case "unknown":
			case "failed":
				if strings.TrimSpace(d.LastError) == "" {
					t.Errorf("delivery %d (%s on %s) failed without a reason", d.ID, p.Marker, network)
				}
				if isHeld {
					t.Errorf("delivery %d (%s on %s) is failed (%q), but the network holds the post as %s: it went out",
						d.ID, p.Marker, network, d.LastError, h.ID)
				}
			default:
				t.Errorf("LOST: delivery %d (%s on %s) is still %q (%q) after the settling; its post is %q",
					d.ID, p.Marker, network, d.Status, d.LastError, d.PostStatus)
			}
		}
	}

	// (3) The audit log walks the state machine, without a gap, to where
	// the post stands, and the post stands where its deliveries say.
	db, err := openReadOnly(in.dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, p := range posts {
		rows, err := readAudit(db, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		status := deliveryOf[p.Marker]["mastodon"].PostStatus
		if problem := auditWalk(rows, status); problem != "" {
			t.Errorf("AUDIT: post %d (%s, %s): %s; its log: %v", p.ID, p.Marker, status, problem, rows)
		}
		if want := postStateOf(deliveryOf[p.Marker]); want != "" && status != want {
			t.Errorf("post %d (%s) is %q, but its deliveries (%s) make it %q",
				p.ID, p.Marker, status, deliveryStates(deliveryOf[p.Marker]), want)
		}
	}

	// (4) The cards, their threads and the alerts tell the truth.
	checkFaultCards(t, posts, deliveryOf, byID, calls)
}

// readAudit reads a post's audit log, oldest first.
func readAudit(db *sql.DB, postID int64) ([]auditRow, error) {
	rows, err := db.Query(`SELECT actor_id, action, from_status, to_status FROM audit_log WHERE post_id = ? ORDER BY id`, postID)
	if err != nil {
		return nil, fmt.Errorf("audit of post %d: %w", postID, err)
	}
	defer rows.Close()
	var out []auditRow
	for rows.Next() {
		var r auditRow
		if err := rows.Scan(&r.Actor, &r.Action, &r.From, &r.To); err != nil {
			return nil, fmt.Errorf("audit of post %d: %w", postID, err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// auditWalk checks a post's audit log against this test's story: drafted
// and submitted by the author, approved once by the approver, published
// and, once every delivery has ended, finished by catweete. Each row must
// start where the previous one ended, and the last must end where the post
// stands. It returns what is wrong, or "".
func auditWalk(rows []auditRow, status string) string {
	type step struct{ actor, action, from, to string }
	story := []step{
		{author, "create", "", "draft"},
		{author, "submit", "draft", "pending"},
		{approver1, "approve", "pending", "approved"},
		{"catweete", "publish", "approved", "publishing"},
		{"catweete", "finish", "publishing", ""}, // to published, partial or failed
	}
	at := ""
	for i, r := range rows {
		if r.From != at {
			return fmt.Sprintf("row %d goes from %q, but the post was %q: a gap", i+1, r.From, at)
		}
		if i >= len(story) {
			return fmt.Sprintf("row %d (%s %s → %s) comes after the end of the story", i+1, r.Action, r.From, r.To)
		}
		s := story[i]
		if r.Actor != s.actor || r.Action != s.action || r.From != s.from || (s.to != "" && r.To != s.to) {
			return fmt.Sprintf("row %d is %s by %s, %q → %q; want %s by %s from %q", i+1, r.Action, r.Actor, r.From, r.To, s.action, s.actor, s.from)
		}
		if s.to == "" && r.To != "published" && r.To != "partial" && r.To != "failed" {
			return fmt.Sprintf("row %d finishes the post as %q", i+1, r.To)
		}
		at = r.To
	}
	if at != status {
		return fmt.Sprintf("the log ends at %q, but the post is %q", at, status)
	}
	return ""
}

// postStateOf is where a post whose deliveries are final must stand:
// publishing while one is unknown (a person decides), else published,
// partial or failed as they went; "" when a delivery is not final.
func postStateOf(ds map[string]crashDelivery) string {
	published, failed := 0, 0
	for _, d := range ds {
		switch d.Status {
		case "published":
			published++
		case "failed":
			failed++
		case "unknown":
			return "publishing"
		default:
			return ""
		}
	}
	switch {
	case failed == 0:
		return "published"
	case published == 0:
		return "failed"
	}
	return "partial"
}

func deliveryStates(ds map[string]crashDelivery) string {
	var parts []string
	for _, n := range []string{"mastodon", "x"} {
		parts = append(parts, n+" "+ds[n].Status)
	}
	return strings.Join(parts, ", ")
}

// checkFaultCards checks each post's card as Slack shows it last (the last
// chat.postMessage or chat.update of its ts), the links in its thread, and
// the alerts of the approval channel, against the database.
func checkFaultCards(t *testing.T, posts []*crashPost, deliveryOf map[string]map[string]crashDelivery, byID map[int64]crashDelivery, calls []apiCall) {
	t.Helper()
	last := map[string]apiCall{}    // card ts → its last drawing
	thread := map[string][]string{} // card ts → the texts of its thread
	alerted := map[int64][]string{} // delivery id → the kinds of its alerts
	for _, c := range calls {
		ts := ""
		switch {
		case c.Method == "chat.postMessage" && c.Form.Get("thread_ts") != "":
			thread[c.Form.Get("thread_ts")] = append(thread[c.Form.Get("thread_ts")], c.Form.Get("text"))
			continue
		case c.Method == "chat.postMessage":
			ts = c.TS
		case c.Method == "chat.update":
			ts = c.Form.Get("ts")
		default:
			continue
		}
		blocks := parseBlocks(c.Form.Get("blocks"))
		if c.Method == "chat.postMessage" && c.Form.Get("channel") == approvalChannel && !hasCardHeader(blocks) {
			// An alert: its buttons carry "d<delivery id>".
			text := allText(blocks)
			kind := ""
			switch {
			case alertFailed.MatchString(text):
				kind = "failed"
			case alertUnknown.MatchString(text):
				kind = "unknown"
			}
			for _, b := range findButtons(blocks) {
				if id, err := strconv.ParseInt(strings.TrimPrefix(b.Value, "d"), 10, 64); err == nil && strings.HasPrefix(b.Value, "d") {
					if !slices.Contains(alerted[id], kind) {
						alerted[id] = append(alerted[id], kind)
					}
				}
			}
			continue
		}
		last[ts] = c
	}

	for id, kinds := range alerted {
		d, ok := byID[id]
		if !ok {
			t.Errorf("an alert names delivery %d, which the test does not know", id)
			continue
		}
		for _, k := range kinds {
			if k != d.Status {
				t.Errorf("LIE: delivery %d (%s on %s) got a %q alert, but it is %q", id, faultMarker.FindString(d.Text), d.Network, k, d.Status)
			}
		}
	}
	for _, p := range posts {
		ds := deliveryOf[p.Marker]
		c, ok := last[p.Card.TS]
		if !ok {
			t.Errorf("post %d (%s) has no card", p.ID, p.Marker)
			continue
		}
		status := ds["mastodon"].PostStatus
		if problem := cardLie(c, p.ID, status, ds); problem != "" {
			t.Errorf("LYING CARD: post %d (%s) is %q with %s, but its card (#%d %s) %s",
				p.ID, p.Marker, status, deliveryStates(ds), c.Seq, c.Method, problem)
		}
		for _, network := range []string{"mastodon", "x"} {
			d := ds[network]
			switch d.Status {
			case "published":
				link := d.RemoteURL
				if link == "" {
					link = d.RemoteID
				}
				if !slices.ContainsFunc(thread[p.Card.TS], func(s string) bool { return strings.Contains(s, link) }) {
					t.Errorf("delivery %d (%s on %s) is published as %s, but the card's thread never gave its link",
						d.ID, p.Marker, network, link)
				}
			case "failed", "unknown":
				if !slices.Contains(alerted[d.ID], d.Status) {
					t.Errorf("LOST ALERT: delivery %d (%s on %s) is %q (%q), but no %s alert was posted for it (alerts: %v)",
						d.ID, p.Marker, network, d.Status, d.LastError, d.Status, alerted[d.ID])
				}
			}
		}
	}
}

// hasCardHeader reports whether blocks are an approval card's.
func hasCardHeader(blocks []any) bool {
	return strings.HasPrefix(headerText(blocks), "Post n°")
}

// cardLie compares a card's drawing with the post and its deliveries; it
// returns what the card gets wrong, or "".
func cardLie(c apiCall, id int64, status string, ds map[string]crashDelivery) string {
	blocks := parseBlocks(c.Form.Get("blocks"))
	if want := fmt.Sprintf("Post n°%d — %s", id, postStateFR[status]); headerText(blocks) != want {
		return fmt.Sprintf("reads %q, want %q", headerText(blocks), want)
	}
	accounts, published := "", ""
	for _, b := range blocks {
		m, _ := b.(map[string]any)
		switch m["block_id"] {
		case "accounts":
			accounts = allText(m)
		case "published":
			published = strings.TrimSpace(allText(m))
		}
	}
	count := 0
	for _, network := range []string{"mastodon", "x"} {
		d := ds[network]
		want := " — " + deliveryStateFR[d.Status]
		if d.Status == "published" {
			count++
			want = fmt.Sprintf(" — <%s|%s>", d.RemoteURL, deliveryStateFR[d.Status])
		}
		re := regexp.MustCompile(`(?:^|: |· )` + regexp.QuoteMeta(networkNames[network]) + ` \d+/\d+` + regexp.QuoteMeta(want) + `(?: ·|\s*$)`)
		if !re.MatchString(accounts) {
			return fmt.Sprintf("shows its accounts as %q, where %s should read %q", strings.TrimSpace(accounts), networkNames[network], strings.TrimPrefix(want, " — "))
		}
	}
	switch {
	case count == 0 && published != "":
		return fmt.Sprintf("says %q, but nothing is published", published)
	case count > 0 && !strings.HasSuffix(published, fmt.Sprintf(" — %d/2", count)):
		return fmt.Sprintf("says %q, want %d/2 published", published, count)
	}
	if bs := findButtons(blocks); len(bs) > 0 && status != "pending" && status != "approved" {
		return fmt.Sprintf("still has buttons (%s…) on a post that is %s", bs[0].ActionID, status)
	}
	return ""
}
