package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"catweete/bench/workspace"
)

// fakeSlack reads the fake Slack's counters (bench/fakeslack).
type fakeSlack struct {
	baseURL string
	client  *http.Client
}

func (f fakeSlack) enabled() bool { return f.baseURL != "" }

func (f fakeSlack) get(ctx context.Context, path string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, f.baseURL+path, nil)
	if err != nil {
		return err
	}
	resp, err := f.client.Do(req)
	if err != nil {
		return fmt.Errorf("fake Slack: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("fake Slack: GET %s: %s", path, resp.Status)
	}
	return json.NewDecoder(resp.Body).Decode(v)
}

func (f fakeSlack) stats(ctx context.Context) (workspace.Stats, error) {
	var s workspace.Stats
	err := f.get(ctx, "/bench/stats", &s)
	return s, err
}

func (f fakeSlack) threads(ctx context.Context, from, to int64) (workspace.Threads, error) {
	var t workspace.Threads
	err := f.get(ctx, fmt.Sprintf("/bench/threads?from=%d&to=%d", from, to), &t)
	return t, err
}

// responseURL is a fresh response_url on the fake, counted under tag.
func (f fakeSlack) responseURL(tag string, n int64) string {
	if !f.enabled() {
		return fmt.Sprintf("https://hooks.slack.com/commands/%s/%d/%s", workspace.TeamID, n, tag)
	}
	return fmt.Sprintf("%s/response/%s/%d", f.baseURL, tag, n)
}

// answerCount is how many answers of this run's kind the fake has seen so
// far: what a request of that kind makes catweete send after the ack.
func answerCount(kind, tag string, s workspace.Stats) int64 {
	switch kind {
	case kindStatus, kindDraft:
		return s.Responses[tag]
	case kindClick:
		// A refused click is told to the person who clicked, privately.
		return s.Calls["chat.postEphemeral"] + s.Responses[tag]
	case kindMention:
		return s.ThreadReplies
	}
	return 0
}

func totalCalls(s workspace.Stats) int64 {
	var n int64
	for _, c := range s.Calls {
		n += c
	}
	for _, c := range s.Responses {
		n += c
	}
	return n
}

// waitAnswers polls the fake until want answers of kind came since the
// counters before were read, or nothing at all moved on the fake for quiet,
// or limit passed; it returns the last counters seen. With want 0 it waits
// for quiet.
func (f fakeSlack) waitAnswers(ctx context.Context, kind, tag string, before workspace.Stats, want int64, quiet, limit time.Duration) (workspace.Stats, error) {
	deadline := time.Now().Add(limit)
	var last workspace.Stats
	lastTotal, lastChange := int64(-1), time.Now()
	for {
		s, err := f.stats(ctx)
		if err != nil {
			return last, err
		}
		last = s
		if want > 0 && answerCount(kind, tag, s)-answerCount(kind, tag, before) >= want {
			return s, nil
		}
		if total := totalCalls(s); total != lastTotal {
			lastTotal, lastChange = total, time.Now()
		} else if time.Since(lastChange) >= quiet {
			return s, nil
		}
		if time.Now().After(deadline) {
			return s, nil
		}
		select {
		case <-ctx.Done():
			return s, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}
