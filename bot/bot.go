package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/slack-go/slack"

	"catweete/commands"
	"catweete/telemetry"
)

// EventLog remembers which Slack events were handled, across restarts.
// storage.Store fills it.
type EventLog interface {
	MarkEventSeen(ctx context.Context, eventID string, at time.Time) (bool, error)
	ForgetEvent(ctx context.Context, eventID string) error
}

// Config configures a Bot.
type Config struct {
	API      *slack.Client    // required
	Router   *commands.Router // required
	Notifier *Notifier        // required: draws cards, for the shortcut's modal too
	Events   EventLog         // required
	// SigningSecret verifies HTTP requests; required in HTTP mode.
	SigningSecret string
	// AppID is the app's own id (SLACK_APP_ID): a request for another app
	// is refused. If empty, bots.info gives it at start; if that fails
	// too, requests are checked for their workspace only.
	AppID string
	// HTTPClient posts to response_url; if nil, a client with a 10 s
	// timeout.
	HTTPClient *http.Client
	// Workers and Queue size the pool that does the work after the ack; if
	// 0, 32 workers and 4096 waiting jobs. Jobs mostly wait for Slack's
	// Web API, so the pool is larger than the machine's cores: a burst of
	// mentions is answered, not refused.
	Workers int
	Queue   int
	// JobTimeout bounds one job; if 0, 30 s.
	JobTimeout time.Duration
	// AckWait is how long, over HTTP, a slash command's ack waits for the
	// command's answer to carry it (Slack waits 3 s for the ack); longer
	// work answers through the response_url. If 0, the ack never waits.
	AckWait time.Duration
	Now     func() time.Time // if nil, time.Now
	Logger  *slog.Logger     // if nil, discarded
	// Requests counts Slack's requests and times their acks; if nil, they
	// are not measured.
	Requests *telemetry.Slack
}

// Bot receives what Slack sends, acks it at once, and does the work after
// the ack in a bounded pool of workers.
type Bot struct {
	api        *slack.Client
	router     *commands.Router
	cat        *commands.Catalog
	notifier   *Notifier
	events     EventLog
	verifier   *Verifier
	httpClient *http.Client
	pool       *pool
	// modals runs the work that must open a modal: a trigger_id lives 3 s,
	// so it must not wait behind slow jobs in the main pool.
	modals     *pool
	jobTimeout time.Duration
	ackWait    time.Duration
	now        func() time.Time
	log        *slog.Logger
	requests   *telemetry.Slack // never nil: its endpoints are, when not measured
	// helpAcks is the answer to help in each language, encoded once: it
	// never changes, and it is the request most often answered in the ack.
	helpAcks map[commands.Lang]encodedAck
	userID   string // the bot's own user id, from auth.test
	// home is the workspace (or org) and app this bot serves: requests
	// for any other are refused.
	home installation
}

// New checks cfg, asks Slack who the bot is (auth.test) and starts the
// worker pool. Stop it with Shutdown.
func New(ctx context.Context, cfg Config) (*Bot, error) {
	if cfg.API == nil || cfg.Router == nil || cfg.Notifier == nil || cfg.Events == nil {
		return nil, errors.New("bot: Config needs API, Router, Notifier and Events")
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	if cfg.Workers == 0 {
		cfg.Workers = 32
	}
	if cfg.Queue == 0 {
		cfg.Queue = 4096
	}
	if cfg.JobTimeout == 0 {
		cfg.JobTimeout = 30 * time.Second
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Requests == nil {
		cfg.Requests = &telemetry.Slack{}
	}
	auth, err := cfg.API.AuthTestContext(ctx)
	if err != nil {
		return nil, fmt.Errorf("bot: auth.test: %w", err)
	}
	b := &Bot{
		api: cfg.API, router: cfg.Router, cat: cfg.Router.Catalog(), notifier: cfg.Notifier, events: cfg.Events,
		verifier: NewVerifier(cfg.SigningSecret, cfg.Now), httpClient: cfg.HTTPClient,
		pool: newPool(cfg.Workers, cfg.Queue), modals: newPool(4, 64),
		jobTimeout: cfg.JobTimeout, ackWait: cfg.AckWait, now: cfg.Now, log: cfg.Logger, requests: cfg.Requests,
		userID: auth.UserID,
		home: installation{teamID: auth.TeamID, enterpriseID: auth.EnterpriseID,
			appID: appIDOf(ctx, cfg.API, auth.BotID, cfg.AppID, cfg.Logger)},
	}
	b.helpAcks = make(map[commands.Lang]encodedAck)
	for _, lang := range []commands.Lang{commands.French, commands.English} {
		reply := b.router.Run(ctx, commands.Request{Source: commands.SourceSlashCommand}, commands.Parsed{Name: commands.CmdHelp, Lang: lang})
		encoded, err := json.Marshal(ephemeralAck{ResponseType: slack.ResponseTypeEphemeral, Text: reply.Text})
		if err != nil {
			return nil, fmt.Errorf("bot: encoding the help: %w", err)
		}
		b.helpAcks[lang] = encoded
	}
	b.log.Info("connected to Slack", "bot_user", auth.UserID, "team", auth.TeamID, "enterprise", auth.EnterpriseID, "app", b.home.appID)
	return b, nil
}

// UserID is the bot's own Slack user id.
func (b *Bot) UserID() string { return b.userID }

// Shutdown stops taking work and waits for the jobs already taken, or ctx.
func (b *Bot) Shutdown(ctx context.Context) error {
	return errors.Join(b.modals.stop(ctx), b.pool.stop(ctx))
}

// later runs job after the ack, in the pool, with its own deadline. It
// reports false when the pool is full.
func (b *Bot) later(name string, job func(ctx context.Context)) bool {
	return b.run(b.pool, b.jobTimeout, name, job)
}

// modalDeadline leaves views.open time to answer within the 3 s a
// trigger_id lives.
const modalDeadline = 2500 * time.Millisecond

// soon runs job, which opens a modal, on the modal lane.
func (b *Bot) soon(name string, job func(ctx context.Context)) bool {
	return b.run(b.modals, b.jobTimeout, name, job)
}

func (b *Bot) run(p *pool, timeout time.Duration, name string, job func(ctx context.Context)) bool {
	return p.submit(func(base context.Context) {
		ctx, cancel := context.WithTimeout(base, timeout)
		defer cancel()
		defer func() {
			if v := recover(); v != nil {
				b.log.Error("job panicked", "job", name, "panic", fmt.Sprint(v))
			}
		}()
		job(ctx)
	})
}

// openModal opens view with trigger, within the trigger's life.
func (b *Bot) openModal(ctx context.Context, trigger string, view slack.ModalViewRequest) error {
	ctx, cancel := context.WithTimeout(ctx, modalDeadline)
	defer cancel()
	_, err := b.api.OpenViewContext(ctx, trigger, view)
	return err
}

// ephemeralAck is a slash command's immediate answer, seen by its author
// alone. It is slack.Msg's two fields that matter here: encoding the whole
// slack.Msg costs more than the rest of answering help.
type ephemeralAck struct {
	ResponseType string `json:"response_type"`
	Text         string `json:"text"`
}

// ack is what goes back to Slack at once: nothing (an empty 200), or a JSON
// body (an immediate reply, modal errors).
type ack = any

// onCommand handles a slash command. Help is answered in the ack itself;
// everything else runs in the pool, after the ack. With wait > 0, the ack
// waits that long for the answer and carries it: the person sees it at
// once, and the bot saves a call to the response_url, which then serves
// only answers slower than wait (and the digest, and modals' errors).
func (b *Bot) onCommand(cmd slack.SlashCommand, wait time.Duration) ack {
	if b.foreign(context.Background(), commandOrigin(cmd)) {
		lang := b.router.Parse(cmd.Text).Lang
		if lang == "" {
			lang = b.router.Lang()
		}
		return ephemeralAck{ResponseType: slack.ResponseTypeEphemeral, Text: b.cat.T(lang, commands.MsgForeignWorkspace)}
	}
	req := commands.Request{Text: cmd.Text, UserID: cmd.UserID, ChannelID: cmd.ChannelID, Source: commands.SourceSlashCommand}
	parsed := b.router.Parse(cmd.Text)
	if parsed.Name == commands.CmdHelp { // answered in the ack, from the help encoded at start
		lang := parsed.Lang
		if lang == "" {
			lang = b.router.Lang()
		}
		if help, ok := b.helpAcks[lang]; ok {
			return help
		}
		reply := b.router.Run(context.Background(), req, parsed)
		return ephemeralAck{ResponseType: slack.ResponseTypeEphemeral, Text: reply.Text}
	}
	run := b.later
	if parsed.Name == commands.CmdDraft && strings.TrimSpace(parsed.Args) == "" {
		run = b.soon
	}
	answer := newAckAnswer()
	ok := run("command", func(ctx context.Context) {
		// Whatever happens below (a digest, a modal, a panic), the ack
		// does not wait for an answer that will not come.
		defer answer.give("")
		reply := b.router.Run(ctx, req, parsed)
		if reply.PostDigest || reply.OpenDraftModal {
			answer.give("")
		} else if wait > 0 && answer.give(reply.Text) {
			return
		}
		if reply.PostDigest {
			b.digestReply(ctx, cmd.ChannelID, cmd.UserID, cmd.ResponseURL, reply.Lang)
			return
		}
		if reply.OpenDraftModal {
			meta := modalMeta{UserID: cmd.UserID, Channel: cmd.ChannelID, Lang: string(reply.Lang)}
			if err := b.openModal(ctx, cmd.TriggerID, b.draftModal(meta, reply.DraftText)); err != nil {
				b.log.WarnContext(ctx, "draft modal not opened", "user", cmd.UserID, "err", err)
				b.respond(ctx, cmd.ResponseURL, cmd.ChannelID, cmd.UserID, b.cat.T(reply.Lang, commands.MsgExpiredTrigger))
			}
			return
		}
		b.respond(ctx, cmd.ResponseURL, cmd.ChannelID, cmd.UserID, reply.Text)
	})
	if !ok {
		b.log.Warn("pool full: command refused", "user", cmd.UserID)
		return busyAck{ephemeralAck{ResponseType: slack.ResponseTypeEphemeral, Text: b.cat.T(b.router.Lang(), commands.MsgBusy)}}
	}
	if wait <= 0 {
		return nil
	}
	text, ok := answer.take(wait)
	if !ok || text == "" {
		return nil
	}
	return ephemeralAck{ResponseType: slack.ResponseTypeEphemeral, Text: text}
}

// ackAnswer hands a command's answer from its job to its ack, once: the
// job gives it, and the ack takes it if it came within the wait. An answer
// given after the ack has gone is refused, and the job sends it through
// the response_url instead; never both, never neither.
type ackAnswer struct {
	ready chan string // holds the answer, once given
	mu    sync.Mutex
	gone  bool // the ack has gone without the answer
	given bool // an answer was given: later ones are refused
}

func newAckAnswer() *ackAnswer { return &ackAnswer{ready: make(chan string, 1)} }

// give offers text to the ack; false if the ack has gone, or already has
// an answer. "" says there will be none: the ack goes at once, empty.
func (a *ackAnswer) give(text string) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.gone || a.given {
		return false
	}
	a.given = true
	a.ready <- text // never blocks: one answer, one slot
	return true
}

// take waits up to wait for the answer; false if it did not come, and
// then none will be taken.
func (a *ackAnswer) take(wait time.Duration) (string, bool) {
	timer := time.NewTimer(wait)
	defer timer.Stop()
	select {
	case text := <-a.ready:
		return text, true
	case <-timer.C:
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.gone = true
	select {
	case text := <-a.ready: // given as the wait ran out
		return text, true
	default:
		return "", false
	}
}

// respond answers one person privately: through the response_url when
// there is one, else with chat.postEphemeral.
func (b *Bot) respond(ctx context.Context, responseURL, channel, user, text string) {
	if text == "" {
		return
	}
	if responseURL != "" {
		err := slack.PostWebhookCustomHTTPContext(ctx, responseURL, b.httpClient, &slack.WebhookMessage{
			ResponseType: slack.ResponseTypeEphemeral, Text: text, ReplaceOriginal: false,
		})
		if err == nil {
			return
		}
		b.log.WarnContext(ctx, "response_url failed", "user", user, "err", withoutURL(err, responseURL))
	}
	b.ephemeral(ctx, channel, user, text)
}

// ephemeral shows text to user alone, in channel.
func (b *Bot) ephemeral(ctx context.Context, channel, user, text string) {
	if text == "" {
		return
	}
	if channel != "" {
		_, err := b.api.PostEphemeralContext(ctx, channel, user, slack.MsgOptionText(text, false))
		if err == nil {
			return
		}
		b.log.WarnContext(ctx, "ephemeral not posted; sending a direct message", "user", user, "channel", channel, "err", err)
	}
	// Not in that channel (a DM, a private channel the bot is not in, a
	// modal opened elsewhere): the app's direct message with the person.
	if _, _, err := b.api.PostMessageContext(ctx, user, slack.MsgOptionText(text, false)); err != nil {
		b.log.WarnContext(ctx, "direct message not posted", "user", user, "err", err)
	}
}

// withoutURL keeps a response_url out of a log line: it is a capability
// that can post for 30 minutes, and slack-go's errors quote it.
func withoutURL(err error, url string) string {
	if err == nil {
		return ""
	}
	if url == "" {
		return err.Error()
	}
	return strings.ReplaceAll(err.Error(), url, "[response_url]")
}

// eventEnvelope is the outer JSON of the Events API, over HTTP and Socket
// Mode alike.
type eventEnvelope struct {
	Type      string     `json:"type"`
	Challenge string     `json:"challenge"`
	EventID   string     `json:"event_id"`
	TeamID    string     `json:"team_id"`
	Event     innerEvent `json:"event"`
	// Who the event is for: checked against the installation.
	APIAppID            string               `json:"api_app_id"`
	EnterpriseID        string               `json:"enterprise_id"`
	IsEnterpriseInstall bool                 `json:"is_enterprise_install"`
	Authorizations      []eventAuthorization `json:"authorizations"`
}

type innerEvent struct {
	Type     string `json:"type"`
	User     string `json:"user"`
	BotID    string `json:"bot_id"`
	Text     string `json:"text"`
	TS       string `json:"ts"`
	ThreadTS string `json:"thread_ts"`
	Channel  string `json:"channel"`
	Tab      string `json:"tab"` // app_home_opened: "home" or "messages"
}

// onEvent handles an event_callback. It reports false when the event could
// not be taken (the pool is full): Slack should then retry it.
func (b *Bot) onEvent(ctx context.Context, env eventEnvelope) bool {
	if b.foreign(ctx, env.origin()) {
		return true // answered 200: Slack must not send it again
	}
	ev := env.Event
	if ev.Type == "app_home_opened" {
		return b.onHomeOpened(ctx, env)
	}
	if ev.Type != "app_mention" || ev.BotID != "" || ev.User == b.userID || ev.User == "" {
		return true
	}
	if env.EventID != "" {
		first, err := b.events.MarkEventSeen(ctx, env.EventID, b.now())
		if err != nil {
			b.log.ErrorContext(ctx, "event not recorded", "event_id", env.EventID, "err", err)
			return false
		}
		if !first {
			b.log.InfoContext(ctx, "event already handled", "event_id", env.EventID)
			return true
		}
	}
	taken := b.later("mention", func(ctx context.Context) {
		text := strings.ReplaceAll(ev.Text, "<@"+b.userID+">", " ")
		reply := b.router.Handle(ctx, commands.Request{Text: text, UserID: ev.User, ChannelID: ev.Channel, Source: commands.SourceMention})
		thread := ev.ThreadTS
		if thread == "" {
			thread = ev.TS
		}
		if reply.PostDigest {
			// The digest goes in the channel, with its own thread for the
			// chart; only a failure is answered in the mention's thread.
			err := b.postDigest(ctx, ev.Channel, reply.Lang)
			if err == nil {
				return
			}
			b.log.ErrorContext(ctx, "digest not posted", "event_id", env.EventID, "channel", ev.Channel, "err", err)
			reply.Text = b.cat.T(reply.Lang, commands.MsgDigestFailed)
		}
		if reply.OpenDraftModal {
			// A mention has no trigger_id to open a modal with.
			reply.Text = b.cat.T(reply.Lang, commands.MsgDraftUsage, "<@"+b.userID+">")
		}
		if _, _, err := b.api.PostMessageContext(ctx, ev.Channel, slack.MsgOptionText(reply.Text, false),
			slack.MsgOptionTS(thread), slack.MsgOptionDisableLinkUnfurl()); err != nil {
			b.log.ErrorContext(ctx, "mention not answered", "event_id", env.EventID, "channel", ev.Channel, "err", err)
		}
	})
	if !taken && env.EventID != "" {
		// Slack's retry of this event must be handled, not taken for a
		// duplicate.
		b.log.WarnContext(ctx, "pool full: event left for Slack's retry", "event_id", env.EventID)
		if err := b.events.ForgetEvent(ctx, env.EventID); err != nil {
			b.log.ErrorContext(ctx, "event not forgotten", "event_id", env.EventID, "err", err)
		}
	}
	return taken
}

// busy tells the person who clicked, outside the pool (which is full),
// that nothing happened and they can try again.
func (b *Bot) busy(cb slack.InteractionCallback) {
	b.log.Warn("pool full: interaction refused", "user", cb.User.ID, "type", string(cb.Type))
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		b.refuse(ctx, cb, b.cat.T(b.router.Lang(), commands.MsgBusy))
	}()
}

// onInteraction handles clicks, modal submissions and the message shortcut.
func (b *Bot) onInteraction(cb slack.InteractionCallback) ack {
	if b.foreign(context.Background(), interactionOrigin(cb)) {
		return nil // a 200 with nothing done: a modal just closes
	}
	lang := b.router.Lang()
	switch cb.Type {
	case slack.InteractionTypeBlockActions:
		taken := true
		for _, action := range cb.ActionCallback.BlockActions {
			taken = b.onAction(cb, *action) && taken
		}
		if !taken {
			return busyAck{}
		}
		return nil
	case slack.InteractionTypeViewSubmission:
		return b.onSubmission(cb)
	case slack.InteractionTypeMessageAction, slack.InteractionTypeShortcut:
		if cb.CallbackID != CallbackSuggest {
			return nil
		}
		text := commands.SlackToPlain(cb.Message.Text)
		meta := modalMeta{UserID: cb.User.ID, Channel: cb.Channel.ID}
		taken := b.soon("shortcut", func(ctx context.Context) {
			if err := b.openModal(ctx, cb.TriggerID, b.draftModal(meta, text)); err != nil {
				b.log.WarnContext(ctx, "draft modal not opened", "user", cb.User.ID, "err", err)
				b.respond(ctx, cb.ResponseURL, cb.Channel.ID, cb.User.ID, b.cat.T(lang, commands.MsgExpiredTrigger))
			}
		})
		if !taken {
			b.busy(cb)
			return busyAck{}
		}
	}
	return nil
}

// parseButtonValue reads "<post id>:<version>".
func parseButtonValue(v string) (int64, int, error) {
	idText, versionText, _ := strings.Cut(v, ":")
	id, err := strconv.ParseInt(idText, 10, 64)
	if err != nil || id <= 0 {
		return 0, 0, fmt.Errorf("bot: button value %q: bad post id", v)
	}
	version := 0
	if versionText != "" {
		if version, err = strconv.Atoi(versionText); err != nil || version <= 0 {
			return 0, 0, fmt.Errorf("bot: button value %q: bad version", v)
		}
	}
	return id, version, nil
}

// onAction handles one button. It reports false when the pool was full and
// the person was told so.
func (b *Bot) onAction(cb slack.InteractionCallback, action slack.BlockAction) bool {
	lang := b.router.Lang()
	user, channel := cb.User.ID, cb.Channel.ID
	switch action.ActionID {
	case ActionRetryDelivery, ActionConfirmDelivery, ActionCancelDelivery:
		return b.onDeliveryAction(cb, action)
	}
	postID, version, err := parseButtonValue(action.Value)
	if err != nil {
		b.log.Warn("bad button", "action", action.ActionID, "user", user, "err", err)
		if !b.later("refusal", func(ctx context.Context) { b.refuse(ctx, cb, b.cat.T(lang, commands.MsgBadPayload)) }) {
			b.busy(cb)
			return false
		}
		return true
	}
	run := b.later
	if action.ActionID == ActionRequestChanges || action.ActionID == ActionReject || action.ActionID == ActionEdit {
		run = b.soon
	}
	taken := run("action", func(ctx context.Context) {
		defer b.afterHomeClick(ctx, cb, action.ActionID)
		switch action.ActionID {
		case ActionApprove:
			msg := b.router.Approve(ctx, user, postID, version)
			if msg == "" && fromDigest(action) {
				// The card, which says it, is in another channel.
				msg = b.cat.T(lang, commands.MsgApprovedOK, postID)
			}
			b.refuse(ctx, cb, msg)
		case ActionCancel:
			if msg := b.staleClick(ctx, lang, postID, version); msg != "" {
				b.refuse(ctx, cb, msg)
				return
			}
			b.refuse(ctx, cb, b.router.CancelPost(ctx, user, postID))
		case ActionPublishNow, ActionNextSlot:
			if msg := b.staleClick(ctx, lang, postID, version); msg != "" {
				b.refuse(ctx, cb, msg)
				return
			}
			b.refuse(ctx, cb, b.router.Release(ctx, user, postID, action.ActionID == ActionNextSlot))
		case ActionRequestChanges, ActionReject:
			meta := modalMeta{UserID: user, Channel: channel, PostID: postID, Version: version, Decision: action.ActionID}
			// Refuse before asking for a reason that could not count.
			if msg := b.router.CheckDecision(ctx, user, postID, version, action.ActionID == ActionReject); msg != "" {
				b.refuse(ctx, cb, msg)
				return
			}
			if err := b.openModal(ctx, cb.TriggerID, b.reasonModal(meta)); err != nil {
				b.log.WarnContext(ctx, "reason modal not opened", "post_id", postID, "err", err)
				b.refuse(ctx, cb, b.cat.T(lang, commands.MsgExpiredTrigger))
			}
		case ActionEdit:
			post, msg := b.router.CheckEditor(ctx, user, postID)
			if msg == "" && version != 0 && post.Version != version {
				msg = b.cat.T(lang, commands.MsgEditedSince, postID, post.Version)
			}
			if msg != "" {
				b.refuse(ctx, cb, msg)
				return
			}
			meta := modalMeta{UserID: user, Channel: channel, PostID: postID, Version: post.Version}
			if err := b.openModal(ctx, cb.TriggerID, b.editModal(meta, post.Text)); err != nil {
				b.log.WarnContext(ctx, "edit modal not opened", "post_id", postID, "err", err)
				b.refuse(ctx, cb, b.cat.T(lang, commands.MsgExpiredTrigger))
			}
		default:
			b.log.Warn("unknown action", "action", action.ActionID, "post_id", postID, "user", user)
		}
	})
	if !taken {
		b.busy(cb)
	}
	return taken
}

// onDeliveryAction answers the buttons of a failure alert. It reports false
// when the pool was full and the person was told so.
func (b *Bot) onDeliveryAction(cb slack.InteractionCallback, action slack.BlockAction) bool {
	lang := b.router.Lang()
	id, err := strconv.ParseInt(strings.TrimPrefix(action.Value, "d"), 10, 64)
	if err != nil || id <= 0 || !strings.HasPrefix(action.Value, "d") {
		b.log.Warn("bad delivery button", "action", action.ActionID, "user", cb.User.ID, "value", action.Value)
		if !b.later("refusal", func(ctx context.Context) { b.refuse(ctx, cb, b.cat.T(lang, commands.MsgBadPayload)) }) {
			b.busy(cb)
			return false
		}
		return true
	}
	taken := b.later("delivery action", func(ctx context.Context) {
		var msg string
		switch action.ActionID {
		case ActionRetryDelivery:
			msg = b.router.RetryDelivery(ctx, cb.User.ID, id)
		case ActionConfirmDelivery:
			msg = b.router.ConfirmDelivery(ctx, cb.User.ID, id)
		case ActionCancelDelivery:
			msg = b.router.CancelDelivery(ctx, cb.User.ID, id)
		}
		if msg != "" {
			b.refuse(ctx, cb, msg)
			return
		}
		handled := b.cat.T(lang, commands.MsgAlertHandled, cb.User.ID,
			b.cat.T(lang, commands.MsgHandledPrefix+commands.Key(action.ActionID)))
		if fromDigest(action) {
			// The digest keeps its other buttons: only the person who
			// clicked hears that it was done.
			b.refuse(ctx, cb, handled)
			return
		}
		// Done: the alert keeps its words, loses its buttons, and says who
		// handled it, so nobody clicks again.
		if cb.ResponseURL != "" {
			text := cb.Message.Text + "\n" + handled
			err := slack.PostWebhookCustomHTTPContext(ctx, cb.ResponseURL, b.httpClient, &slack.WebhookMessage{
				Text: text, ReplaceOriginal: true,
			})
			if err != nil {
				b.log.WarnContext(ctx, "alert not updated", "delivery_id", id, "err", withoutURL(err, cb.ResponseURL))
			}
		}
	})
	if !taken {
		b.busy(cb)
	}
	return taken
}

// refuse tells the person who clicked, privately, why nothing happened. The
// card itself is never replaced by a refusal.
func (b *Bot) refuse(ctx context.Context, cb slack.InteractionCallback, text string) {
	if text == "" {
		return
	}
	channel := cb.Channel.ID
	if channel == "" {
		channel = cb.Container.ChannelID
	}
	if channel != "" {
		if _, err := b.api.PostEphemeralContext(ctx, channel, cb.User.ID, slack.MsgOptionText(text, false)); err == nil {
			return
		}
	}
	if cb.ResponseURL != "" {
		err := slack.PostWebhookCustomHTTPContext(ctx, cb.ResponseURL, b.httpClient, &slack.WebhookMessage{
			ResponseType: slack.ResponseTypeEphemeral, Text: text, ReplaceOriginal: false,
		})
		if err != nil {
			b.log.WarnContext(ctx, "refusal not shown", "user", cb.User.ID, "err", withoutURL(err, cb.ResponseURL))
		}
		return
	}
	// A click in the Home tab comes with neither a channel nor a
	// response_url: the app's direct message with the person.
	b.ephemeral(ctx, "", cb.User.ID, text)
}

// onSubmission validates a modal at once (errors go back in the ack, next
// to the field) and does the work after the ack.
func (b *Bot) onSubmission(cb slack.InteractionCallback) ack {
	meta, err := decodeMeta(cb.View.PrivateMetadata)
	if err != nil {
		b.log.Warn("modal without metadata", "callback", cb.View.CallbackID, "user", cb.User.ID, "err", err)
		return nil
	}
	lang := b.langOf(meta)
	// Only the person a modal was opened for may answer it; a modal that
	// does not say who (none of catweete's) is nobody's.
	if meta.UserID == "" || meta.UserID != cb.User.ID {
		b.log.Warn("modal submitted by someone else", "opened_by", meta.UserID, "user", cb.User.ID)
		return slack.NewErrorsViewSubmissionResponse(map[string]string{firstBlock(cb): b.cat.T(lang, commands.MsgNotYourModal)})
	}
	s := newSubmission(cb)
	user := cb.User.ID
	tell := func(ctx context.Context, text string) {
		b.ephemeral(ctx, meta.Channel, user, text)
		b.afterHomeModal(ctx, meta)
	}
	// A full pool keeps the modal open with a word, rather than closing it
	// on work that will not be done.
	busy := func(block string) ack {
		b.log.Warn("pool full: submission refused", "user", user, "callback", cb.View.CallbackID)
		return busyAck{slack.NewErrorsViewSubmissionResponse(map[string]string{block: b.cat.T(lang, commands.MsgBusy)})}
	}
	switch cb.View.CallbackID {
	case CallbackDraft:
		req := s.draftRequest(user, meta)
		if msg := b.router.CheckDraft(req.Text, req.AccountIDs); msg != "" {
			return slack.NewErrorsViewSubmissionResponse(map[string]string{blockText: msg})
		}
		if !req.PublishAt.IsZero() && req.PublishAt.Before(b.now()) {
			return slack.NewErrorsViewSubmissionResponse(map[string]string{blockWhen: b.cat.T(lang, commands.MsgPastTime)})
		}
		// A submission Slack delivers twice must not make two posts: the
		// view id is remembered like an event id.
		if cb.View.ID != "" {
			first, err := b.events.MarkEventSeen(context.Background(), "view:"+cb.View.ID, b.now())
			if err != nil {
				// The modal stays open with the reason (a busy or full
				// database says so), and can be sent again.
				return slack.NewErrorsViewSubmissionResponse(map[string]string{blockText: b.router.ErrorText(context.Background(), lang, 0, err)})
			}
			if !first {
				b.log.Info("draft submitted twice", "user", user, "view", cb.View.ID)
				return nil
			}
		}
		if !b.later("draft", func(ctx context.Context) { tell(ctx, b.router.Draft(ctx, lang, req)) }) {
			if cb.View.ID != "" {
				if err := b.events.ForgetEvent(context.Background(), "view:"+cb.View.ID); err != nil {
					b.log.Error("draft submission not forgotten", "user", user, "err", err)
				}
			}
			return busy(blockText)
		}
	case CallbackEdit:
		text := s.text(blockText, inputText)
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		msg := b.router.CheckEdit(ctx, user, meta.PostID, text)
		cancel()
		if msg != "" {
			return slack.NewErrorsViewSubmissionResponse(map[string]string{blockText: msg})
		}
		if !b.later("edit", func(ctx context.Context) { tell(ctx, b.router.Edit(ctx, user, meta.PostID, meta.Version, text)) }) {
			return busy(blockText)
		}
	case CallbackReason:
		reason := s.text(blockReason, inputReason)
		if reason == "" {
			return slack.NewErrorsViewSubmissionResponse(map[string]string{blockReason: b.cat.T(lang, commands.MsgReasonRequired)})
		}
		taken := b.later("decision", func(ctx context.Context) {
			if meta.Decision == decisionReject {
				tell(ctx, b.router.Reject(ctx, user, meta.PostID, meta.Version, reason))
			} else {
				tell(ctx, b.router.RequestChanges(ctx, user, meta.PostID, meta.Version, reason))
			}
		})
		if !taken {
			return busy(blockReason)
		}
	}
	return nil
}

func firstBlock(cb slack.InteractionCallback) string {
	for _, bl := range cb.View.Blocks.BlockSet {
		if in, ok := bl.(*slack.InputBlock); ok {
			return in.BlockID
		}
	}
	return blockText
}

func unixTime(s int64) time.Time { return time.Unix(s, 0).UTC() }

// jsonBody renders an ack as the body of a 200.
func jsonBody(a ack) ([]byte, error) {
	switch a := a.(type) {
	case nil:
		return nil, nil
	case encodedAck:
		return a, nil
	case busyAck:
		return jsonBody(a.ack)
	}
	return json.Marshal(a)
}

// encodedAck is an ack already encoded as JSON. It is json.RawMessage so
// that Socket Mode, which encodes its acks inside an envelope, keeps it as
// it is.
type encodedAck = json.RawMessage
