// Package workspace is what the load generator and the fake Slack of
// catweete's load test agree on: the fake workspace's ids, how a mention's
// event id and message ts are derived from one number (so that the fake can
// tell which event an answer in a thread belongs to), and the JSON of the
// fake's counters.
package workspace

import (
	"fmt"
	"strconv"
	"strings"
)

// The fake workspace.
const (
	TeamID          = "TBENCH"
	TeamDomain      = "catweete-bench"
	AppID           = "ABENCH"
	BotUserID       = "UBENCHBOT" // auth.test's user_id: mentions name it
	BotID           = "BBENCHBOT"
	Channel         = "CBENCH"    // where commands are typed and mentions happen
	ApprovalChannel = "CAPPROVAL" // CATWEETE_APPROVAL_CHANNEL
	Author          = "UAUTHOR"   // drafts the seeded posts
	Approver        = "UAPPROVER" // CATWEETE_APPROVERS: clicks the buttons
	TimeZone        = "Europe/Paris"
	Command         = "/catweete"
)

// A mention is numbered n: its event id is "Ev<n>" and its message ts is n
// read as microseconds, "<n/1e6>.<n%1e6>", which is the shape of a Slack ts.
// The load generator takes n = (unix seconds at its start) × 1e6 + a
// counter, so that the ts is a plausible one and every run's ids are new
// (catweete remembers event ids for days).

// EventID is the event id of mention n.
func EventID(n int64) string { return "Ev" + strconv.FormatInt(n, 10) }

// TS is the message ts of mention n.
func TS(n int64) string { return fmt.Sprintf("%d.%06d", n/1_000_000, n%1_000_000) }

// FromTS reads back the number of the mention whose ts is ts.
func FromTS(ts string) (int64, bool) {
	secText, microText, ok := strings.Cut(ts, ".")
	if !ok || len(microText) != 6 {
		return 0, false
	}
	sec, err := strconv.ParseInt(secText, 10, 64)
	if err != nil || sec < 0 {
		return 0, false
	}
	micro, err := strconv.ParseInt(microText, 10, 64)
	if err != nil || micro < 0 {
		return 0, false
	}
	return sec*1_000_000 + micro, true
}

// Stats is the fake's counters (GET /bench/stats).
type Stats struct {
	// Calls counts Web API calls by method; Failed counts the calls answered
	// ok:false (an unknown method, a wrong token, a missing field).
	Calls  map[string]int64 `json:"calls"`
	Failed map[string]int64 `json:"failed"`
	// Responses counts the messages posted to response_urls, by tag (the
	// first path segment after /response/).
	Responses map[string]int64 `json:"responses"`
	// ThreadReplies counts chat.postMessage calls with a thread_ts.
	ThreadReplies int64 `json:"thread_replies"`
}

// Threads is the answer of GET /bench/threads?from=&to=: the replies posted
// in the threads of mentions numbered from..to (inclusive).
type Threads struct {
	Answered int64 `json:"answered"` // mentions with at least one reply
	Replies  int64 `json:"replies"`  // replies in all
	// Twice is the number of mentions answered more than once, and
	// TwiceExamples up to 100 of their numbers.
	Twice         int64   `json:"twice"`
	TwiceExamples []int64 `json:"twice_examples,omitempty"`
}
