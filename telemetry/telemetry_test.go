package telemetry_test

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"catweete/storage"
	"catweete/telemetry"
)

func setup(t testing.TB) (*prometheus.Registry, *telemetry.Metrics) {
	t.Helper()
	reg := prometheus.NewRegistry()
	m, err := telemetry.New(reg, telemetry.Config{
		Networks: []string{"mastodon", "x"}, ErrorClasses: []string{"rate_limited", "timeout"},
	})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return reg, m
}

func openStore(t *testing.T) *storage.Store {
	t.Helper()
	s, err := storage.Open(t.Context(), filepath.Join(t.TempDir(), "catweete.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// scrape serves reg's metrics as GET /metrics does.
func scrape(t *testing.T, reg *prometheus.Registry, log *slog.Logger) string {
	t.Helper()
	rec := httptest.NewRecorder()
	telemetry.Handler(reg, log).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("GET /metrics: %d %s", rec.Code, rec.Body)
	}
	return rec.Body.String()
}

func TestRequests(t *testing.T) {
	t.Parallel()
	reg, m := setup(t)
	m.Slack.Commands.Acked(telemetry.OK, 3*time.Millisecond)
	m.Slack.Commands.Acked(telemetry.OK, 40*time.Millisecond)
	m.Slack.Commands.Acked(telemetry.Busy, time.Millisecond)
	m.Slack.Events.Refused(telemetry.BadSignature)
	m.Slack.Interactivity.Acked(telemetry.Panic, time.Millisecond)

	requests := func(endpoint, outcome string) float64 {
		c, err := requestVec(reg, endpoint, outcome)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	for _, tc := range []struct {
		endpoint, outcome string
		want              float64
	}{
		{"commands", "ok", 2},
		{"commands", "busy", 1},
		{"commands", "bad_signature", 0},
		{"events", "bad_signature", 1},
		{"events", "ok", 0},
		{"interactivity", "panic", 1},
		{"interactivity", "retry_later", 0},
	} {
		if got := requests(tc.endpoint, tc.outcome); got != tc.want {
			t.Errorf("requests{endpoint=%q, outcome=%q} = %v, want %v", tc.endpoint, tc.outcome, got, tc.want)
		}
	}

	// The ack latency counts what Slack sent, not what anyone can send.
	text := scrape(t, reg, nil)
	for _, line := range []string{
		`catweete_slack_ack_seconds_count{endpoint="commands"} 3`,
		`catweete_slack_ack_seconds_bucket{endpoint="commands",le="0.005"} 2`,
		`catweete_slack_ack_seconds_bucket{endpoint="commands",le="3"} 3`,
		`catweete_slack_ack_seconds_count{endpoint="events"} 0`,
		`catweete_slack_ack_seconds_count{endpoint="interactivity"} 1`,
	} {
		if !strings.Contains(text, line+"\n") {
			t.Errorf("the scrape has no line %q", line)
		}
	}
}

// requestVec reads one series of the requests counter.
func requestVec(reg *prometheus.Registry, endpoint, outcome string) (float64, error) {
	families, err := reg.Gather()
	if err != nil {
		return 0, err
	}
	for _, f := range families {
		if f.GetName() != telemetry.NameRequests {
			continue
		}
		for _, m := range f.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			if labels["endpoint"] == endpoint && labels["outcome"] == outcome {
				return m.GetCounter().GetValue(), nil
			}
		}
	}
	return -1, nil
}

func TestEveryOutcomeHasItsSeriesFromTheStart(t *testing.T) {
	t.Parallel()
	reg, _ := setup(t)
	// 3 endpoints × 7 outcomes, all at zero before the first request.
	if n := testutil.CollectAndCount(reg, telemetry.NameRequests); n != 21 {
		t.Errorf("%d request series, want 21", n)
	}
	for o := telemetry.OK; o <= telemetry.RetryLater; o++ {
		if strings.HasPrefix(o.String(), "outcome(") {
			t.Errorf("outcome %d has no name", o)
		}
	}
}

func TestCountingARequestAllocatesNothing(t *testing.T) {
	_, m := setup(t)
	allocs := testing.AllocsPerRun(1000, func() {
		m.Slack.Commands.Acked(telemetry.OK, time.Millisecond)
		m.Slack.Events.Refused(telemetry.BadSignature)
	})
	if allocs != 0 {
		t.Errorf("%v allocations per request counted, want 0", allocs)
	}
}

func TestNilMeasuresNothing(t *testing.T) {
	t.Parallel()
	var e *telemetry.Endpoint
	e.Acked(telemetry.OK, time.Second)
	e.Refused(telemetry.BadSignature)
	var p *telemetry.Publishing
	p.Published("mastodon", time.Second)
	p.NetworkError("mastodon", "timeout")
}

func TestPublishing(t *testing.T) {
	t.Parallel()
	reg, m := setup(t)
	text := scrape(t, reg, nil)
	// The configured networks' series exist before their first event.
	for _, line := range []string{
		`catweete_publish_seconds_count{network="mastodon"} 0`,
		`catweete_publish_seconds_count{network="x"} 0`,
		`catweete_network_errors_total{class="rate_limited",network="mastodon"} 0`,
		`catweete_network_errors_total{class="timeout",network="x"} 0`,
	} {
		if !strings.Contains(text, line+"\n") {
			t.Errorf("the first scrape has no line %q", line)
		}
	}
	m.Publishing.Published("mastodon", 300*time.Millisecond)
	m.Publishing.NetworkError("x", "timeout")
	m.Publishing.NetworkError("x", "timeout")
	text = scrape(t, reg, nil)
	for _, line := range []string{
		`catweete_publish_seconds_count{network="mastodon"} 1`,
		`catweete_publish_seconds_bucket{network="mastodon",le="0.25"} 0`,
		`catweete_publish_seconds_bucket{network="mastodon",le="0.5"} 1`,
		`catweete_network_errors_total{class="timeout",network="x"} 2`,
	} {
		if !strings.Contains(text, line+"\n") {
			t.Errorf("the scrape has no line %q", line)
		}
	}
}

func TestNewTwiceInOneRegistryFails(t *testing.T) {
	t.Parallel()
	reg, _ := setup(t)
	if _, err := telemetry.New(reg, telemetry.Config{}); err == nil {
		t.Error("New twice in one registry: no error")
	}
}

func TestRuntimeCollectors(t *testing.T) {
	t.Parallel()
	reg, _ := setup(t)
	text := scrape(t, reg, nil)
	for _, name := range []string{"go_goroutines", "process_cpu_seconds_total"} {
		if !strings.Contains(text, "\n"+name+" ") {
			t.Errorf("the scrape has no %s", name)
		}
	}
}

func TestQueues(t *testing.T) {
	t.Parallel()
	reg := prometheus.NewRegistry()
	jobs, modals := 3, 1
	if err := telemetry.WatchQueues(reg, func() int { return jobs }, func() int { return modals }); err != nil {
		t.Fatal(err)
	}
	want := `
# HELP catweete_slack_queue_jobs Jobs waiting for a worker of the bot, by lane.
# TYPE catweete_slack_queue_jobs gauge
catweete_slack_queue_jobs{lane="jobs"} 3
catweete_slack_queue_jobs{lane="modals"} 1
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), telemetry.NameQueue); err != nil {
		t.Error(err)
	}
	// Read at each scrape, not copied once.
	jobs = 0
	want = strings.Replace(want, `{lane="jobs"} 3`, `{lane="jobs"} 0`, 1)
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), telemetry.NameQueue); err != nil {
		t.Errorf("after the jobs lane emptied: %v", err)
	}
}

func TestDeliveries(t *testing.T) {
	t.Parallel()
	store := openStore(t)
	ctx := t.Context()
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	acct, err := store.UpsertAccount(ctx, storage.Account{Network: "mastodon", Handle: "https://masto.example", CreatedAt: now})
	if err != nil {
		t.Fatal(err)
	}
	for i, due := range []time.Time{now.Add(-time.Minute), now, now.Add(time.Hour)} {
		id, err := store.InsertPost(ctx, storage.Post{Text: "Bonjour", AuthorID: "UAUTHOR", Status: "approved", CreatedAt: now})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := store.InsertDelivery(ctx, storage.Delivery{PostID: id, AccountID: acct.ID, Status: storage.DeliveryScheduled,
			IdempotencyKey: "key" + string(rune('a'+i)), DueAt: due, NextAttemptAt: due, CreatedAt: now}); err != nil {
			t.Fatal(err)
		}
	}
	reg := prometheus.NewRegistry()
	if err := telemetry.WatchDeliveries(reg, store, func() time.Time { return now }); err != nil {
		t.Fatal(err)
	}
	want := `
# HELP catweete_deliveries Deliveries (one post on one account) in each state, from the database.
# TYPE catweete_deliveries gauge
catweete_deliveries{state="canceled"} 0
catweete_deliveries{state="failed"} 0
catweete_deliveries{state="published"} 0
catweete_deliveries{state="publishing"} 0
catweete_deliveries{state="scheduled"} 3
catweete_deliveries{state="unknown"} 0
catweete_deliveries{state="waiting"} 0
# HELP catweete_deliveries_due Deliveries whose time has come and that the dispatcher has not claimed yet.
# TYPE catweete_deliveries_due gauge
catweete_deliveries_due 2
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), telemetry.NameDeliveries, telemetry.NameDue); err != nil {
		t.Error(err)
	}

	// The database is the only count: a claim shows at the next scrape.
	if _, err := store.ClaimDeliveries(ctx, now, now.Add(time.Minute), 1); err != nil {
		t.Fatal(err)
	}
	want = strings.NewReplacer(`{state="publishing"} 0`, `{state="publishing"} 1`, `{state="scheduled"} 3`, `{state="scheduled"} 2`,
		"catweete_deliveries_due 2", "catweete_deliveries_due 1").Replace(want)
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), telemetry.NameDeliveries, telemetry.NameDue); err != nil {
		t.Errorf("after a claim: %v", err)
	}
}

func TestAScrapeOutlivesTheDatabase(t *testing.T) {
	t.Parallel()
	store := openStore(t)
	reg, m := setup(t)
	if err := telemetry.WatchDeliveries(reg, store, time.Now); err != nil {
		t.Fatal(err)
	}
	m.Slack.Commands.Acked(telemetry.OK, time.Millisecond)
	store.Close()
	var logs bytes.Buffer
	text := scrape(t, reg, slog.New(slog.NewTextHandler(&logs, nil)))
	if !strings.Contains(text, `catweete_slack_requests_total{endpoint="commands",outcome="ok"} 1`) {
		t.Errorf("the other metrics were not served when the database was closed:\n%s", text)
	}
	if strings.Contains(text, "catweete_deliveries{") {
		t.Error("deliveries served from a closed database")
	}
	if !strings.Contains(logs.String(), "metrics scrape incomplete") {
		t.Errorf("the failed collection was not logged: %q", logs.String())
	}
}

// BenchmarkCountingARequest is what measuring adds to a request: the pair
// of clock readings and the count and observation of its ack.
//
//	go test -run '^$' -bench CountingARequest -count 6 ./telemetry
func BenchmarkCountingARequest(b *testing.B) {
	_, m := setup(b)
	b.ReportAllocs()
	for b.Loop() {
		arrived := time.Now()
		m.Slack.Commands.Acked(telemetry.OK, time.Since(arrived))
	}
}
