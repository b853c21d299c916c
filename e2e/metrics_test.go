package e2e

import (
	"bufio"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
)

// scrape reads GET /metrics and returns each series' value, keyed by the
// series as the text format writes it: name{label="value",…}, labels in
// name order.
func (in *instance) scrape(t *testing.T) (map[string]float64, string) {
	t.Helper()
	resp, err := in.http.Get("http://" + in.addr + "/metrics")
	if err != nil {
		t.Fatalf("GET /metrics: %v", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /metrics: %d %v\n%s", resp.StatusCode, err, short(string(body), 500))
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Errorf("GET /metrics: Content-Type %q, want Prometheus' text format", ct)
	}
	series := map[string]float64{}
	lines := bufio.NewScanner(strings.NewReader(string(body)))
	for lines.Scan() {
		line := lines.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		if i < 0 {
			t.Fatalf("GET /metrics: line %q is not a series and its value", line)
		}
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			t.Fatalf("GET /metrics: line %q: %v", line, err)
		}
		series[line[:i]] = v
	}
	return series, string(body)
}

// readyz answers GET /readyz's status.
func (in *instance) readyz(t *testing.T) int {
	t.Helper()
	resp, err := in.http.Get("http://" + in.addr + "/readyz")
	if err != nil {
		t.Fatalf("GET /readyz: %v", err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestMetricsAndReadiness drives the built binary through a published post
// and a forged request, scrapes GET /metrics, and takes its database file
// away and back under GET /readyz.
func TestMetricsAndReadiness(t *testing.T) {
	t.Parallel()
	in := startInstance(t, options{})
	marker := "e2e-metrics-1"

	t.Run("TheScrapeCountsRequestsDeliveriesAndPublishing", func(t *testing.T) {
		in.t = t
		mark := in.slack.mark()
		_, cd := in.draft("draft", "Mesuré de bout en bout "+marker, marker)
		in.click(approver1, cd, cd.button(t, "approve"))
		in.waitPublished(cd, marker, mark)
		form := url.Values{"team_id": {"T1"}, "api_app_id": {"A1"}, "user_id": {author}, "channel_id": {teamChannel},
			"command": {slashCommand}, "text": {"file"}}
		forged := in.post("/slack/commands", "application/x-www-form-urlencoded", []byte(form.Encode()), nil,
			sign{secret: "not-the-signing-secret"})
		if forged.Err != nil || forged.Status != http.StatusUnauthorized {
			t.Fatalf("a forged command: %d %v, want 401", forged.Status, forged.Err)
		}

		series, text := in.scrape(t)
		for _, name := range []string{
			"catweete_slack_requests_total", "catweete_slack_ack_seconds_bucket", "catweete_slack_queue_jobs",
			"catweete_publish_seconds_bucket", "catweete_network_errors_total", "catweete_deliveries",
			"catweete_deliveries_due", "go_goroutines", "process_cpu_seconds_total",
		} {
			if !strings.Contains(text, "\n"+name+"{") && !strings.Contains(text, "\n"+name+" ") {
				t.Errorf("the scrape has no %s", name)
			}
		}
		for _, tc := range []struct {
			series string
			want   float64
		}{
			{`catweete_slack_requests_total{endpoint="commands",outcome="bad_signature"}`, 1},
			{`catweete_slack_requests_total{endpoint="commands",outcome="ok"}`, 1},
			{`catweete_slack_requests_total{endpoint="interactivity",outcome="ok"}`, 1},
			{`catweete_slack_requests_total{endpoint="commands",outcome="busy"}`, 0},
			// The forged request was refused, not acked: one command ack.
			{`catweete_slack_ack_seconds_count{endpoint="commands"}`, 1},
			{`catweete_slack_ack_seconds_bucket{endpoint="commands",le="3"}`, 1},
			{`catweete_deliveries{state="published"}`, 1},
			{`catweete_deliveries{state="scheduled"}`, 0},
			{`catweete_deliveries_due`, 0},
			{`catweete_publish_seconds_count{network="mastodon"}`, 1},
			{`catweete_network_errors_total{class="timeout",network="mastodon"}`, 0},
			{`catweete_slack_queue_jobs{lane="jobs"}`, 0},
			{`catweete_slack_queue_jobs{lane="modals"}`, 0},
		} {
			got, ok := series[tc.series]
			if !ok {
				t.Errorf("the scrape has no series %s", tc.series)
				continue
			}
			if got != tc.want {
				t.Errorf("%s = %v, want %v", tc.series, got, tc.want)
			}
		}
		for name, secret := range in.secrets.all() {
			if strings.Contains(text, secret) {
				t.Errorf("the scrape holds %s", name)
			}
		}
	})

	t.Run("NotReadyWhileTheDatabaseFileIsAway", func(t *testing.T) {
		in.t = t
		if got := in.readyz(t); got != http.StatusOK {
			t.Fatalf("GET /readyz = %d with the database in place, want 200", got)
		}
		// SQLite would go on writing the file it holds, which the next
		// start would not find: catweete is not ready.
		aside := in.dbPath + ".aside"
		if err := os.Rename(in.dbPath, aside); err != nil {
			t.Fatal(err)
		}
		got := in.readyz(t)
		if err := os.Rename(aside, in.dbPath); err != nil {
			t.Fatal(err)
		}
		if got != http.StatusServiceUnavailable {
			t.Errorf("GET /readyz = %d with the database file away, want 503", got)
		}
		if got := in.readyz(t); got != http.StatusOK {
			t.Errorf("GET /readyz = %d with the database file back, want 200", got)
		}
		if !strings.Contains(in.logs.String(), "the database file is no longer at its path") {
			t.Errorf("the log does not say why catweete was not ready")
		}
	})

	t.Run("TheLogShowsNoPanicAndNoDataRace", func(t *testing.T) { in.t = t; checkLogs(t, in) })
	in.t = t
}
