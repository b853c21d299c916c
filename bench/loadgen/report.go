package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"strings"
	"text/tabwriter"
)

// The labels bench/run.sh gives the servers. The verifier runs twice: as
// the limit, answering an empty 200, and answering with the very bytes of
// catweete's help ack (verifier -answer), which shows what of catweete's
// CPU per help is the cost of sending its answer.
const (
	labelCatweete       = "catweete"
	labelVerifier       = "verifier"
	labelVerifierAnswer = "verifier+answer"
	labelBolt           = "bolt"
)

// The targets the load test checks.
const (
	targetVsVerifier       = 1.3     // catweete's CPU per help ≤ 1.3 × the verifier's
	targetVsBolt           = 1.0 / 3 // … and ≤ 1/3 of Bolt's
	targetStatusVsVerifier = 2.0     // CPU per answered status ≤ 2 × the verifier's per request
	targetP99VsVerifier    = 2.0     // p99 of help ≤ 2 × the verifier's
	targetPeakRSSMB        = 40.0    // catweete's peak RSS under the help load
	targetMentionsPerS     = 2000.0  // distinct app_mention events acked per second
)

// group is every run of one server under one kind of load.
type group struct {
	label, kind string
	runs        []result
}

func (g *group) median(field func(result) float64) float64 {
	xs := make([]float64, 0, len(g.runs))
	for _, r := range g.runs {
		xs = append(xs, field(r))
	}
	return median(xs)
}

func (g *group) sum(field func(result) int64) int64 {
	var n int64
	for _, r := range g.runs {
		n += field(r)
	}
	return n
}

func (g *group) peakRSSMB() float64 {
	var peak int64
	for _, r := range g.runs {
		peak = max(peak, r.PeakRSSkB)
	}
	return float64(peak) / 1024
}

// readResults reads a file of -json lines, grouped by server and kind in
// the order they first appear.
func readResults(path string) ([]*group, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var groups []*group
	byKey := map[string]*group{}
	scanner := bufio.NewScanner(f)
	scanner.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for line := 1; scanner.Scan(); line++ {
		text := strings.TrimSpace(scanner.Text())
		if text == "" {
			continue
		}
		var r result
		if err := json.Unmarshal([]byte(text), &r); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, line, err)
		}
		key := r.Label + "\x00" + r.Kind
		g := byKey[key]
		if g == nil {
			g = &group{label: r.Label, kind: r.Kind}
			byKey[key] = g
			groups = append(groups, g)
		}
		g.runs = append(g.runs, r)
	}
	return groups, scanner.Err()
}

func find(groups []*group, label, kind string) *group {
	for _, g := range groups {
		if g.label == label && g.kind == kind {
			return g
		}
	}
	return nil
}

func printReport(out io.Writer, path string) error {
	groups, err := readResults(path)
	if err != nil {
		return err
	}
	if len(groups) == 0 {
		return fmt.Errorf("%s: no results", path)
	}
	fmt.Fprintln(out, "Medians of each server's runs (errors, busy and answers: summed over the runs; peak RSS: the highest).")
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "server\tload\truns\tworkers\tacked/s\tp50 ms\tp99 ms\tp99.9 ms\tCPU µs/req\tCPU µs/answer\tpeak RSS MB\terrors\tbusy\tanswers/expected\t")
	for _, g := range groups {
		load := g.kind
		if g.runs[0].Rate > 0 {
			load = fmt.Sprintf("%s @%.0f/s", g.kind, g.runs[0].Rate)
		}
		perAnswer := "—"
		if v := g.median(func(r result) float64 { return r.CPUusPerAnswer }); v > 0 && g.kind != kindHelp {
			perAnswer = fmt.Sprintf("%.1f", v)
		}
		answers := "—"
		exp, got := g.sum(func(r result) int64 { return r.ExpectedAnswers }), g.sum(func(r result) int64 { return r.Answers })
		if exp > 0 && (got > 0 || g.kind != kindHelp) { // the verifier and Bolt only ack help
			answers = fmt.Sprintf("%d/%d", got, exp)
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%.0f\t%.2f\t%.2f\t%.2f\t%.1f\t%s\t%.1f\t%d\t%d\t%s\t\n",
			g.label, load, len(g.runs), g.runs[0].Workers,
			g.median(func(r result) float64 { return r.RPS }),
			g.median(func(r result) float64 { return r.P50ms }),
			g.median(func(r result) float64 { return r.P99ms }),
			g.median(func(r result) float64 { return r.P999ms }),
			g.median(func(r result) float64 { return r.CPUusPerReq }),
			perAnswer, g.peakRSSMB(),
			g.sum(func(r result) int64 { return r.Errors }),
			g.sum(func(r result) int64 { return r.Busy }),
			answers)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, g := range groups {
		if g.kind != kindMention {
			continue
		}
		m := func(f func(*mentionResult) int64) int64 {
			return g.sum(func(r result) int64 {
				if r.Mention == nil {
					return 0
				}
				return f(r.Mention)
			})
		}
		fmt.Fprintf(out, "\n%s mentions: %.0f distinct events acked per second (median); over %d runs: %d events sent, %d acked, "+
			"%d answered, %d unanswered, %d answered twice; %d retries sent, %d acked, %d retried events answered twice\n",
			g.label, g.median(func(r result) float64 {
				if r.Mention == nil {
					return 0
				}
				return r.Mention.EventsPerS
			}), len(g.runs),
			m(func(x *mentionResult) int64 { return x.Events }), m(func(x *mentionResult) int64 { return x.EventsAcked }),
			m(func(x *mentionResult) int64 { return x.Answered }), m(func(x *mentionResult) int64 { return x.Unanswered }),
			m(func(x *mentionResult) int64 { return x.AnsweredTwice }), m(func(x *mentionResult) int64 { return x.Retries }),
			m(func(x *mentionResult) int64 { return x.RetriesAcked }), m(func(x *mentionResult) int64 { return x.RetriedAnsweredTwice }))
	}
	fmt.Fprintln(out)
	return printTargets(out, groups)
}

// target is one line of the targets table.
type target struct {
	name, figure, limit string
	met, known          bool
}

func ratio(a, b float64) (float64, bool) {
	if a <= 0 || b <= 0 || math.IsNaN(a) || math.IsNaN(b) {
		return 0, false
	}
	return a / b, true
}

func checkTargets(groups []*group) []target {
	perReq := func(r result) float64 { return r.CPUusPerReq }
	catHelp, verHelp := find(groups, labelCatweete, kindHelp), find(groups, labelVerifier, kindHelp)
	boltHelp, catStatus := find(groups, labelBolt, kindHelp), find(groups, labelCatweete, kindStatus)
	catMention := find(groups, labelCatweete, kindMention)
	var ts []target
	ratioTarget := func(name string, a, b *group, fa, fb func(result) float64, limit float64, limitText string) {
		t := target{name: name, figure: "n/a", limit: limitText}
		if a != nil && b != nil {
			if r, ok := ratio(a.median(fa), b.median(fb)); ok {
				t.figure, t.known, t.met = fmt.Sprintf("%.2f× (%.1f vs %.1f)", r, a.median(fa), b.median(fb)), true, r <= limit
			}
		}
		ts = append(ts, t)
	}
	ratioTarget("help: catweete's CPU µs per acked request ÷ the verifier's", catHelp, verHelp, perReq, perReq,
		targetVsVerifier, fmt.Sprintf("≤ %.2f×", targetVsVerifier))
	ratioTarget("help: catweete's CPU µs per acked request ÷ Bolt's", catHelp, boltHelp, perReq, perReq,
		targetVsBolt, fmt.Sprintf("≤ %.2f× (1/3)", targetVsBolt))
	ratioTarget("status: catweete's CPU µs per answered request ÷ the verifier's per request", catStatus, verHelp,
		func(r result) float64 { return r.CPUusPerAnswer }, perReq, targetStatusVsVerifier, fmt.Sprintf("≤ %.2f×", targetStatusVsVerifier))
	p99 := func(r result) float64 { return r.P99ms }
	workers := "?"
	if catHelp != nil {
		workers = fmt.Sprint(catHelp.runs[0].Workers)
	}
	ratioTarget("help: catweete's p99 latency ÷ the verifier's, "+workers+" workers", catHelp, verHelp, p99, p99,
		targetP99VsVerifier, fmt.Sprintf("≤ %.2f×", targetP99VsVerifier))

	rss := target{name: "help: catweete's peak RSS under that load", figure: "n/a", limit: fmt.Sprintf("≤ %.0f MB", targetPeakRSSMB)}
	if catHelp != nil && catHelp.peakRSSMB() > 0 {
		rss.figure, rss.known, rss.met = fmt.Sprintf("%.1f MB", catHelp.peakRSSMB()), true, catHelp.peakRSSMB() <= targetPeakRSSMB
	}
	ts = append(ts, rss)

	mention := target{name: "mention: distinct app_mention events acked per second, deduped, none answered twice",
		figure: "n/a", limit: fmt.Sprintf("≥ %.0f/s, 0 errors, 0 unanswered, 0 twice", targetMentionsPerS)}
	if catMention != nil {
		perS := catMention.median(func(r result) float64 {
			if r.Mention == nil {
				return 0
			}
			return r.Mention.EventsPerS
		})
		var errs, unanswered, twice int64
		for _, r := range catMention.runs {
			errs += r.Errors
			if r.Mention != nil {
				unanswered += r.Mention.Unanswered
				twice += r.Mention.AnsweredTwice
			}
		}
		mention.figure = fmt.Sprintf("%.0f/s, %d errors, %d unanswered, %d twice", perS, errs, unanswered, twice)
		// The window holds rate × duration events exactly; half an event
		// of slack absorbs the rounding of the window's length.
		window := catMention.median(func(r result) float64 { return r.WindowS })
		mention.known = true
		mention.met = perS >= targetMentionsPerS-0.5/math.Max(window, 1) && errs == 0 && unanswered == 0 && twice == 0
	}
	return append(ts, mention)
}

func printTargets(out io.Writer, groups []*group) error {
	ts := checkTargets(groups)
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "target\tfigure\tlimit\tresult")
	met := 0
	for _, t := range ts {
		verdict := "n/a"
		if t.known {
			verdict = "MISSED"
			if t.met {
				verdict = "met"
				met++
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", t.name, t.figure, t.limit, verdict)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(out, "%d of %d targets met.\n", met, len(ts))
	if line, ok := answerComparison(groups); ok {
		fmt.Fprintln(out, line)
	}
	return nil
}

// answerComparison compares catweete's CPU per help with the verifier
// answering the same bytes: for information, beside the targets, which
// compare with the verifier that answers nothing. It is absent from results
// without that verifier.
func answerComparison(groups []*group) (string, bool) {
	answering := find(groups, labelVerifierAnswer, kindHelp)
	if answering == nil {
		return "", false
	}
	const name = "help: catweete's CPU µs per acked request ÷ the verifier answering the same bytes"
	figure := "n/a"
	perReq := func(r result) float64 { return r.CPUusPerReq }
	if catHelp := find(groups, labelCatweete, kindHelp); catHelp != nil {
		if r, ok := ratio(catHelp.median(perReq), answering.median(perReq)); ok {
			figure = fmt.Sprintf("%.2f× (%.1f vs %.1f)", r, catHelp.median(perReq), answering.median(perReq))
		}
	}
	return fmt.Sprintf("%s: %s; for information, not a target", name, figure), true
}
