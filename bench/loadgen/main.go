// Command loadgen is the load generator of catweete's load test: it sends
// correctly signed Slack requests to a server on loopback and reports its
// throughput, latency, errors, CPU time per request and peak memory.
//
//	loadgen -url http://127.0.0.1:18702 -pid 1234 -kind help -workers 32 -duration 5s -fake http://127.0.0.1:18700
//	loadgen -url http://127.0.0.1:18702 -pid 1234 -kind mention -rate 2000 -fake http://127.0.0.1:18700
//	loadgen -report results.jsonl     # the table of bench/run.sh, from -json lines
//	loadgen -url http://127.0.0.1:18702 -save-ack help-ack.json   # catweete's help ack, for verifier -answer
//
// Kinds: help, status and click run closed-loop (-workers keep-alive
// workers, each sending its next request when the last is answered);
// mention runs open-loop at -rate events per second, some of them sent
// again later as Slack's retries. draft and approve make the seeded posts
// (-count requests, then they wait for catweete to have answered).
//
// -save-ack sends a single signed /catweete help and writes its ack's
// body to a file, without measuring anything.
//
// The signing secret comes from -secret or SLACK_SIGNING_SECRET. The
// figures cover -duration after a -warmup that is not counted.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
}

// config is the command line.
type config struct {
	baseURL    string
	path       string // if empty, the kind's path on catweete
	pid        int    // the server's process; 0: no CPU or memory figures
	label      string
	kind       string
	workers    int
	duration   time.Duration
	warmup     time.Duration
	rate       float64
	retryFrac  float64
	retryDelay time.Duration
	secret     string
	fakeURL    string
	count      int
	postFrom   int64
	postTo     int64
	version    int
	drain      time.Duration
	timeout    time.Duration
	clkTck     int
	jsonOut    bool
	report     string
	saveAck    string
}

func parseFlags(args []string) (config, error) {
	var c config
	fs := flag.NewFlagSet("loadgen", flag.ContinueOnError)
	fs.StringVar(&c.baseURL, "url", "http://127.0.0.1:3000", "the server's base URL (loopback)")
	fs.StringVar(&c.path, "path", "", "the request path; if empty, catweete's route for the kind (Bolt: /slack/events)")
	fs.IntVar(&c.pid, "pid", 0, "the server's process id, for its CPU time and peak RSS (0: not measured)")
	fs.StringVar(&c.label, "label", "server", "the server's name in the report")
	fs.StringVar(&c.kind, "kind", kindHelp, "help | status | click | mention (load); draft | approve (seeding)")
	fs.IntVar(&c.workers, "workers", 32, "closed loop: keep-alive workers; open loop (mention): the most connections")
	fs.DurationVar(&c.duration, "duration", 5*time.Second, "how long the measurement lasts, after the warm-up")
	fs.DurationVar(&c.warmup, "warmup", time.Second, "load sent before the measurement starts, not counted")
	fs.Float64Var(&c.rate, "rate", 2000, "mention: distinct app_mention events sent per second (open loop)")
	fs.Float64Var(&c.retryFrac, "retry-frac", 0.1, "mention: the share of events sent again as Slack's retry")
	fs.DurationVar(&c.retryDelay, "retry-delay", time.Second, "mention: how long after an event its retry is sent")
	fs.StringVar(&c.secret, "secret", "", "the signing secret (default: $SLACK_SIGNING_SECRET)")
	fs.StringVar(&c.fakeURL, "fake", "", "the fake Slack's base URL: response_urls point there, and answers are counted there")
	fs.IntVar(&c.count, "count", 0, "draft, approve: how many requests to send (posts to draft, or to approve)")
	fs.Int64Var(&c.postFrom, "post-from", 1, "click, approve: the first post id clicked")
	fs.Int64Var(&c.postTo, "post-to", 0, "click: the last post id clicked, cycling (default: -post-from; approve: -post-from + -count - 1)")
	fs.IntVar(&c.version, "version", 1, "click, approve: the post version the button carries")
	fs.DurationVar(&c.drain, "drain", 30*time.Second, "the longest wait for the answers catweete sends after its acks")
	fs.DurationVar(&c.timeout, "timeout", 10*time.Second, "one request's timeout")
	fs.IntVar(&c.clkTck, "clk-tck", 100, "clock ticks per second of /proc/<pid>/stat (getconf CLK_TCK)")
	fs.BoolVar(&c.jsonOut, "json", false, "print the result as one JSON line")
	fs.StringVar(&c.report, "report", "", "print the table of a file of -json results (one per line) and exit")
	fs.StringVar(&c.saveAck, "save-ack", "", "send one signed /catweete help, write its ack's body to this file and exit (-kind help only)")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if c.report != "" {
		return c, nil
	}
	if c.secret == "" {
		c.secret = os.Getenv("SLACK_SIGNING_SECRET")
	}
	if c.path == "" {
		c.path = defaultPath(c.kind)
	}
	if c.kind == kindApprove {
		c.postTo = c.postFrom + int64(c.count) - 1 // each post approved once
	}
	if c.postTo < c.postFrom {
		c.postTo = c.postFrom
	}
	switch {
	case c.secret == "":
		return c, errors.New("no signing secret: -secret or SLACK_SIGNING_SECRET")
	case c.workers < 1:
		return c, errors.New("-workers must be at least 1")
	case c.duration < time.Second && c.count == 0:
		return c, errors.New("-duration must be at least 1s")
	case c.clkTck < 1:
		return c, errors.New("-clk-tck must be at least 1")
	case c.postFrom < 1:
		return c, errors.New("-post-from must be at least 1")
	case c.warmup < 0:
		return c, errors.New("-warmup must not be negative")
	}
	if err := checkLoopback(c.baseURL); err != nil {
		return c, fmt.Errorf("-url: %w", err)
	}
	if c.fakeURL != "" {
		if err := checkLoopback(c.fakeURL); err != nil {
			return c, fmt.Errorf("-fake: %w", err)
		}
	}
	if c.saveAck != "" && c.kind != kindHelp {
		return c, fmt.Errorf("-save-ack: -kind %q: only help is answered in its ack", c.kind)
	}
	switch c.kind {
	case kindHelp, kindStatus, kindClick:
	case kindMention:
		if c.rate <= 0 || c.retryFrac < 0 || c.retryFrac > 1 {
			return c, errors.New("mention: -rate must be positive and -retry-frac within 0..1")
		}
	case kindDraft, kindApprove:
		if c.count < 1 {
			return c, fmt.Errorf("%s: -count must be at least 1", c.kind)
		}
	default:
		return c, fmt.Errorf("-kind %q: want help, status, click, mention, draft or approve", c.kind)
	}
	return c, nil
}

func run(args []string, out io.Writer) error {
	cfg, err := parseFlags(args)
	if err != nil {
		return err
	}
	if cfg.report != "" {
		return printReport(out, cfg.report)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if cfg.saveAck != "" {
		return saveAck(ctx, cfg)
	}
	res, err := measure(ctx, cfg)
	if err != nil {
		return err
	}
	if cfg.jsonOut {
		// The figures for a person watching go to stderr; the line for the
		// report to stdout.
		printResult(os.Stderr, res)
		return writeJSONLine(out, res)
	}
	printResult(out, res)
	return nil
}
