package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/slack-go/slack"

	"catweete/commands"
	"catweete/workflows"
)

// Block Kit limits (Slack's documentation).
const (
	maxSectionText = 3000
	maxHeaderText  = 150
	maxContextText = 2000
)

// NotifierConfig configures a Notifier.
type NotifierConfig struct {
	API     *slack.Client     // required
	Catalog *commands.Catalog // required
	Lang    commands.Lang     // cards' language; if empty, French
	// ApprovalChannel is where cards go; if empty, the channel where the
	// draft was made.
	ApprovalChannel string
	Now             func() time.Time // if nil, time.Now
	Logger          *slog.Logger     // if nil, discarded
	// SleepFunc waits d, or until ctx ends: the wait Slack asks for in a
	// 429's Retry-After. If nil, a timer.
	SleepFunc func(ctx context.Context, d time.Duration) error
	// CallTimeout bounds one chat.postMessage: past it, the answer is
	// taken as lost and the channel searched before posting again. If 0,
	// 10 s.
	CallTimeout time.Duration
}

// Notifier shows posts in Slack: the approval card, updated in place, and
// a line in its thread for every event. It fills workflows.Notifier, and
// workflows.Directory for user-group approvers.
type Notifier struct {
	api             *slack.Client
	cat             *commands.Catalog
	lang            commands.Lang
	approvalChannel string
	now             func() time.Time
	log             *slog.Logger
	zones           zoneCache
	sleep           func(ctx context.Context, d time.Duration) error
	callTimeout     time.Duration

	// unsure holds the posts whose card may be in the channel though no
	// answer said so: the next attempt searches before posting.
	mu     sync.Mutex
	unsure map[int64]bool
}

// NewNotifier returns a Notifier.
func NewNotifier(cfg NotifierConfig) (*Notifier, error) {
	if cfg.API == nil || cfg.Catalog == nil {
		return nil, errors.New("bot: NotifierConfig needs API and Catalog")
	}
	if cfg.Lang == "" {
		cfg.Lang = commands.French
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.SleepFunc == nil {
		cfg.SleepFunc = sleepFor
	}
	if cfg.CallTimeout == 0 {
		cfg.CallTimeout = 10 * time.Second
	}
	return &Notifier{api: cfg.API, cat: cfg.Catalog, lang: cfg.Lang, approvalChannel: cfg.ApprovalChannel,
		now: cfg.Now, log: cfg.Logger, sleep: cfg.SleepFunc, callTimeout: cfg.CallTimeout, unsure: make(map[int64]bool)}, nil
}

// ErrNoChannel: a card with nowhere to go (no approval channel configured,
// and a draft made outside any channel).
var ErrNoChannel = errors.New("bot: no channel for the approval card")

// ShowCard posts the card, or updates it in place when it exists. A card
// is posted once: it carries its post's key in its metadata, and when it
// may be in the channel already (the post is not fresh, so this is the
// sweep's attempt, or an earlier answer was unclear), the channel is
// searched for it first, and a card found is adopted and redrawn.
func (n *Notifier) ShowCard(ctx context.Context, card workflows.Card) (workflows.CardRef, error) {
	blocks := n.cardBlocks(card)
	fallback := n.cardFallback(card)
	opts := []slack.MsgOption{slack.MsgOptionBlocks(blocks...), slack.MsgOptionText(fallback, false)}
	p := card.Post
	if p.CardTS != "" {
		if err := n.updateCard(ctx, p.CardChannel, p.CardTS, opts); err != nil {
			return workflows.CardRef{}, fmt.Errorf("bot: update card of post %d: %w", p.ID, err)
		}
		return workflows.CardRef{Channel: p.CardChannel, TS: p.CardTS}, nil
	}
	channel := n.approvalChannel
	if channel == "" {
		channel = p.OriginChannel
	}
	if channel == "" {
		return workflows.CardRef{}, ErrNoChannel
	}
	m := outgoing{channel: channel, kind: metaCard, key: cardKey(p.ID), postID: p.ID,
		opts: append(opts, slack.MsgOptionDisableLinkUnfurl())}
	if n.mayBePosted(p) {
		ts, err := n.find(ctx, m, p.CreatedAt)
		if err != nil {
			return workflows.CardRef{}, fmt.Errorf("bot: card of post %d may be in %s already: %w", p.ID, channel, err)
		}
		if ts != "" {
			n.setUnsure(p.ID, false)
			n.log.InfoContext(ctx, "card found in the channel: adopted, not posted again", "post_id", p.ID, "channel", channel, "ts", ts)
			// It was drawn then: draw it as the post is now. Found, it is
			// the card even if this redraw fails.
			if err := n.updateCard(ctx, channel, ts, opts); err != nil {
				n.log.WarnContext(ctx, "adopted card not redrawn", "post_id", p.ID, "err", err)
			}
			return workflows.CardRef{Channel: channel, TS: ts}, nil
		}
	}
	ch, ts, err := n.post(ctx, m)
	if err != nil {
		n.setUnsure(p.ID, errors.Is(err, ErrMaybePosted))
		return workflows.CardRef{}, fmt.Errorf("bot: post card of post %d: %w", p.ID, err)
	}
	n.setUnsure(p.ID, false)
	return workflows.CardRef{Channel: ch, TS: ts}, nil
}

// updateCard redraws a card in place: chat.update is idempotent, so a
// 429 is simply retried after Retry-After.
func (n *Notifier) updateCard(ctx context.Context, channel, ts string, opts []slack.MsgOption) error {
	return n.retryLimited(ctx, func() error {
		_, _, _, err := n.api.UpdateMessageContext(ctx, channel, ts, opts...)
		return err
	})
}

// mayBePosted reports whether p's card may be in the channel though p has
// no card ts: p is older than a card posted with its draft, or an earlier
// attempt ended without a clear answer. A post of unknown age is fresh.
func (n *Notifier) mayBePosted(p workflows.Post) bool {
	n.mu.Lock()
	unsure := n.unsure[p.ID]
	n.mu.Unlock()
	return unsure || !p.CreatedAt.IsZero() && n.now().Sub(p.CreatedAt) > freshCard
}

func (n *Notifier) setUnsure(postID int64, unsure bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if unsure {
		n.unsure[postID] = true
	} else {
		delete(n.unsure, postID)
	}
}

// Announce posts ev in the card's thread.
func (n *Notifier) Announce(ctx context.Context, card workflows.Card, ev workflows.Event) error {
	p := card.Post
	if p.CardTS == "" {
		return fmt.Errorf("bot: announce on post %d: %w", p.ID, ErrNoChannel)
	}
	text := n.eventText(card, ev)
	if text == "" {
		return nil
	}
	_, _, err := n.post(ctx, outgoing{channel: p.CardChannel, thread: p.CardTS, kind: metaLine, key: newKey(), postID: p.ID,
		opts: []slack.MsgOption{slack.MsgOptionText(text, false)}})
	if err != nil {
		return fmt.Errorf("bot: announce %s on post %d: %w", ev.Kind, p.ID, err)
	}
	return nil
}

// GroupMembers lists a user group's members (usergroups.users.list).
func (n *Notifier) GroupMembers(ctx context.Context, groupID string) ([]string, error) {
	members, err := n.api.GetUserGroupMembersContext(ctx, groupID)
	if err != nil {
		return nil, fmt.Errorf("bot: members of %s: %w", groupID, err)
	}
	return members, nil
}

func (n *Notifier) eventText(card workflows.Card, ev workflows.Event) string {
	lang, key := n.lang, commands.MsgEventPrefix+commands.Key(ev.Kind.String())
	network := ""
	if ev.Target != nil {
		network = ev.Target.DisplayName
	}
	switch ev.Kind {
	case workflows.EventApprovalCounted:
		return n.cat.T(lang, key, ev.ActorID, ev.Count, ev.Required)
	case workflows.EventApproved:
		return n.cat.T(lang, key, ev.ActorID, n.when(card))
	case workflows.EventChangesRequested, workflows.EventRejected:
		return n.cat.T(lang, key, ev.ActorID, commands.Escape(ev.Reason))
	case workflows.EventEdited:
		return n.cat.T(lang, key, ev.ActorID, card.Post.Version, quote(DiffText(ev.Diff)))
	case workflows.EventCanceled:
		return n.cat.T(lang, key, ev.ActorID)
	case workflows.EventPublished:
		url := ev.Target.Delivery.RemoteURL
		if url == "" {
			url = ev.Target.Delivery.RemoteID
		}
		return n.cat.T(lang, key, network, url)
	case workflows.EventFailed, workflows.EventUnknown, workflows.EventRetrying:
		return n.cat.T(lang, key, network, commands.Escape(commands.Excerpt(ev.Reason, 300)))
	case workflows.EventScheduled:
		return n.cat.T(lang, key, ev.ActorID, n.when(card))
	case workflows.EventLate:
		return n.cat.T(lang, key, ev.ActorID)
	case workflows.EventNudge:
		return n.cat.T(lang, key, mentionAll(ev.Approvers), n.when(card))
	case workflows.EventTakeOff:
		what := n.cat.T(lang, commands.MsgReachEngagements, n.cat.Compact(lang, workflows.Engagements(ev.Figures).Value))
		if ev.Figures.Reach.Known {
			what = n.cat.T(lang, commands.MsgReachReach, n.cat.Compact(lang, ev.Figures.Reach.Value))
		}
		return n.cat.T(lang, key, network, what, n.cat.Compact(lang, int64(ev.Median+0.5)))
	case workflows.EventRetried, workflows.EventConfirmed, workflows.EventDeliveryCanceled:
		if ev.ActorID == workflows.SystemActor {
			return "" // the post's cancellation was announced already
		}
		return n.cat.T(lang, key, ev.ActorID, network)
	}
	return ""
}

// mentionAll mentions users (<@U…>) and user groups (<!subteam^S…>); with
// nobody listed (anyone may approve), the channel's members.
func mentionAll(ids []string) string {
	if len(ids) == 0 {
		return "<!here>"
	}
	parts := make([]string, len(ids))
	for i, id := range ids {
		if strings.HasPrefix(id, "S") {
			parts[i] = "<!subteam^" + id + ">"
		} else {
			parts[i] = "<@" + id + ">"
		}
	}
	return strings.Join(parts, " ")
}

// Alert posts, in the approval channel, what a person must act on: a
// delivery that failed or may not have gone out, with its buttons, or an
// account whose token was refused.
func (n *Notifier) Alert(ctx context.Context, card workflows.Card, ev workflows.Event) error {
	lang := n.lang
	channel := n.approvalChannel
	if channel == "" {
		channel = card.Post.CardChannel
	}
	if channel == "" {
		channel = card.Post.OriginChannel
	}
	if channel == "" {
		return ErrNoChannel
	}
	var text string
	var buttons []slack.BlockElement
	switch ev.Kind {
	case workflows.EventAccountRejected:
		a := ev.Account
		text = n.cat.T(lang, commands.MsgAlertAccount, workflows.NetworkName(a.Network), commands.Escape(a.Handle),
			commands.Escape(commands.Excerpt(ev.Reason, 300)))
	case workflows.EventFailed, workflows.EventUnknown:
		t := ev.Target
		value := fmt.Sprintf("d%d", t.Delivery.ID)
		key := commands.MsgAlertFailed
		first := slack.NewButtonBlockElement(ActionRetryDelivery, value, plain(n.cat.T(lang, commands.MsgButtonRetry))).WithStyle(slack.StylePrimary)
		second := slack.NewButtonBlockElement(ActionCancelDelivery, value, plain(n.cat.T(lang, commands.MsgButtonDropIt))).WithStyle(slack.StyleDanger)
		buttons = []slack.BlockElement{first, second}
		if ev.Kind == workflows.EventUnknown {
			key = commands.MsgAlertUnknown
			confirm := slack.NewButtonBlockElement(ActionConfirmDelivery, value, plain(n.cat.T(lang, commands.MsgButtonConfirm))).WithStyle(slack.StylePrimary)
			retry := slack.NewButtonBlockElement(ActionRetryDelivery, value, plain(n.cat.T(lang, commands.MsgButtonRetry)))
			buttons = []slack.BlockElement{confirm, retry, second}
		}
		text = n.cat.T(lang, key, card.Post.ID, t.DisplayName, commands.Escape(commands.Excerpt(ev.Reason, 300)))
		if card.Post.CardTS != "" {
			if link, err := n.api.GetPermalinkContext(ctx, &slack.PermalinkParameters{Channel: card.Post.CardChannel, Ts: card.Post.CardTS}); err == nil {
				text += fmt.Sprintf(" (<%s|%s>)", link, n.cat.T(lang, commands.MsgCardTitle, card.Post.ID))
			}
		}
	default:
		return nil
	}
	blocks := []slack.Block{slack.NewSectionBlock(mrkdwn(truncate(text, maxSectionText)), nil, nil)}
	if len(buttons) > 0 {
		blocks = append(blocks, slack.NewActionBlock("alert_actions", buttons...))
	}
	_, _, err := n.post(ctx, outgoing{channel: channel, kind: metaAlert, key: newKey(), postID: card.Post.ID,
		opts: []slack.MsgOption{slack.MsgOptionBlocks(blocks...), slack.MsgOptionText(text, false), slack.MsgOptionDisableLinkUnfurl()}})
	if err != nil {
		return fmt.Errorf("bot: alert %s: %w", ev.Kind, err)
	}
	return nil
}

// when says when the post goes out.
func (n *Notifier) when(card workflows.Card) string {
	if card.At.IsZero() {
		return n.cat.T(n.lang, commands.MsgAsSoonAsApproved)
	}
	return n.cat.FormatTime(n.lang, card.At, n.now(), card.Location)
}

func (n *Notifier) cardFallback(card workflows.Card) string {
	p := card.Post
	return fmt.Sprintf("%s — %s : %s", n.cat.T(n.lang, commands.MsgCardTitle, p.ID),
		n.cat.StateName(n.lang, p.Status), commands.Escape(commands.Excerpt(p.Text, 200)))
}

// cardBlocks draws the approval card: what the post says, where it goes
// and how long it is there, who wrote it, when it goes out, where it
// stands, who decided what and why, and the buttons that fit its state.
func (n *Notifier) cardBlocks(card workflows.Card) []slack.Block {
	p, lang := card.Post, n.lang
	title := n.cat.T(lang, commands.MsgCardTitle, p.ID) + " — " + n.cat.StateName(lang, p.Status)
	blocks := []slack.Block{
		slack.NewHeaderBlock(plain(truncate(title, maxHeaderText))),
		// Plain text: what the networks will publish, character for
		// character; as mrkdwn, *a* or _b_ would show formatted here and
		// literal there.
		slack.NewSectionBlock(plain(truncate(p.Text, maxSectionText)), nil, nil),
	}

	approvals := fmt.Sprintf("%d/%d", len(card.Approved), card.Required)
	if len(card.Approved) > 0 {
		approvals += " — " + mentions(card.Approved)
	}
	fields := []*slack.TextBlockObject{
		mrkdwn(fmt.Sprintf("*%s*\n<@%s>", n.cat.T(lang, commands.MsgCardAuthor), p.AuthorID)),
		mrkdwn(fmt.Sprintf("*%s*\n%s", n.cat.T(lang, commands.MsgCardWhen), n.when(card))),
		mrkdwn(fmt.Sprintf("*%s*\n%s", n.cat.T(lang, commands.MsgCardState), n.cat.StateName(lang, p.Status))),
		mrkdwn(fmt.Sprintf("*%s*\n%s", n.cat.T(lang, commands.MsgCardApprovals), approvals)),
	}
	blocks = append(blocks, slack.NewSectionBlock(nil, fields, nil))

	var accounts []string
	for _, t := range card.Targets {
		accounts = append(accounts, n.targetLine(t))
	}
	if len(accounts) > 0 {
		line := "*" + n.cat.T(lang, commands.MsgCardAccounts) + "* : " + strings.Join(accounts, " · ")
		if lang == commands.English {
			line = strings.Replace(line, "* : ", "*: ", 1)
		}
		blocks = append(blocks, slack.NewContextBlock("accounts", mrkdwn(truncate(line, maxContextText))))
	}

	if line := n.publishedLine(card); line != "" {
		blocks = append(blocks, slack.NewContextBlock("published", mrkdwn(line)))
	}
	var warnings []string
	if card.Preflight.OddHour && !card.At.IsZero() {
		warnings = append(warnings, n.cat.T(lang, commands.MsgCardOddHour, n.when(card)))
	}
	if id := card.Preflight.NearDuplicate; id != 0 {
		warnings = append(warnings, n.cat.T(lang, commands.MsgCardNearDuplicate, id, int(card.Preflight.Similarity*100+0.5)))
	}
	if card.Campaign != "" {
		warnings = append(warnings, n.cat.T(lang, commands.MsgCardCampaign, commands.Escape(card.Campaign)))
	}
	if card.Late {
		warnings = append(warnings, n.cat.T(lang, commands.MsgCardLate, n.cat.FormatTime(lang, card.Post.PublishAt, n.now(), card.Location)))
	}
	if len(warnings) > 0 {
		blocks = append(blocks, slack.NewContextBlock("preflight", mrkdwn(truncate(strings.Join(warnings, "\n"), maxContextText))))
	}

	if d := card.Decision; d != nil && d.Action != workflows.ActionApprove {
		line := n.cat.T(lang, commands.MsgDecisionPrefix+commands.Key(d.Action), d.ActorID)
		if d.Reason != "" {
			line += " — " + fitMrkdwn(d.Reason, maxContextText-len(line)-3, nil)
		}
		blocks = append(blocks, slack.NewContextBlock("decision", mrkdwn(truncate(line, maxContextText))))
	}

	if buttons := n.buttons(card); len(buttons) > 0 {
		blocks = append(blocks, slack.NewActionBlock(cardActionsID, buttons...))
	}
	return blocks
}

// publishedLine sums up where the post went out: "Publié sur Mastodon,
// Bluesky — 2/3"; empty before the first publication.
func (n *Notifier) publishedLine(card workflows.Card) string {
	var names []string
	for _, t := range card.Targets {
		if t.Delivery.Status == "published" {
			names = append(names, t.DisplayName)
		}
	}
	if len(names) == 0 {
		return ""
	}
	return truncate(n.cat.T(n.lang, commands.MsgCardPublishedOn, n.cat.JoinWords(n.lang, names), len(names), len(card.Targets)), maxContextText)
}

// targetLine is one account on the card: "Mastodon 124/500", then where its
// delivery stands, with the link once published.
func (n *Notifier) targetLine(t workflows.Target) string {
	line := t.DisplayName
	if t.Limit > 0 {
		line += fmt.Sprintf(" %d/%d", t.Count, t.Limit)
		if t.Count > t.Limit {
			line += " ⚠️ " + n.cat.T(n.lang, commands.MsgCardTooLong)
		}
	}
	switch t.Delivery.Status {
	case "", "waiting":
	case "published":
		if t.Delivery.RemoteURL != "" {
			line += fmt.Sprintf(" — <%s|%s>", t.Delivery.RemoteURL, n.cat.DeliveryStateName(n.lang, t.Delivery.Status))
		} else {
			line += " — " + n.cat.DeliveryStateName(n.lang, t.Delivery.Status)
		}
	default:
		line += " — " + n.cat.DeliveryStateName(n.lang, t.Delivery.Status)
	}
	return line
}

// buttons are the actions that fit the post's state. Their value is
// "<post id>:<version>", so that a click on a card drawn before an edit is
// recognized as stale.
func (n *Notifier) buttons(card workflows.Card) []slack.BlockElement {
	p, lang := card.Post, n.lang
	value := fmt.Sprintf("%d:%d", p.ID, p.Version)
	button := func(action string, key commands.Key, style slack.Style) *slack.ButtonBlockElement {
		b := slack.NewButtonBlockElement(action, value, plain(n.cat.T(lang, key)))
		if style != "" {
			b = b.WithStyle(style)
		}
		return b
	}
	switch p.Status {
	case workflows.StatusPending:
		return []slack.BlockElement{
			button(ActionApprove, commands.MsgButtonApprove, slack.StylePrimary),
			button(ActionRequestChanges, commands.MsgButtonChanges, ""),
			button(ActionReject, commands.MsgButtonReject, slack.StyleDanger),
			button(ActionEdit, commands.MsgButtonEdit, ""),
		}
	case workflows.StatusChangesRequested, workflows.StatusDraft:
		return []slack.BlockElement{
			button(ActionEdit, commands.MsgButtonEdit, slack.StylePrimary),
			button(ActionReject, commands.MsgButtonReject, slack.StyleDanger),
		}
	case workflows.StatusApproved:
		var late []slack.BlockElement
		if card.Late {
			late = append(late, button(ActionPublishNow, commands.MsgButtonPublishNow, slack.StylePrimary))
			late = append(late, button(ActionNextSlot, commands.MsgButtonNextSlot, ""))
		}
		cancel := button(ActionCancel, commands.MsgButtonCancel, slack.StyleDanger)
		cancel.Confirm = slack.NewConfirmationBlockObject(
			plain(n.cat.T(lang, commands.MsgConfirmTitle)),
			plain(n.cat.T(lang, commands.MsgConfirmCancel, p.ID)),
			plain(n.cat.T(lang, commands.MsgConfirmYes)),
			plain(n.cat.T(lang, commands.MsgConfirmNo)))
		return append(late, cancel)
	}
	return nil
}

func plain(text string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.PlainTextType, text, true, false)
}

func mrkdwn(text string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.MarkdownType, text, false, false)
}

// quote puts text in a Slack block quote, line by line.
func quote(text string) string {
	return "> " + strings.ReplaceAll(text, "\n", "\n> ")
}

func mentions(users []string) string {
	parts := make([]string, len(users))
	for i, u := range users {
		parts[i] = "<@" + u + ">"
	}
	return strings.Join(parts, ", ")
}

// fitMrkdwn escapes plain text for mrkdwn (and shapes it with wrap, if
// not nil) within n characters. The text is cut before it is escaped, so
// that a cut never falls inside an escape such as &lt;.
func fitMrkdwn(text string, n int, wrap func(string) string) string {
	if wrap == nil {
		wrap = func(s string) string { return s }
	}
	runes := []rune(text)
	for keep := len(runes); ; keep = keep * 9 / 10 {
		cut := string(runes[:keep])
		if keep < len(runes) {
			cut += "…"
		}
		out := wrap(commands.Escape(cut))
		if len([]rune(out)) <= n || keep == 0 {
			return out
		}
	}
}

// truncate cuts text to at most n characters (Slack counts characters).
func truncate(text string, n int) string {
	runes := []rune(text)
	if len(runes) <= n {
		return text
	}
	return string(runes[:n-1]) + "…"
}

// withRateLimitRetry runs an idempotent Web API call again after Slack's
// Retry-After when it is rate limited, a few times at most.
func withRateLimitRetry(ctx context.Context, call func() error) error {
	for attempt := 0; ; attempt++ {
		err := call()
		var limited *slack.RateLimitedError
		if !errors.As(err, &limited) || attempt == 2 {
			return err
		}
		wait := min(max(limited.RetryAfter, time.Second), 30*time.Second)
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			return err
		}
	}
}
