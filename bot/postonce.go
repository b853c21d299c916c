package bot

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"syscall"
	"time"

	"github.com/slack-go/slack"
)

// The event types of the metadata catweete attaches to its messages, so
// that it can find one again in the channel (DESIGN §8: "a 429 can follow a
// message that was posted").
const (
	metaCard   = "catweete_card"
	metaLine   = "catweete_line"
	metaAlert  = "catweete_alert"
	metaDigest = "catweete_digest"
)

const (
	// postAttempts bounds the chat.postMessage calls for one message.
	postAttempts = 3
	// settleWait is the wait before looking for a message whose answer
	// was lost (a timeout, a 5xx), which comes with no Retry-After.
	settleWait = time.Second
	// clockMargin widens a search back in time: Slack's clock and ours
	// may differ, and the ts of a message is Slack's.
	clockMargin = 2 * time.Minute
	// searchPages bounds a search (of searchPageSize messages a page).
	searchPages    = 5
	searchPageSize = 200
	// freshCard is how young a post is when its card is posted for the
	// first time, in the same breath as the draft. An older post without
	// a card is the sweep's: a card may be in the channel already (its
	// answer lost, or catweete stopped before it recorded the card), so
	// the channel is searched first.
	freshCard = 10 * time.Second
)

// ErrSearchTooLong: too many messages since the attempt to tell whether a
// message went out; nothing is posted rather than perhaps twice.
var ErrSearchTooLong = errors.New("bot: too many messages to search for the one that may have been posted")

// ErrMaybePosted: a message's answer was unclear and the search for it
// could not be made; it may be in Slack. It is not posted again blindly.
var ErrMaybePosted = errors.New("bot: the message may have been posted")

// outgoing is one chat.postMessage that must leave at most one message in
// Slack, however the calls go.
type outgoing struct {
	channel string
	// thread is the ts of the thread's first message, for a line in a
	// thread; empty for a message in the channel.
	thread string
	// kind and key are the metadata's event_type and the key of its
	// payload: together they name this message and no other.
	kind, key string
	// postID is the post the message is about; 0 for none.
	postID int64
	opts   []slack.MsgOption
}

// newKey returns a key for a message that only this call posts (a thread
// line, an alert, a digest).
func newKey() string {
	b := make([]byte, 12)
	rand.Read(b) //nolint:errcheck // crypto/rand.Read never fails
	return hex.EncodeToString(b)
}

// cardKey is the key of post id's card: the same across restarts, so that
// the sweep finds a card that went out before catweete could record it.
func cardKey(postID int64) string { return "post-" + strconv.FormatInt(postID, 10) }

func (m outgoing) metadata() slack.SlackMetadata {
	payload := map[string]any{"key": m.key}
	if m.postID != 0 {
		payload["post_id"] = m.postID
	}
	return slack.SlackMetadata{EventType: m.kind, EventPayload: payload}
}

// post sends m with chat.postMessage, once. A call whose outcome is
// uncertain (a 429, which can follow a message that was posted; a 5xx; a
// timeout or a connection lost after the request went out) is followed by
// Slack's Retry-After (a second for the others), then by a search of the
// channel, or the thread, for m's metadata since the first attempt: a
// message found is adopted, and only a message not found is posted again.
// When the search itself fails, m is not posted again, and the error says
// it may have gone out.
func (n *Notifier) post(ctx context.Context, m outgoing) (channel, ts string, err error) {
	opts := append(append([]slack.MsgOption(nil), m.opts...), slack.MsgOptionMetadata(m.metadata()))
	if m.thread != "" {
		opts = append(opts, slack.MsgOptionTS(m.thread))
	}
	since := n.now()
	for attempt := 1; ; attempt++ {
		callCtx, cancel := context.WithTimeout(ctx, n.callTimeout)
		channel, ts, err = n.api.PostMessageContext(callCtx, m.channel, opts...)
		cancel()
		if err == nil {
			return channel, ts, nil
		}
		wait, unclear := uncertain(ctx, err)
		if !unclear {
			return "", "", err
		}
		n.log.WarnContext(ctx, "chat.postMessage without a clear answer: looking for the message before posting again",
			"kind", m.kind, "channel", m.channel, "post_id", m.postID, "attempt", attempt, "wait", wait, "err", err)
		if serr := n.sleep(ctx, wait); serr != nil {
			return "", "", fmt.Errorf("%w (%s): %w", ErrMaybePosted, m.kind, errors.Join(err, serr))
		}
		found, ferr := n.find(ctx, m, since)
		if ferr != nil {
			return "", "", fmt.Errorf("%w (%s), and the channel could not be searched: %w", ErrMaybePosted, m.kind, errors.Join(err, ferr))
		}
		if found != "" {
			n.log.InfoContext(ctx, "message found after an unclear answer: not posted again", "kind", m.kind, "channel", m.channel, "ts", found, "post_id", m.postID)
			return m.channel, found, nil
		}
		if attempt == postAttempts {
			return "", "", fmt.Errorf("bot: %s not posted after %d attempts: %w", m.kind, attempt, err)
		}
	}
}

// uncertain says whether err leaves it open that the message was posted,
// and how long to wait before looking: Slack's Retry-After for a 429.
func uncertain(ctx context.Context, err error) (time.Duration, bool) {
	if ctx.Err() != nil {
		return 0, false // no time left to look, nor to post
	}
	var limited *slack.RateLimitedError
	if errors.As(err, &limited) {
		return max(limited.RetryAfter, time.Second), true
	}
	var status slack.StatusCodeError
	if errors.As(err, &status) {
		// A 429 without Retry-After, or a server error: the message may
		// have been written before the answer failed.
		if status.Code == http.StatusTooManyRequests || status.Code >= 500 {
			return settleWait, true
		}
		return 0, false
	}
	if errors.Is(err, syscall.ECONNREFUSED) {
		return 0, false // never reached Slack
	}
	var netErr net.Error
	var urlErr *url.Error
	if errors.Is(err, context.DeadlineExceeded) || errors.As(err, &netErr) || errors.As(err, &urlErr) {
		// The request may have reached Slack before the answer was lost.
		return settleWait, true
	}
	return 0, false
}

// find looks for m in its channel (or thread) among the messages since
// the first attempt, and returns its ts; "" when it is not there.
func (n *Notifier) find(ctx context.Context, m outgoing, since time.Time) (string, error) {
	oldest := slackTS(since.Add(-clockMargin))
	cursor := ""
	for range searchPages {
		var msgs []slack.Message
		var more bool
		var next string
		err := n.retryLimited(ctx, func() error {
			if m.thread != "" {
				page, hasMore, nextCursor, err := n.api.GetConversationRepliesContext(ctx, &slack.GetConversationRepliesParameters{
					ChannelID: m.channel, Timestamp: m.thread, Oldest: oldest, Inclusive: true,
					Limit: searchPageSize, Cursor: cursor, IncludeAllMetadata: true,
				})
				msgs, more, next = page, hasMore, nextCursor
				return err
			}
			page, err := n.api.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{
				ChannelID: m.channel, Oldest: oldest, Inclusive: true,
				Limit: searchPageSize, Cursor: cursor, IncludeAllMetadata: true,
			})
			if err == nil {
				msgs, more, next = page.Messages, page.HasMore, page.ResponseMetaData.NextCursor
			}
			return err
		})
		if missingScope(err) {
			// An app installed before catweete read history: never
			// posting (a card no one sees, a post that never gets its
			// approvals) is worse than a message that may show twice.
			n.log.WarnContext(ctx, "cannot look for a message that may have been posted: the app lacks the history scopes "+
				"(channels:history, groups:history, im:history, mpim:history; reinstall it from slack/manifest.yaml); posting it, it may show twice",
				"kind", m.kind, "channel", m.channel, "post_id", m.postID, "err", err)
			return "", nil
		}
		if err != nil {
			return "", fmt.Errorf("bot: searching %s for a %s: %w", m.channel, m.kind, err)
		}
		cursor = next
		for _, msg := range msgs {
			if msg.Metadata.EventType == m.kind && fmt.Sprint(msg.Metadata.EventPayload["key"]) == m.key {
				return msg.Timestamp, nil
			}
		}
		if !more || cursor == "" {
			return "", nil
		}
	}
	return "", ErrSearchTooLong
}

// missingScope reports whether Slack refused a call for a scope the app
// was not granted.
func missingScope(err error) bool {
	var refused slack.SlackErrorResponse
	return errors.As(err, &refused) && refused.Err == "missing_scope"
}

// slackTS writes t as a message timestamp, for oldest and latest.
func slackTS(t time.Time) string {
	us := t.UnixMicro()
	if us < 0 {
		us = 0
	}
	return fmt.Sprintf("%d.%06d", us/1_000_000, us%1_000_000)
}

// retryLimited runs an idempotent Web API call (chat.update, a search)
// again after Slack's Retry-After when it is rate limited, a few times at
// most.
func (n *Notifier) retryLimited(ctx context.Context, call func() error) error {
	for attempt := 0; ; attempt++ {
		err := call()
		var limited *slack.RateLimitedError
		if !errors.As(err, &limited) || attempt == 2 {
			return err
		}
		if serr := n.sleep(ctx, max(limited.RetryAfter, time.Second)); serr != nil {
			return err
		}
	}
}

// sleepFor waits d, or until ctx ends.
func sleepFor(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
