package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"catweete/bench/workspace"
	"catweete/commands"
)

// checkLoopback refuses any target but this machine: the load test never
// sends traffic elsewhere.
func checkLoopback(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return err
	}
	if u.Scheme != "http" {
		return fmt.Errorf("%s: want http://", raw)
	}
	host := u.Hostname()
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("%s is not a loopback address", raw)
}

// request is one request to send.
type request struct {
	body        []byte
	contentType string
	retry       bool  // a mention sent again, as Slack retries
	event       int64 // the mention's number (0 for other kinds)
}

// client sends signed requests and reads their answers whole, so that the
// connection is kept alive for the next one.
type client struct {
	http   *http.Client
	url    string
	secret string
	kind   string
	busy   [][]byte // catweete's "too busy" answers, JSON-encoded (busyTexts)
}

func newClient(cfg config, conns int) *client {
	transport := &http.Transport{
		Proxy:               nil, // loopback only, whatever the environment says
		MaxIdleConns:        conns,
		MaxIdleConnsPerHost: conns,
		MaxConnsPerHost:     conns,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
	}
	return &client{
		http:   &http.Client{Transport: transport, Timeout: cfg.timeout},
		url:    cfg.baseURL + cfg.path,
		secret: cfg.secret,
		kind:   cfg.kind,
		busy:   busyTexts(),
	}
}

// maxAnswer bounds what is read of an ack.
const maxAnswer = 1 << 20

// send signs req with a fresh timestamp and sends it. It reports how the
// request ended and what its 2xx ack carried.
func (c *client) send(ctx context.Context, s *signer, req request) (outcome, ackKind) {
	status, body, err := c.post(ctx, s, req)
	if err != nil {
		return outcomeTransport, ackEmpty
	}
	if status < 200 || status > 299 {
		return outcomeStatus, ackEmpty
	}
	return outcomeOK, classifyAck(body, c.busy)
}

// post signs req with a fresh timestamp, sends it and reads its answer
// whole: its status and body.
func (c *client) post(ctx context.Context, s *signer, req request) (int, []byte, error) {
	ts := time.Now().Unix()
	r, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url, bytes.NewReader(req.body))
	if err != nil {
		return 0, nil, err
	}
	r.Header.Set("Content-Type", req.contentType)
	r.Header.Set("User-Agent", "Slackbot 1.0 (+https://api.slack.com/robots)")
	r.Header.Set("X-Slack-Request-Timestamp", strconv.FormatInt(ts, 10))
	r.Header.Set("X-Slack-Signature", s.sign(ts, req.body))
	if req.retry {
		r.Header.Set("X-Slack-Retry-Num", "1")
		r.Header.Set("X-Slack-Retry-Reason", "http_timeout")
	}
	resp, err := c.http.Do(r)
	if err != nil {
		return 0, nil, err
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	resp.Body.Close()
	if err != nil {
		return 0, nil, err
	}
	return resp.StatusCode, body, nil
}

// ackKind is what a 2xx ack carried.
type ackKind uint8

const (
	ackEmpty   ackKind = iota // nothing: the answer, if any, comes later
	ackMessage                // a message for the person: the answer itself
	ackBusy                   // catweete saying it is too busy to take the work
)

// busyTexts are catweete's "too busy" answers, in each language it speaks.
func busyTexts() [][]byte {
	cat := commands.NewCatalog()
	var out [][]byte
	for _, lang := range []commands.Lang{commands.French, commands.English} {
		// As it appears in an ack: a JSON string, quotes included (a
		// string always encodes).
		encoded, _ := json.Marshal(cat.T(lang, commands.MsgBusy))
		out = append(out, encoded)
	}
	return out
}

// classifyAck tells an empty ack from one that carries a message (a JSON
// body with a text), and a message that answers from catweete refusing
// the work as busy. Help is answered in the ack; so are status and
// drafts when their answer is ready in time, and otherwise later on the
// response_url. It looks for bytes rather than decoding: the load
// generator reads tens of thousands of acks a second on a core it shares,
// and a slower generator would lower the rate, and so raise the server's
// CPU time per request, of the servers that answer with a body.
func classifyAck(body []byte, busyTexts [][]byte) ackKind {
	at := bytes.Index(body, []byte(`"text":"`))
	if at < 0 || bytes.HasPrefix(body[at+len(`"text":"`):], []byte(`"`)) {
		return ackEmpty
	}
	for _, busy := range busyTexts {
		if bytes.Contains(body[at:], busy) {
			return ackBusy
		}
	}
	return ackMessage
}

// loadRun is one measurement's state.
type loadRun struct {
	cfg    config
	client *client
	fake   fakeSlack
	tag    string // this run's response_url tag
	base   int64  // mention numbers are base+1, base+2, …

	mu      sync.Mutex
	samples []sample
}

func (l *loadRun) record(batch []sample) {
	l.mu.Lock()
	l.samples = append(l.samples, batch...)
	l.mu.Unlock()
}

// build returns the n-th request (n from 1) of a closed-loop kind.
func (l *loadRun) build(n int64) request {
	form := "application/x-www-form-urlencoded"
	responseURL := l.fake.responseURL(l.tag, n)
	switch l.cfg.kind {
	case kindHelp:
		return request{body: commandBody("help", responseURL, n), contentType: form}
	case kindStatus:
		return request{body: commandBody("status", responseURL, n), contentType: form}
	case kindDraft:
		return request{body: commandBody("brouillon "+draftText(int(n)), responseURL, n), contentType: form}
	case kindClick, kindApprove:
		span := l.cfg.postTo - l.cfg.postFrom + 1
		post := l.cfg.postFrom + (n-1)%span
		return request{body: approveClickBody(post, l.cfg.version, responseURL, n), contentType: form}
	}
	return request{body: mentionBody(l.base + n), contentType: "application/json", event: l.base + n}
}

// answerGate holds the closed loop of a kind that catweete answers after
// its ack (status, click, draft) to -workers requests in progress, counting
// a request in progress until its answer reached the fake Slack. Without
// it the workers would outrun the work queued behind the acks, and
// catweete would refuse most requests as busy: the figures would then be
// those of the refusals, not of the work.
type answerGate struct {
	slots   chan struct{}
	pending atomic.Int64 // acked, answer not seen yet
}

func newAnswerGate(workers int) *answerGate {
	g := &answerGate{slots: make(chan struct{}, workers)}
	for range workers {
		g.slots <- struct{}{}
	}
	return g
}

// acquire waits for a free slot; false when stop or ctx ended first.
func (g *answerGate) acquire(ctx context.Context, stop <-chan struct{}) bool {
	select {
	case <-g.slots:
		return true
	default:
	}
	select {
	case <-g.slots:
		return true
	case <-stop:
		return false
	case <-ctx.Done():
		return false
	}
}

// sent records how the request went: one whose answer is still to come
// (awaited) keeps its slot until the answer is seen; any other frees it at
// once.
func (g *answerGate) sent(awaited bool) {
	if awaited {
		g.pending.Add(1)
		return
	}
	g.slots <- struct{}{}
}

// release frees n slots of answered requests.
func (g *answerGate) release(n int64) {
	for ; n > 0 && g.pending.Load() > 0; n-- {
		g.pending.Add(-1)
		g.slots <- struct{}{}
	}
}

// watch polls the fake's answers until done, and frees a slot for each
// one past last, the count before the run.
// Should answers stop coming while requests wait for theirs (catweete
// lost one), their slots are freed after stall, so that the load goes on.
func (g *answerGate) watch(ctx context.Context, l *loadRun, last int64, done <-chan struct{}) {
	const every, stall = 5 * time.Millisecond, time.Second
	progress := time.Now()
	for {
		select {
		case <-done:
			return
		case <-ctx.Done():
			return
		case <-time.After(every):
		}
		s, err := l.fake.stats(ctx)
		if err != nil {
			continue
		}
		n := answerCount(l.cfg.kind, l.tag, s)
		if n > last {
			g.release(n - last)
			progress = time.Now()
		} else if g.pending.Load() > 0 && time.Since(progress) > stall {
			g.release(g.pending.Load())
			progress = time.Now()
		}
		last = n
	}
}

// closedLoop runs the workers until stop is closed, or, with limit > 0,
// until limit requests were sent; with a gate, each waits for a slot.
func (l *loadRun) closedLoop(ctx context.Context, stop <-chan struct{}, limit int64, gate *answerGate) *sync.WaitGroup {
	var next atomic.Int64
	var wg sync.WaitGroup
	for range l.cfg.workers {
		wg.Go(func() {
			s := newSigner(l.client.secret)
			batch := make([]sample, 0, 4096)
			defer func() { l.record(batch) }()
			for {
				select {
				case <-stop:
					return
				case <-ctx.Done():
					return
				default:
				}
				if gate != nil && !gate.acquire(ctx, stop) {
					return
				}
				n := next.Add(1)
				if limit > 0 && n > limit {
					if gate != nil {
						gate.sent(false)
					}
					return
				}
				req := l.build(n)
				start := time.Now()
				out, ack := l.client.send(ctx, s, req)
				batch = append(batch, sample{start: start, latency: time.Since(start), outcome: out, ack: ack})
				if gate != nil {
					// Only an empty ack leaves an answer to wait for: a
					// message in the ack answered, or refused, at once.
					gate.sent(out == outcomeOK && ack == ackEmpty)
				}
			}
		})
	}
	return &wg
}

// openLoop sends mention i (from 1) at start + (i-1)/rate, whatever the
// answers to the earlier ones, until end; one in every 1/retryFrac is sent
// again retryDelay later. Latency is measured from the time a request was
// due, so that a server that falls behind is not excused by the generator
// waiting for it.
func (l *loadRun) openLoop(ctx context.Context, start, end time.Time) (sent, retried int64) {
	signers := sync.Pool{New: func() any { return newSigner(l.client.secret) }}
	var wg sync.WaitGroup
	fire := func(due time.Time, req request) {
		wg.Go(func() {
			s := signers.Get().(*signer)
			out, ack := l.client.send(ctx, s, req)
			signers.Put(s)
			l.record([]sample{{start: due, latency: time.Since(due), outcome: out, ack: ack, retry: req.retry, event: req.event}})
		})
	}
	retryEvery := int64(0)
	if l.cfg.retryFrac > 0 {
		retryEvery = int64(math.Round(1 / l.cfg.retryFrac))
	}
	interval := float64(time.Second) / l.cfg.rate
	type pending struct {
		due time.Time
		req request
	}
	var retries []pending // in due order: every retry is retryDelay after its event
	for i := int64(1); ; i++ {
		due := start.Add(time.Duration(float64(i-1) * interval))
		if !due.Before(end) {
			break
		}
		for len(retries) > 0 && !retries[0].due.After(due) {
			fire(retries[0].due, retries[0].req)
			retries = retries[1:]
			retried++
		}
		if wait := time.Until(due); wait > 0 {
			select {
			case <-ctx.Done():
				wg.Wait()
				return sent, retried
			case <-time.After(wait):
			}
		}
		req := request{body: mentionBody(l.base + i), contentType: "application/json", event: l.base + i}
		fire(due, req)
		sent++
		if retryEvery > 0 && i%retryEvery == 0 {
			retry := req
			retry.retry = true
			retries = append(retries, pending{due: due.Add(l.cfg.retryDelay), req: retry})
		}
	}
	// The retries of the last events go out after the last event.
	for _, p := range retries {
		if wait := time.Until(p.due); wait > 0 {
			select {
			case <-ctx.Done():
				wg.Wait()
				return sent, retried
			case <-time.After(wait):
			}
		}
		fire(p.due, p.req)
		retried++
	}
	wg.Wait()
	return sent, retried
}

// sampler reads the server's CPU time (and the fake's counters) at the
// edges of the measurement window.
type sampler struct {
	pid  int
	fake fakeSlack
}

type snapshot struct {
	at    time.Time
	ticks int64
	stats workspace.Stats
	err   error
}

func (s sampler) take(ctx context.Context) snapshot {
	snap := snapshot{at: time.Now()}
	if s.pid > 0 {
		snap.ticks, snap.err = cpuTicks(s.pid)
	}
	if s.fake.enabled() && snap.err == nil {
		snap.stats, snap.err = s.fake.stats(ctx)
	}
	return snap
}

func sleepUntil(ctx context.Context, t time.Time) error {
	wait := time.Until(t)
	if wait <= 0 {
		return ctx.Err()
	}
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(wait):
		return nil
	}
}

// measure runs the load cfg describes and adds it up.
func measure(ctx context.Context, cfg config) (result, error) {
	conns := cfg.workers
	if cfg.kind == kindMention {
		// Open loop: as many connections as the rate needs when the server
		// is slow, not as many as there are requests.
		conns = max(conns, 256)
	}
	now := time.Now()
	l := &loadRun{
		cfg:    cfg,
		client: newClient(cfg, conns),
		fake:   fakeSlack{baseURL: cfg.fakeURL, client: &http.Client{Timeout: 10 * time.Second}},
		tag:    fmt.Sprintf("%s-%d", cfg.kind, now.UnixNano()),
		base:   now.Unix() * 1_000_000,
	}
	smp := sampler{pid: cfg.pid, fake: l.fake}
	res := result{Label: cfg.label, Kind: cfg.kind, Workers: cfg.workers, ClockTicks: cfg.clkTck}
	if cfg.kind == kindMention {
		res.Rate = cfg.rate
	}

	var before workspace.Stats
	if l.fake.enabled() {
		var err error
		if before, err = l.fake.stats(ctx); err != nil {
			return res, err
		}
	}
	if cfg.pid > 0 {
		if _, err := cpuTicks(cfg.pid); err != nil {
			return res, fmt.Errorf("-pid %d: %w", cfg.pid, err)
		}
		res.PeakRSSReset = resetPeakRSS(cfg.pid) == nil
	}

	var gate *answerGate
	if l.fake.enabled() && (cfg.kind == kindStatus || cfg.kind == kindClick || cfg.kind == kindDraft) {
		gate = newAnswerGate(cfg.workers)
		watchDone := make(chan struct{})
		defer close(watchDone)
		go gate.watch(ctx, l, answerCount(cfg.kind, l.tag, before), watchDone)
	}

	var first, last snapshot
	var sent, retried int64
	switch {
	case cfg.kind == kindDraft || cfg.kind == kindApprove:
		first = smp.take(ctx)
		l.closedLoop(ctx, nil, int64(cfg.count), gate).Wait()
		last = smp.take(ctx)
	case cfg.kind == kindMention:
		start := time.Now()
		winStart := start.Add(cfg.warmup)
		winEnd := winStart.Add(cfg.duration)
		done := make(chan struct{})
		go func() {
			defer close(done)
			sent, retried = l.openLoop(ctx, start, winEnd)
		}()
		if err := sleepUntil(ctx, winStart); err != nil {
			return res, err
		}
		first = smp.take(ctx)
		if err := sleepUntil(ctx, winEnd); err != nil {
			return res, err
		}
		last = smp.take(ctx)
		<-done
		first.at, last.at = winStart, winEnd // the schedule's window, to which samples belong
	default:
		stop := make(chan struct{})
		start := time.Now()
		workers := l.closedLoop(ctx, stop, 0, gate)
		if err := sleepUntil(ctx, start.Add(cfg.warmup)); err != nil {
			close(stop)
			return res, err
		}
		first = smp.take(ctx)
		if err := sleepUntil(ctx, first.at.Add(cfg.duration)); err != nil {
			close(stop)
			return res, err
		}
		last = smp.take(ctx)
		close(stop)
		workers.Wait()
	}
	if first.err != nil || last.err != nil {
		return res, errors.Join(first.err, last.err)
	}
	if err := ctx.Err(); err != nil {
		return res, err
	}

	// Whole-run figures for seeding; the window's for the load.
	from, to := first.at, last.at
	if cfg.kind == kindDraft || cfg.kind == kindApprove {
		from, to = time.Time{}, time.Now().Add(time.Hour)
	}
	w := summarize(l.samples, from, to)
	res.fill(w, last.at.Sub(first.at))
	if cfg.pid > 0 {
		cpu := float64(last.ticks-first.ticks) / float64(cfg.clkTck)
		res.CPUms = cpu * 1000
		if w.ok > 0 {
			res.CPUusPerReq = cpu * 1e6 / float64(w.ok)
		}
		if res.PeakRSSkB, res.RSSkB, _ = memoryKB(cfg.pid); res.PeakRSSkB == 0 {
			return res, fmt.Errorf("-pid %d: no VmHWM", cfg.pid)
		}
	}

	if l.fake.enabled() || cfg.kind == kindHelp {
		if err := l.answers(ctx, &res, w, before, first.stats, last.stats, sent, retried); err != nil {
			return res, err
		}
	}
	if res.Mention != nil && res.WindowS > 0 {
		res.Mention.EventsPerS = float64(w.ok-w.retriesOK) / res.WindowS
	}
	return res, nil
}

// answers counts what catweete sent after its acks, once it is done (or
// -drain passed): the answers of the whole run, those of the window (for
// the CPU time per answer), and for mentions, how often each was answered.
func (l *loadRun) answers(ctx context.Context, res *result, w window, before, first, last workspace.Stats, sent, retried int64) error {
	cfg := l.cfg
	all := summarize(l.samples, time.Time{}, time.Now().Add(time.Hour))
	var want int64
	switch cfg.kind {
	case kindStatus, kindDraft:
		want = all.ok - all.withText // the others were answered, or refused, in their ack
	case kindClick:
		want = all.ok
	case kindMention:
		want = int64(len(ackedEvents(l.samples)))
	}
	res.ExpectedAnswers = want
	if cfg.kind == kindHelp {
		// Answered in the ack itself: by catweete, not by the verifier or
		// Bolt, which only ack.
		res.ExpectedAnswers = all.ok
		res.Answers = all.withText
		res.AnsweredInWindow = w.withText
	} else {
		quiet := 2 * time.Second
		end, err := l.fake.waitAnswers(ctx, cfg.kind, l.tag, before, want, quiet, cfg.drain)
		if err != nil {
			return err
		}
		// Answers on the response_url, and those that rode in their ack.
		res.Answers = answerCount(cfg.kind, l.tag, end) - answerCount(cfg.kind, l.tag, before) + all.withText - all.busy
		res.AnsweredInWindow = answerCount(cfg.kind, l.tag, last) - answerCount(cfg.kind, l.tag, first) + w.withText - w.busy
		res.ExpectedAnswers += all.withText - all.busy
		for method, n := range end.Failed {
			res.FakeFailedCalls += n - before.Failed[method]
		}
		if cfg.kind == kindMention {
			m, err := l.mentionFigures(ctx, sent, retried)
			if err != nil {
				return err
			}
			res.Mention = m
		}
	}
	if res.AnsweredInWindow > 0 && res.CPUms > 0 {
		res.CPUusPerAnswer = res.CPUms * 1000 / float64(res.AnsweredInWindow)
	}
	return nil
}

// ackedEvents is the set of mentions acked 2xx, first delivery or retry.
func ackedEvents(samples []sample) map[int64]bool {
	acked := map[int64]bool{}
	for _, s := range samples {
		if s.event != 0 && s.outcome == outcomeOK {
			acked[s.event] = true
		}
	}
	return acked
}

func (l *loadRun) mentionFigures(ctx context.Context, sent, retried int64) (*mentionResult, error) {
	threads, err := l.fake.threads(ctx, l.base+1, l.base+sent)
	if err != nil {
		return nil, err
	}
	acked := ackedEvents(l.samples)
	m := &mentionResult{
		Events: sent, EventsAcked: int64(len(acked)), Retries: retried,
		Answered: threads.Answered, Replies: threads.Replies, AnsweredTwice: threads.Twice,
		Unanswered: int64(len(acked)) - threads.Answered,
	}
	for _, s := range l.samples {
		if s.retry && s.outcome == outcomeOK {
			m.RetriesAcked++
		}
	}
	retryEvery := int64(0)
	if l.cfg.retryFrac > 0 {
		retryEvery = int64(math.Round(1 / l.cfg.retryFrac))
	}
	for _, n := range threads.TwiceExamples {
		m.TwiceExamples = append(m.TwiceExamples, workspace.EventID(n))
		if retryEvery > 0 && (n-l.base)%retryEvery == 0 {
			m.RetriedAnsweredTwice++
		}
	}
	return m, nil
}
