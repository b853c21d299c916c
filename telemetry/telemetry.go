// Package telemetry declares what catweete measures of itself, for
// Prometheus to scrape at GET /metrics: how Slack's requests were answered
// and how fast, how publishing goes on each network, how many deliveries
// are in each state, and how much work waits.
//
// Every collector is built here, once, into a registry that main creates
// and passes in; nothing is registered globally. The bot and the workflow
// get the pieces they need through their Config, where nil means "not
// measured". The series the request path touches are resolved when they
// are built, so that counting a request is an atomic add, not a lookup.
package telemetry

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metric names, as scraped.
const (
	NameRequests      = "catweete_slack_requests_total"
	NameAck           = "catweete_slack_ack_seconds"
	NameQueue         = "catweete_slack_queue_jobs"
	NamePublish       = "catweete_publish_seconds"
	NameNetworkErrors = "catweete_network_errors_total"
	NameDeliveries    = "catweete_deliveries"
	NameDue           = "catweete_deliveries_due"
)

// Outcome is how a Slack request was answered.
type Outcome uint8

// Outcomes of a Slack request. They index arrays: keep outcomeCount last.
const (
	// OK: acked, and its work taken (or done in the ack).
	OK Outcome = iota
	// BadSignature: refused with 401, nothing read (a missing, stale or
	// wrong signature).
	BadSignature
	// TooLarge: refused with 413, a body over the limit.
	TooLarge
	// Unreadable: a body that could not be read, or a signed payload
	// that is not what Slack sends.
	Unreadable
	// Busy: acked, but the work was refused because the bot's queue was
	// full; the person was told to try again.
	Busy
	// Panic: a bug in the handler; acked all the same so that Slack does
	// not retry it.
	Panic
	// RetryLater: an event answered 503 with Retry-After, for Slack to
	// deliver again once the queue has room.
	RetryLater
	outcomeCount
)

func (o Outcome) String() string {
	switch o {
	case OK:
		return "ok"
	case BadSignature:
		return "bad_signature"
	case TooLarge:
		return "too_large"
	case Unreadable:
		return "unreadable"
	case Busy:
		return "busy"
	case Panic:
		return "panic"
	case RetryLater:
		return "retry_later"
	default:
		return fmt.Sprintf("outcome(%d)", int(o))
	}
}

// ackBuckets suit acks measured in milliseconds, up to Slack's limit of
// 3 s: le="3" counts the acks that were in time.
func ackBuckets() []float64 {
	return []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2, 3}
}

// publishBuckets suit a network's answer, up to the dispatcher's 45 s
// timeout for one call.
func publishBuckets() []float64 {
	return []float64{.05, .1, .25, .5, 1, 2.5, 5, 10, 20, 45}
}

// Endpoint counts the requests of one Slack endpoint (over HTTP or Socket
// Mode) and the time taken to ack them. A nil *Endpoint measures nothing.
type Endpoint struct {
	requests [outcomeCount]prometheus.Counter
	ack      prometheus.Observer
}

// Refused counts a request refused before it was read as Slack's: a bad
// signature, a body too large or unreadable. Its answer is not an ack to
// Slack, and anyone can send it, so its time stays out of the ack latency.
func (e *Endpoint) Refused(o Outcome) {
	if e == nil || o >= outcomeCount {
		return
	}
	e.requests[o].Inc()
}

// Acked counts a request Slack sent, answered with outcome, took after it
// arrived.
func (e *Endpoint) Acked(o Outcome, took time.Duration) {
	if e == nil || o >= outcomeCount {
		return
	}
	e.requests[o].Inc()
	e.ack.Observe(took.Seconds())
}

// Slack holds the counters of the three endpoints Slack calls.
type Slack struct {
	Commands      *Endpoint
	Events        *Endpoint
	Interactivity *Endpoint
}

// Publishing measures the dispatcher's calls to the networks. It
// implements workflows.PublishObserver. A nil *Publishing measures
// nothing.
type Publishing struct {
	latency *prometheus.HistogramVec
	errors  *prometheus.CounterVec
}

// Published records a post gone out on network, d after its delivery was
// claimed.
func (p *Publishing) Published(network string, d time.Duration) {
	if p == nil {
		return
	}
	p.latency.WithLabelValues(network).Observe(d.Seconds())
}

// NetworkError counts a publish call to network that failed, in class.
func (p *Publishing) NetworkError(network, class string) {
	if p == nil {
		return
	}
	p.errors.WithLabelValues(network, class).Inc()
}

// Config says which series exist from the start: a series that appears
// only at its first event makes rate() and alerts miss that event.
type Config struct {
	// Networks are the configured accounts' networks.
	Networks []string
	// ErrorClasses are the classes NetworkError is told
	// (workflows.ErrorClasses).
	ErrorClasses []string
}

// Metrics is what catweete measures as events happen.
type Metrics struct {
	Slack      *Slack
	Publishing *Publishing
}

// New registers the Go runtime and process collectors and catweete's own
// event metrics in reg.
func New(reg prometheus.Registerer, cfg Config) (*Metrics, error) {
	requests := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: NameRequests,
		Help: "Requests Slack's endpoints received, by endpoint and outcome.",
	}, []string{"endpoint", "outcome"})
	ack := prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    NameAck,
		Help:    "Time from a Slack request's arrival to its ack (Slack waits 3 s), for requests that passed the signature check.",
		Buckets: ackBuckets(),
	}, []string{"endpoint"})
	latency := prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    NamePublish,
		Help:    "Time from a delivery's claim by the dispatcher to the network's answer that it was published, by network.",
		Buckets: publishBuckets(),
	}, []string{"network"})
	errs := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: NameNetworkErrors,
		Help: "Publish calls that failed, by network and class.",
	}, []string{"network", "class"})
	for _, c := range []prometheus.Collector{
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		requests, ack, latency, errs,
	} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("telemetry: %w", err)
		}
	}
	endpoint := func(name string) *Endpoint {
		e := &Endpoint{ack: ack.WithLabelValues(name)}
		for o := range outcomeCount {
			e.requests[o] = requests.WithLabelValues(name, o.String())
		}
		return e
	}
	for _, network := range cfg.Networks {
		latency.WithLabelValues(network)
		for _, class := range cfg.ErrorClasses {
			errs.WithLabelValues(network, class)
		}
	}
	return &Metrics{
		Slack: &Slack{
			Commands: endpoint("commands"), Events: endpoint("events"), Interactivity: endpoint("interactivity"),
		},
		Publishing: &Publishing{latency: latency, errors: errs},
	}, nil
}

// WatchQueues registers the number of jobs waiting in the bot's two lanes,
// read at scrape time: "jobs", the work done after an ack, and "modals",
// the work that must open a modal within its trigger's 3 s.
func WatchQueues(reg prometheus.Registerer, jobs, modals func() int) error {
	for lane, depth := range map[string]func() int{"jobs": jobs, "modals": modals} {
		g := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name:        NameQueue,
			Help:        "Jobs waiting for a worker of the bot, by lane.",
			ConstLabels: prometheus.Labels{"lane": lane},
		}, func() float64 { return float64(depth()) })
		if err := reg.Register(g); err != nil {
			return fmt.Errorf("telemetry: %w", err)
		}
	}
	return nil
}

// DeliveryCounter reads the deliveries' numbers from storage, at scrape
// time: storage.Store fills it.
type DeliveryCounter interface {
	// DeliveryCounts returns how many deliveries are in each state.
	DeliveryCounts(ctx context.Context) (map[string]int, error)
	// DueDeliveries counts the deliveries due by now and not yet claimed.
	DueDeliveries(ctx context.Context, now time.Time) (int, error)
}

// scrapeTimeout bounds the queries of one scrape: a database that does
// not answer makes the scrape report an error, not hang.
const scrapeTimeout = 2 * time.Second

// WatchDeliveries registers the deliveries by state and the due ones, read
// from store at every scrape: storage is the one count, with no copy kept
// here to drift from it. now is the clock that says what is due.
func WatchDeliveries(reg prometheus.Registerer, store DeliveryCounter, now func() time.Time) error {
	if err := reg.Register(&deliveries{
		store: store,
		now:   now,
		byState: prometheus.NewDesc(NameDeliveries,
			"Deliveries (one post on one account) in each state, from the database.", []string{"state"}, nil),
		due: prometheus.NewDesc(NameDue,
			"Deliveries whose time has come and that the dispatcher has not claimed yet.", nil, nil),
	}); err != nil {
		return fmt.Errorf("telemetry: %w", err)
	}
	return nil
}

// deliveries collects the deliveries' gauges from storage.
type deliveries struct {
	store   DeliveryCounter
	now     func() time.Time
	byState *prometheus.Desc
	due     *prometheus.Desc
}

func (d *deliveries) Describe(ch chan<- *prometheus.Desc) {
	ch <- d.byState
	ch <- d.due
}

func (d *deliveries) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), scrapeTimeout)
	defer cancel()
	counts, err := d.store.DeliveryCounts(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(d.byState, err)
	} else {
		states := make([]string, 0, len(counts))
		for state := range counts {
			states = append(states, state)
		}
		slices.Sort(states)
		for _, state := range states {
			ch <- gauge(d.byState, counts[state], state)
		}
	}
	due, err := d.store.DueDeliveries(ctx, d.now())
	if err != nil {
		ch <- prometheus.NewInvalidMetric(d.due, err)
		return
	}
	ch <- gauge(d.due, due)
}

func gauge(desc *prometheus.Desc, n int, labels ...string) prometheus.Metric {
	m, err := prometheus.NewConstMetric(desc, prometheus.GaugeValue, float64(n), labels...)
	if err != nil {
		return prometheus.NewInvalidMetric(desc, err)
	}
	return m
}

// Handler serves g's metrics in Prometheus' text format. A collector that
// fails (the database did not answer) is logged, and the other metrics
// are served all the same.
func Handler(g prometheus.Gatherer, log *slog.Logger) http.Handler {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return promhttp.HandlerFor(g, promhttp.HandlerOpts{
		ErrorLog:      errorLog{log},
		ErrorHandling: promhttp.ContinueOnError,
		// Scrapes are cheap but read the database: a flood of them must
		// not pile up.
		MaxRequestsInFlight: 4,
	})
}

// errorLog gives promhttp's error lines to slog.
type errorLog struct{ log *slog.Logger }

func (l errorLog) Println(v ...any) {
	l.log.Warn("metrics scrape incomplete", "err", fmt.Sprint(v...))
}
