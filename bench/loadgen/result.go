package main

import (
	"encoding/json"
	"fmt"
	"io"
	"time"
)

// result is one measurement, as -json prints it.
type result struct {
	Label   string  `json:"label"`
	Kind    string  `json:"kind"`
	Workers int     `json:"workers"`
	Rate    float64 `json:"rate,omitempty"` // mention: events per second asked for
	// WindowS is the length of the measurement, after the warm-up.
	WindowS float64 `json:"window_s"`
	// Requests sent in the window, and how they ended: Acked (2xx), Non2xx,
	// TransportErrors (Errors is their sum); Busy are 2xx acks that said
	// the server had no room for the work.
	Requests        int64   `json:"requests"`
	Acked           int64   `json:"acked"`
	Errors          int64   `json:"errors"`
	Non2xx          int64   `json:"non_2xx"`
	TransportErrors int64   `json:"transport_errors"`
	Busy            int64   `json:"busy"`
	RPS             float64 `json:"rps"` // acked per second
	// Latency of the acked requests, from send (open loop: from the time
	// it was due) to the whole answer read.
	P50ms  float64 `json:"p50_ms"`
	P99ms  float64 `json:"p99_ms"`
	P999ms float64 `json:"p999_ms"`
	MaxMs  float64 `json:"max_ms"`
	// The server's CPU time (utime+stime) over the window, and per acked
	// request; ClockTicks is the /proc resolution it was read at.
	CPUms       float64 `json:"cpu_ms"`
	CPUusPerReq float64 `json:"cpu_us_per_req"`
	ClockTicks  int     `json:"clk_tck"`
	// Answers catweete sent after its acks (response_url posts, ephemeral
	// messages, replies in threads), over the whole run and its drain, and
	// how many were expected; AnsweredInWindow came during the window, and
	// CPUusPerAnswer is the window's CPU time over them: the cost of a
	// request with its work done.
	Answers          int64   `json:"answers"`
	ExpectedAnswers  int64   `json:"expected_answers"`
	AnsweredInWindow int64   `json:"answered_in_window"`
	CPUusPerAnswer   float64 `json:"cpu_us_per_answer,omitempty"`
	FakeFailedCalls  int64   `json:"fake_failed_calls"` // Web API calls the fake answered ok:false
	// PeakRSSkB is the server's VmHWM at the end; since the start of this
	// run when PeakRSSReset, else since the process started.
	PeakRSSkB    int64          `json:"peak_rss_kb"`
	RSSkB        int64          `json:"rss_kb"`
	PeakRSSReset bool           `json:"peak_rss_reset"`
	Mention      *mentionResult `json:"mention,omitempty"`
}

// mentionResult is what the fake saw of the mentions: whether every
// distinct event acked was answered, and never twice.
type mentionResult struct {
	Events      int64   `json:"events"`       // distinct events sent (warm-up included)
	EventsAcked int64   `json:"events_acked"` // distinct events acked, first delivery or retry
	EventsPerS  float64 `json:"events_per_s"` // distinct first deliveries acked per second in the window
	Retries     int64   `json:"retries"`
	// RetriesAcked: a retry of an event already taken is acked too (and
	// not answered again).
	RetriesAcked         int64    `json:"retries_acked"`
	Answered             int64    `json:"answered"` // distinct events with a reply in their thread
	Replies              int64    `json:"replies"`
	AnsweredTwice        int64    `json:"answered_twice"`
	RetriedAnsweredTwice int64    `json:"retried_answered_twice"`
	TwiceExamples        []string `json:"twice_examples,omitempty"`
	Unanswered           int64    `json:"unanswered"` // acked, yet no reply came
}

func (r *result) fill(w window, length time.Duration) {
	r.WindowS = length.Seconds()
	r.Requests, r.Acked, r.Non2xx, r.TransportErrors = w.requests, w.ok, w.non2xx, w.transport
	r.Busy = w.busy
	r.Errors = w.non2xx + w.transport
	if r.WindowS > 0 {
		r.RPS = float64(w.ok) / r.WindowS
	}
	r.P50ms = millis(percentile(w.latencies, 50))
	r.P99ms = millis(percentile(w.latencies, 99))
	r.P999ms = millis(percentile(w.latencies, 99.9))
	r.MaxMs = millis(percentile(w.latencies, 100))
}

func writeJSONLine(out io.Writer, r result) error {
	raw, err := json.Marshal(r)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(out, "%s\n", raw)
	return err
}

func printResult(out io.Writer, r result) {
	fmt.Fprintf(out, "%s %s: %d workers", r.Label, r.Kind, r.Workers)
	if r.Rate > 0 {
		fmt.Fprintf(out, ", %.0f events/s asked", r.Rate)
	}
	fmt.Fprintf(out, ", %.1f s measured\n", r.WindowS)
	fmt.Fprintf(out, "  %d requests, %d acked (%.0f/s), %d errors (%d non-2xx, %d transport), %d busy\n",
		r.Requests, r.Acked, r.RPS, r.Errors, r.Non2xx, r.TransportErrors, r.Busy)
	fmt.Fprintf(out, "  latency: p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, max %.2f ms\n", r.P50ms, r.P99ms, r.P999ms, r.MaxMs)
	if r.PeakRSSkB > 0 {
		since := "the start of the run"
		if !r.PeakRSSReset {
			since = "the start of the process"
		}
		fmt.Fprintf(out, "  server CPU: %.0f ms, %.1f µs per acked request (at %d ticks/s); peak RSS %.1f MB since %s\n",
			r.CPUms, r.CPUusPerReq, r.ClockTicks, float64(r.PeakRSSkB)/1024, since)
	}
	if r.Answers > 0 || (r.ExpectedAnswers > 0 && r.Kind != kindHelp) { // the verifier and Bolt only ack help
		fmt.Fprintf(out, "  answers: %d of %d expected; %d in the window", r.Answers, r.ExpectedAnswers, r.AnsweredInWindow)
		if r.CPUusPerAnswer > 0 {
			fmt.Fprintf(out, " (%.1f µs of server CPU each)", r.CPUusPerAnswer)
		}
		fmt.Fprintf(out, "; %d Web API calls answered ok:false\n", r.FakeFailedCalls)
	}
	if m := r.Mention; m != nil {
		fmt.Fprintf(out, "  mentions: %d events sent, %d acked (%.0f/s in the window), %d retries (%d acked); "+
			"%d answered, %d unanswered, %d answered twice (%d of them retried)\n",
			m.Events, m.EventsAcked, m.EventsPerS, m.Retries, m.RetriesAcked, m.Answered, m.Unanswered,
			m.AnsweredTwice, m.RetriedAnsweredTwice)
	}
}
