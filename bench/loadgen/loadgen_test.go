package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"catweete/bench/workspace"
	"catweete/commands"
)

// Slack's published example ("Verifying requests from Slack"), whose body
// catweete's own signature tests keep.
const (
	vectorSecret    = "8f742231b10e8888abcd99yyyzzz85a5"
	vectorTimestamp = 1531420618
	vectorSignature = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
)

func TestSignMatchesSlacksExample(t *testing.T) {
	t.Parallel()
	body, err := os.ReadFile(filepath.Join("..", "..", "bot", "testdata", "slack-signature-vector.body"))
	if err != nil {
		t.Fatal(err)
	}
	s := newSigner(vectorSecret)
	if got := s.sign(vectorTimestamp, body); got != vectorSignature {
		t.Errorf("sign = %s, want %s", got, vectorSignature)
	}
	// The signer is reused for every request of a worker: a second
	// signature must not depend on the first.
	s.sign(vectorTimestamp+1, []byte("other"))
	if got := s.sign(vectorTimestamp, body); got != vectorSignature {
		t.Errorf("sign after another request = %s, want %s", got, vectorSignature)
	}
}

// Every kind's body, signed by the load generator, passes slack-go's own
// verification, which the minimal verifier uses.
func TestRequestsPassSlackGoVerification(t *testing.T) {
	t.Parallel()
	const secret = "bench-secret"
	l := &loadRun{cfg: config{kind: kindHelp, postFrom: 3, postTo: 5, version: 1}, tag: "t", base: 1_764_000_000_000_000}
	for _, kind := range []string{kindHelp, kindStatus, kindClick, kindMention, kindDraft, kindApprove} {
		l.cfg.kind = kind
		req := l.build(7)
		ts := time.Now().Unix()
		header := http.Header{}
		header.Set("X-Slack-Request-Timestamp", strconv.FormatInt(ts, 10))
		header.Set("X-Slack-Signature", newSigner(secret).sign(ts, req.body))
		sv, err := slack.NewSecretsVerifier(header, secret)
		if err != nil {
			t.Fatalf("%s: %v", kind, err)
		}
		sv.Write(req.body) //nolint:errcheck // a hash write never fails
		if err := sv.Ensure(); err != nil {
			t.Errorf("%s: %v", kind, err)
		}
	}
}

func TestBodiesReadAsSlackSendsThem(t *testing.T) {
	t.Parallel()
	newRun := func(kind string) *loadRun {
		return &loadRun{cfg: config{kind: kind, postFrom: 3, postTo: 5, version: 2}, tag: "click-1",
			base: 1_764_000_000_000_000, fake: fakeSlack{baseURL: "http://127.0.0.1:18700"}}
	}

	t.Run("CommandIsTheFormOfASlashCommand", func(t *testing.T) {
		l := newRun(kindStatus)
		form, err := url.ParseQuery(string(l.build(4).body))
		if err != nil {
			t.Fatal(err)
		}
		if form.Get("command") != "/catweete" || form.Get("text") != "status" || form.Get("user_id") != workspace.Author ||
			form.Get("response_url") != "http://127.0.0.1:18700/response/click-1/4" || form.Get("trigger_id") == "" {
			t.Errorf("form = %v", form)
		}
	})
	t.Run("ClickIsABlockActionsPayloadCyclingOverPosts", func(t *testing.T) {
		l := newRun(kindClick)
		var values []string
		for n := int64(1); n <= 4; n++ {
			form, err := url.ParseQuery(string(l.build(n).body))
			if err != nil {
				t.Fatal(err)
			}
			var cb slack.InteractionCallback
			if err := json.Unmarshal([]byte(form.Get("payload")), &cb); err != nil {
				t.Fatal(err)
			}
			if cb.Type != slack.InteractionTypeBlockActions || cb.User.ID != workspace.Approver ||
				cb.Channel.ID != workspace.ApprovalChannel || len(cb.ActionCallback.BlockActions) != 1 {
				t.Fatalf("payload = %+v", cb)
			}
			a := cb.ActionCallback.BlockActions[0]
			if a.ActionID != "approve" || a.BlockID != "card_actions" {
				t.Errorf("action = %+v", a)
			}
			values = append(values, a.Value)
		}
		if got := strings.Join(values, " "); got != "3:2 4:2 5:2 3:2" {
			t.Errorf("button values = %s, want 3:2 4:2 5:2 3:2", got)
		}
	})
	t.Run("MentionCarriesItsNumberInEventIDAndTS", func(t *testing.T) {
		l := newRun(kindMention)
		req := l.build(9)
		var env struct {
			Type    string `json:"type"`
			EventID string `json:"event_id"`
			Event   struct {
				Type, User, Text, TS, Channel string
			} `json:"event"`
		}
		if err := json.Unmarshal(req.body, &env); err != nil {
			t.Fatal(err)
		}
		n := l.base + 9
		if env.Type != "event_callback" || env.EventID != workspace.EventID(n) || env.Event.Type != "app_mention" ||
			env.Event.TS != workspace.TS(n) || env.Event.Text != "<@UBENCHBOT> alors ça tweete ?" || req.event != n {
			t.Errorf("mention = %+v (event %d)", env, req.event)
		}
	})
}

func TestPercentile(t *testing.T) {
	t.Parallel()
	ms := func(xs ...int) []time.Duration {
		out := make([]time.Duration, len(xs))
		for i, x := range xs {
			out[i] = time.Duration(x) * time.Millisecond
		}
		return out
	}
	hundred := make([]time.Duration, 100)
	for i := range hundred {
		hundred[i] = time.Duration(i+1) * time.Millisecond
	}
	thousand := make([]time.Duration, 1000)
	for i := range thousand {
		thousand[i] = time.Duration(i+1) * time.Millisecond
	}
	for _, tc := range []struct {
		name   string
		sorted []time.Duration
		p      float64
		want   time.Duration
	}{
		{"NoSamples", nil, 50, 0},
		{"OneSample", ms(7), 99.9, 7 * time.Millisecond},
		{"MedianOfOddCountIsTheMiddle", ms(1, 2, 3, 4, 5), 50, 3 * time.Millisecond},
		{"MedianOfEvenCountIsTheLowerMiddle", ms(1, 2, 3, 4), 50, 2 * time.Millisecond},
		{"P99OfAHundredIsThe99th", hundred, 99, 99 * time.Millisecond},
		{"P999OfAHundredIsTheLast", hundred, 99.9, 100 * time.Millisecond},
		{"P999OfAThousandIsThe999th", thousand, 99.9, 999 * time.Millisecond},
		{"P100IsTheMaximum", ms(1, 2, 30), 100, 30 * time.Millisecond},
		{"TinyPIsTheMinimum", ms(4, 5, 6), 0.01, 4 * time.Millisecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := percentile(tc.sorted, tc.p); got != tc.want {
				t.Errorf("percentile of %d samples, %v = %v, want %v", len(tc.sorted), tc.p, got, tc.want)
			}
		})
	}
}

func TestMedian(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		xs   []float64
		want float64
	}{
		{nil, 0}, {[]float64{3}, 3}, {[]float64{9, 1, 5}, 5}, {[]float64{4, 1, 3, 2}, 2.5},
	} {
		in := append([]float64(nil), tc.xs...)
		if got := median(tc.xs); got != tc.want {
			t.Errorf("median(%v) = %v, want %v", tc.xs, got, tc.want)
		}
		if len(in) > 0 && in[0] != tc.xs[0] {
			t.Errorf("median reordered its input")
		}
	}
}

func TestSummarizeCountsTheWindowOnly(t *testing.T) {
	t.Parallel()
	t0 := time.Unix(1_764_000_000, 0)
	at := func(s float64) time.Time { return t0.Add(time.Duration(s * float64(time.Second))) }
	samples := []sample{
		{start: at(0.5), latency: time.Millisecond, outcome: outcomeOK},                      // warm-up
		{start: at(1), latency: 2 * time.Millisecond, outcome: outcomeOK},                    // first of the window
		{start: at(1.5), latency: 9 * time.Millisecond, outcome: outcomeOK, ack: ackBusy},    // acked, busy
		{start: at(1.7), latency: 3 * time.Millisecond, outcome: outcomeOK, ack: ackMessage}, // answered in the ack
		{start: at(2), latency: time.Millisecond, outcome: outcomeStatus},                    // 503
		{start: at(2.5), latency: time.Second, outcome: outcomeTransport},                    // reset
		{start: at(2.9), latency: 4 * time.Millisecond, outcome: outcomeOK, retry: true},     // a retry, acked
		{start: at(3), latency: time.Millisecond, outcome: outcomeOK},                        // after the window
	}
	w := summarize(samples, at(1), at(3))
	if w.requests != 6 || w.ok != 4 || w.withText != 2 || w.busy != 1 || w.non2xx != 1 || w.transport != 1 || w.retries != 1 || w.retriesOK != 1 {
		t.Errorf("window = %+v", w)
	}
	want := []time.Duration{2 * time.Millisecond, 3 * time.Millisecond, 4 * time.Millisecond, 9 * time.Millisecond}
	if !slices.Equal(w.latencies, want) {
		t.Errorf("latencies = %v, want %v (the acked ones, sorted)", w.latencies, want)
	}
}

func TestProcFiles(t *testing.T) {
	t.Parallel()
	// A command name with a space and a parenthesis, as a process may set.
	stat := []byte("4242 (cat weete) S 1 4242 4242 0 -1 4194560 1000 0 0 0 1234 567 0 0 20 0 12 0 100 700000000 5000 " +
		"18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n")
	ticks, err := parseStatTicks(stat)
	if err != nil || ticks != 1234+567 {
		t.Errorf("parseStatTicks = %d, %v; want 1801", ticks, err)
	}
	if _, err := parseStatTicks([]byte("4242 (short) S 1 2")); err == nil {
		t.Error("a truncated stat was read")
	}
	status := []byte("Name:\tcatweete\nVmPeak:\t 1000000 kB\nVmHWM:\t   23456 kB\nVmRSS:\t   20000 kB\nThreads:\t12\n")
	peak, now, err := parseStatusMemory(status)
	if err != nil || peak != 23456 || now != 20000 {
		t.Errorf("parseStatusMemory = %d, %d, %v; want 23456, 20000", peak, now, err)
	}
	if _, _, err := parseStatusMemory([]byte("Name:\tkthreadd\n")); err == nil {
		t.Error("a status without memory lines was read")
	}
	// This process's own files, as the load generator reads the server's.
	if _, err := cpuTicks(os.Getpid()); err != nil {
		t.Errorf("cpuTicks(self): %v", err)
	}
	if peak, _, err := memoryKB(os.Getpid()); err != nil || peak <= 0 {
		t.Errorf("memoryKB(self) = %d, %v", peak, err)
	}
}

func jsonString(t *testing.T, s string) string {
	t.Helper()
	encoded, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	return string(encoded)
}

func TestClassifyAck(t *testing.T) {
	t.Parallel()
	cat := commands.NewCatalog()
	for _, tc := range []struct {
		body string
		want ackKind
	}{
		{"", ackEmpty},
		{"  \n", ackEmpty},
		{`{"ok":true}`, ackEmpty},
		{`not json`, ackEmpty},
		{`{"response_type":"ephemeral","text":"*Pas encore cette semaine* : rien n'a été publié."}`, ackMessage},
		{`{"response_type":"ephemeral","text":""}`, ackEmpty},
		{`{"response_type":"ephemeral","text":` + jsonString(t, cat.T(commands.French, commands.MsgBusy)) + `}`, ackBusy},
		{`{"response_type":"ephemeral","text":` + jsonString(t, cat.T(commands.English, commands.MsgBusy)) + `}`, ackBusy},
		{`{"response_type":"ephemeral","text":` + jsonString(t, "Avant : "+cat.T(commands.French, commands.MsgBusy)) + `}`, ackMessage},
	} {
		if got := classifyAck([]byte(tc.body), busyTexts()); got != tc.want {
			t.Errorf("classifyAck(%q) = %v, want %v", tc.body, got, tc.want)
		}
	}
}

func TestOnlyLoopbackIsATarget(t *testing.T) {
	t.Parallel()
	for raw, ok := range map[string]bool{
		"http://127.0.0.1:18702": true, "http://localhost:3000": true, "http://[::1]:3000": true, "http://127.0.0.2:80": true,
		"http://10.0.0.1:3000": false, "http://192.168.1.2": false, "https://127.0.0.1:3000": false, "http://example.com": false,
	} {
		if err := checkLoopback(raw); (err == nil) != ok {
			t.Errorf("checkLoopback(%s) = %v, want ok=%v", raw, err, ok)
		}
	}
}

func TestReportChecksTheTargets(t *testing.T) {
	t.Parallel()
	lines := []result{
		{Label: labelVerifier, Kind: kindHelp, Workers: 32, CPUusPerReq: 20, P99ms: 4, PeakRSSkB: 10_000},
		{Label: labelVerifier, Kind: kindHelp, Workers: 32, CPUusPerReq: 22, P99ms: 5, PeakRSSkB: 10_000},
		{Label: labelVerifier, Kind: kindHelp, Workers: 32, CPUusPerReq: 90, P99ms: 6, PeakRSSkB: 10_000}, // a noisy run
		// Answering with catweete's help bytes: informative, never a target.
		{Label: labelVerifierAnswer, Kind: kindHelp, Workers: 32, CPUusPerReq: 24, P99ms: 5, PeakRSSkB: 10_000, Answers: 900, ExpectedAnswers: 900},
		{Label: labelVerifierAnswer, Kind: kindHelp, Workers: 32, CPUusPerReq: 23, P99ms: 5, PeakRSSkB: 10_000, Answers: 800, ExpectedAnswers: 800},
		{Label: labelCatweete, Kind: kindHelp, Workers: 32, CPUusPerReq: 25, P99ms: 9, PeakRSSkB: 30_000},
		{Label: labelCatweete, Kind: kindHelp, Workers: 32, CPUusPerReq: 26, P99ms: 9, PeakRSSkB: 45_000},
		{Label: labelCatweete, Kind: kindStatus, Workers: 32, CPUusPerReq: 5, CPUusPerAnswer: 40, PeakRSSkB: 30_000},
		{Label: labelBolt, Kind: kindHelp, Workers: 32, CPUusPerReq: 100, P99ms: 20, PeakRSSkB: 80_000},
		{Label: labelCatweete, Kind: kindMention, Workers: 32, Rate: 2000, WindowS: 5, Errors: 3,
			Mention: &mentionResult{EventsPerS: 2000}},
	}
	var file bytes.Buffer
	for _, r := range lines {
		if err := writeJSONLine(&file, r); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(t.TempDir(), "results.jsonl")
	if err := os.WriteFile(path, file.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	groups, err := readResults(path)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, tg := range checkTargets(groups) {
		if !tg.known {
			t.Errorf("%s: not known", tg.name)
		}
		got[tg.name] = tg.met
	}
	want := map[string]bool{
		"help: catweete's CPU µs per acked request ÷ the verifier's":                          true,  // 25.5 / 22 = 1.16
		"help: catweete's CPU µs per acked request ÷ Bolt's":                                  true,  // 0.255
		"status: catweete's CPU µs per answered request ÷ the verifier's per request":         true,  // 40 / 22 = 1.82
		"help: catweete's p99 latency ÷ the verifier's, 32 workers":                           true,  // 9 / 5 = 1.8
		"help: catweete's peak RSS under that load":                                           false, // 45,000 kB = 43.9 MB at its highest
		"mention: distinct app_mention events acked per second, deduped, none answered twice": false, // 3 errors
	}
	for name, met := range want {
		if g, ok := got[name]; !ok || g != met {
			t.Errorf("%s: met = %v (found %v), want %v", name, g, ok, met)
		}
	}
	var out bytes.Buffer
	if err := printReport(&out, path); err != nil {
		t.Fatal(err)
	}
	report := out.String()
	for _, want := range []string{
		"4 of 6 targets met.\n",
		"help: catweete's CPU µs per acked request ÷ the verifier answering the same bytes: 1.09× (25.5 vs 23.5); for information, not a target\n",
	} {
		if !strings.Contains(report, want) {
			t.Errorf("report lacks %q:\n%s", want, report)
		}
	}
	// Its row in the table, in the order the runs came, with the acks that
	// carried the answer.
	rows := strings.Split(report, "\n")
	if len(rows) < 4 || !strings.HasPrefix(strings.TrimSpace(rows[3]), labelVerifierAnswer+" ") ||
		!strings.HasSuffix(strings.TrimSpace(rows[3]), "1700/1700") {
		t.Errorf("third row is not the verifier answering:\n%s", report)
	}
}

// Results of a load test without the verifier answering (before it ran)
// still make a report, without the line that compares with it.
func TestReportWithoutTheAnsweringVerifier(t *testing.T) {
	t.Parallel()
	var file bytes.Buffer
	for _, r := range []result{
		{Label: labelVerifier, Kind: kindHelp, Workers: 32, CPUusPerReq: 20, P99ms: 4, PeakRSSkB: 10_000},
		{Label: labelCatweete, Kind: kindHelp, Workers: 32, CPUusPerReq: 25, P99ms: 9, PeakRSSkB: 30_000},
	} {
		if err := writeJSONLine(&file, r); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(t.TempDir(), "results.jsonl")
	if err := os.WriteFile(path, file.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := printReport(&out, path); err != nil {
		t.Fatal(err)
	}
	if report := out.String(); strings.Contains(report, "answering the same bytes") || !strings.Contains(report, "of 6 targets met.") {
		t.Errorf("report:\n%s", report)
	}
}

func TestAnswerGateHoldsAnsweredWorkUntilItsAnswer(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	stopped := make(chan struct{})
	close(stopped)
	g := newAnswerGate(2)
	if !g.acquire(ctx, nil) || !g.acquire(ctx, nil) {
		t.Fatal("two slots, not both acquired")
	}
	g.sent(true)  // acked: in progress until its answer
	g.sent(false) // refused: free at once
	if !g.acquire(ctx, stopped) {
		t.Fatal("the refused request's slot was not freed")
	}
	// Both slots are now taken: only a stop ends the wait.
	if len(g.slots) != 0 || g.acquire(ctx, stopped) {
		t.Fatal("a third slot was acquired")
	}
	g.release(5) // more answers than requests in progress: only one slot
	if g.pending.Load() != 0 || len(g.slots) != 1 {
		t.Errorf("after release: %d pending, %d free, want 0 and 1", g.pending.Load(), len(g.slots))
	}
}

// -save-ack keeps the ack of one signed /catweete help, and nothing that
// is not that ack.
func TestSaveAckKeepsTheHelpAck(t *testing.T) {
	t.Parallel()
	const secret = "bench-secret"
	cat := commands.NewCatalog()
	helpAck := `{"response_type":"ephemeral","text":"` + strings.Repeat("*/catweete brouillon* texte ", 90) + `"}`
	busyAck := `{"response_type":"ephemeral","text":` + strconv.Quote(cat.T(commands.French, commands.MsgBusy)) + `}`
	for _, tc := range []struct {
		name   string
		status int
		ack    string
		ok     bool
	}{
		{"HelpInTheAckIsSaved", http.StatusOK, helpAck, true},
		{"EmptyAckIsRefused", http.StatusOK, "", false},
		{"BusyAckIsRefused", http.StatusOK, busyAck, false},
		{"ServiceUnavailableIsRefused", http.StatusServiceUnavailable, helpAck, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			// catweete's side: a signed /catweete help, or 401.
			server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				body, err := io.ReadAll(r.Body)
				if err != nil {
					http.Error(w, "bad request", http.StatusBadRequest)
					return
				}
				sv, err := slack.NewSecretsVerifier(r.Header, secret)
				if err == nil {
					sv.Write(body) //nolint:errcheck // a hash write never fails
					err = sv.Ensure()
				}
				form, _ := url.ParseQuery(string(body))
				if err != nil || r.URL.Path != "/slack/commands" || form.Get("command") != "/catweete" || form.Get("text") != "help" {
					http.Error(w, "not a signed /catweete help", http.StatusUnauthorized)
					return
				}
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(tc.status)
				io.WriteString(w, tc.ack) //nolint:errcheck // the client hung up: nothing to do
			}))
			defer server.Close()
			path := filepath.Join(t.TempDir(), "help-ack.json")
			var out bytes.Buffer
			err := run([]string{"-url", server.URL, "-secret", secret, "-save-ack", path}, &out)
			if (err == nil) != tc.ok {
				t.Fatalf("run = %v, want ok=%v", err, tc.ok)
			}
			saved, readErr := os.ReadFile(path)
			if !tc.ok {
				if readErr == nil {
					t.Errorf("a refused ack was saved: %q", saved)
				}
				return
			}
			if string(saved) != tc.ack {
				t.Errorf("saved %d bytes, want the ack's %d", len(saved), len(tc.ack))
			}
		})
	}
	if _, err := parseFlags([]string{"-secret", secret, "-kind", kindStatus, "-save-ack", "x.json"}); err == nil {
		t.Error("-save-ack with -kind status was accepted: its ack is empty")
	}
}
