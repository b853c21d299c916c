package main

import (
	"math"
	"slices"
	"time"
)

// percentile returns the p-th percentile (0 < p ≤ 100) of sorted by the
// nearest-rank method: the smallest sample that p % of the samples are at
// or below. It is 0 for no samples.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 || p <= 0 {
		return 0
	}
	// The small step down keeps a product such as 99.9 % × 1000 =
	// 999.0000000000001 at rank 999.
	rank := int(math.Ceil(p/100*float64(len(sorted)) - 1e-9))
	rank = min(max(rank, 1), len(sorted))
	return sorted[rank-1]
}

// median is the middle value of xs (the mean of the two middle ones for an
// even count); 0 for none. xs is not changed.
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	mid := len(s) / 2
	if len(s)%2 == 1 {
		return s[mid]
	}
	return (s[mid-1] + s[mid]) / 2
}

// outcome classifies one request.
type outcome uint8

const (
	outcomeOK        outcome = iota // 2xx
	outcomeStatus                   // an HTTP status other than 2xx
	outcomeTransport                // no HTTP answer: refused, reset, timed out
)

// sample is one request: when it was meant to start (for the open loop,
// its scheduled time; for the closed loop, when it was sent), how long it
// took until its whole answer was read, and how it ended.
type sample struct {
	start   time.Time
	latency time.Duration
	outcome outcome
	ack     ackKind // what the 2xx ack carried
	retry   bool    // a retried delivery (mention)
	event   int64   // the mention's number (0 for other kinds)
}

// window is what the samples that started in [from, to) add up to.
type window struct {
	requests, ok, non2xx, transport int64
	withText, busy                  int64 // 2xx acks carrying a message, and of those, catweete refusing as busy
	retries, retriesOK              int64
	latencies                       []time.Duration // of the 2xx, sorted
}

func summarize(samples []sample, from, to time.Time) window {
	var w window
	for _, s := range samples {
		if s.start.Before(from) || !s.start.Before(to) {
			continue
		}
		w.requests++
		if s.retry {
			w.retries++
		}
		switch s.outcome {
		case outcomeOK:
			w.ok++
			if s.retry {
				w.retriesOK++
			}
			if s.ack != ackEmpty {
				w.withText++
			}
			if s.ack == ackBusy {
				w.busy++
			}
			w.latencies = append(w.latencies, s.latency)
		case outcomeStatus:
			w.non2xx++
		case outcomeTransport:
			w.transport++
		}
	}
	slices.Sort(w.latencies)
	return w
}

func millis(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
