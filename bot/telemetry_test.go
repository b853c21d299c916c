package bot

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"catweete/telemetry"
)

// measured returns f with a bot of its own that counts its requests in
// reg: the same Slack, store and router, a pool of workers × queue.
func measured(t testing.TB, f *fixture, workers, queue int) (*fixture, *prometheus.Registry) {
	t.Helper()
	reg := prometheus.NewRegistry()
	m, err := telemetry.New(reg, telemetry.Config{})
	if err != nil {
		t.Fatalf("telemetry.New: %v", err)
	}
	b, err := New(t.Context(), Config{
		API: f.api, Router: f.router, Notifier: f.notifier, Events: f.store, SigningSecret: testSecret,
		HTTPClient: f.slack.srv.Client(), Workers: workers, Queue: queue, JobTimeout: waitLimit, Requests: m.Slack,
	})
	if err != nil {
		t.Fatalf("bot.New: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		b.Shutdown(ctx) //nolint:errcheck // a test that cut jobs short already said so
	})
	mux := http.NewServeMux()
	b.Routes(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	g := *f
	g.bot, g.srv = b, srv
	return &g, reg
}

// requests reads catweete_slack_requests_total{endpoint, outcome}.
func requests(t *testing.T, reg *prometheus.Registry, endpoint, outcome string) float64 {
	t.Helper()
	return seriesValue(t, reg, telemetry.NameRequests, map[string]string{"endpoint": endpoint, "outcome": outcome})
}

// acks reads how many acks of endpoint were timed.
func acks(t *testing.T, reg *prometheus.Registry, endpoint string) float64 {
	t.Helper()
	return seriesValue(t, reg, telemetry.NameAck, map[string]string{"endpoint": endpoint})
}

// seriesValue gathers reg and returns the value (a histogram's count) of
// the series of name with these labels.
func seriesValue(t *testing.T, reg *prometheus.Registry, name string, labels map[string]string) float64 {
	t.Helper()
	families, err := reg.Gather()
	if err != nil {
		t.Fatalf("Gather: %v", err)
	}
	for _, family := range families {
		if family.GetName() != name {
			continue
		}
	series:
		for _, m := range family.GetMetric() {
			for _, l := range m.GetLabel() {
				if want, ok := labels[l.GetName()]; ok && want != l.GetValue() {
					continue series
				}
			}
			if h := m.GetHistogram(); h != nil {
				return float64(h.GetSampleCount())
			}
			return m.GetCounter().GetValue()
		}
	}
	t.Fatalf("no series %s%v", name, labels)
	return 0
}

func TestRequestsAreCounted(t *testing.T) {
	t.Parallel()

	t.Run("ASignedCommandAndAForgedOne", func(t *testing.T) {
		t.Parallel()
		f, reg := measured(t, setup(t), 0, 0)
		if resp, _ := f.command(t, "U1", "aide", f.slack.responseURL(1)); resp.StatusCode != http.StatusOK {
			t.Fatalf("signed command: %d, want 200", resp.StatusCode)
		}
		resp, _ := f.post(t, "/slack/commands", formType, []byte("command=%2Fcatweete&text=aide"), func(h http.Header) {
			h.Set("X-Slack-Signature", "v0=0000000000000000000000000000000000000000000000000000000000000000")
		})
		if resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("forged command: %d, want 401", resp.StatusCode)
		}
		if got := requests(t, reg, "commands", "ok"); got != 1 {
			t.Errorf("commands ok = %v, want 1", got)
		}
		if got := requests(t, reg, "commands", "bad_signature"); got != 1 {
			t.Errorf("commands bad_signature = %v, want 1", got)
		}
		// Only the request Slack sent was an ack.
		if got := acks(t, reg, "commands"); got != 1 {
			t.Errorf("%v command acks timed, want 1", got)
		}
		if got := requests(t, reg, "events", "bad_signature") + requests(t, reg, "interactivity", "ok"); got != 0 {
			t.Errorf("the other endpoints counted %v requests, want 0", got)
		}
	})

	t.Run("AFullPoolIsCountedBusyOrRetryLater", func(t *testing.T) {
		t.Parallel()
		f, reg := measured(t, setup(t), 1, 1)
		release := f.fillPool(t)
		defer release()
		if got := f.bot.JobsWaiting(); got != 1 {
			t.Errorf("JobsWaiting = %d with the worker stuck and one job queued, want 1", got)
		}
		if got := f.bot.ModalsWaiting(); got != 0 {
			t.Errorf("ModalsWaiting = %d, want 0", got)
		}

		resp, body := f.command(t, "U1", "queue", "")
		var msg struct{ Text string }
		if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &msg) != nil || msg.Text == "" {
			t.Fatalf("command with the pool full: %d %s, want a 200 that says so", resp.StatusCode, body)
		}
		raw, err := json.Marshal(blockAction("U2", ActionApprove, "1:1"))
		if err != nil {
			t.Fatal(err)
		}
		if resp, body := f.interaction(t, string(raw)); resp.StatusCode != http.StatusOK || len(body) != 0 {
			t.Fatalf("click with the pool full: %d %q, want an empty 200", resp.StatusCode, body)
		}
		ev, err := json.Marshal(mentionEvent("Ev1", "U1", "file", "1700000000.000100"))
		if err != nil {
			t.Fatal(err)
		}
		if resp, _ := f.post(t, "/slack/events", "application/json", ev, nil); resp.StatusCode != http.StatusServiceUnavailable {
			t.Fatalf("event with the pool full: %d, want 503", resp.StatusCode)
		}

		for _, tc := range []struct {
			endpoint, outcome string
			want              float64
		}{
			{"commands", "ok", 2}, // fillPool's two
			{"commands", "busy", 1},
			{"interactivity", "busy", 1},
			{"interactivity", "ok", 0},
			{"events", "retry_later", 1},
			{"events", "ok", 0},
		} {
			if got := requests(t, reg, tc.endpoint, tc.outcome); got != tc.want {
				t.Errorf("requests{endpoint=%q, outcome=%q} = %v, want %v", tc.endpoint, tc.outcome, got, tc.want)
			}
		}
		if got := acks(t, reg, "commands"); got != 3 {
			t.Errorf("%v command acks timed, want 3", got)
		}
	})

	t.Run("OverSocketModeAsOverHTTP", func(t *testing.T) {
		t.Parallel()
		f, reg := measured(t, setup(t), 0, 0)
		f.runSocket(t)
		helpRoundTrip(t, f, f.slack.nextPeer(t), "e1")
		// The ack is written before the request is counted: wait for it.
		deadline := time.Now().Add(waitLimit)
		for requests(t, reg, "commands", "ok") != 1 && time.Now().Before(deadline) {
			time.Sleep(5 * time.Millisecond)
		}
		if got := requests(t, reg, "commands", "ok"); got != 1 {
			t.Errorf("commands ok = %v after a command over Socket Mode, want 1", got)
		}
		if got := acks(t, reg, "commands"); got != 1 {
			t.Errorf("%v command acks timed, want 1", got)
		}
	})

	t.Run("NothingIsCountedWithoutARegistry", func(t *testing.T) {
		t.Parallel()
		f := setup(t)
		if resp, _ := f.command(t, "U1", "aide", f.slack.responseURL(1)); resp.StatusCode != http.StatusOK {
			t.Fatalf("signed command: %d, want 200", resp.StatusCode)
		}
		if f.bot.requests.Commands != nil {
			t.Error("a bot without Requests has a commands counter")
		}
	})
}

// BenchmarkAckMeasured is BenchmarkAck with the requests counted and their
// acks timed, against the same limit, in one run so that their ratio
// means something on a noisy machine:
//
//	go test -run '^$' -bench AckMeasured -count 6 ./bot
func BenchmarkAckMeasured(b *testing.B) {
	plain := setup(b)
	f, _ := measured(b, plain, 0, 0)
	mux := http.NewServeMux()
	f.bot.Routes(mux)
	plainMux := http.NewServeMux()
	plain.bot.Routes(plainMux)
	body, signed, forged := signedCommand(f, "help")
	serveAcks(b, body, []ackCase{
		{"limit", limitHandler(testSecret), signed, http.StatusOK, false},
		{"help", plainMux, signed, http.StatusOK, true},
		{"help-measured", mux, signed, http.StatusOK, true},
		{"bad-signature-measured", mux, forged, http.StatusUnauthorized, false},
	})
}
