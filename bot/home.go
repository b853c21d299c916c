package bot

import (
	"context"
	"fmt"
	"strconv"

	"github.com/slack-go/slack"

	"catweete/commands"
)

// maxHomeBlocks is Slack's limit of blocks in a Home tab.
const maxHomeBlocks = 100

// homeDecideBlock prefixes the id of the block that holds the Approve,
// Request changes and Reject buttons of one post in the Home tab.
const homeDecideBlock = "home_decide_"

// onHomeOpened answers app_home_opened: it draws the Home tab of whoever
// opened it, after the ack. The event is handled once, like a mention; it
// reports false when the pool is full, so that Slack sends it again.
func (b *Bot) onHomeOpened(ctx context.Context, env eventEnvelope) bool {
	ev := env.Event
	// The Messages tab opens the app's conversation: nothing to draw.
	if (ev.Tab != "" && ev.Tab != "home") || ev.User == "" || ev.User == b.userID {
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
	taken := b.later("home", func(ctx context.Context) { b.publishHome(ctx, ev.User) })
	if !taken && env.EventID != "" {
		b.log.WarnContext(ctx, "pool full: event left for Slack's retry", "event_id", env.EventID)
		if err := b.events.ForgetEvent(ctx, env.EventID); err != nil {
			b.log.ErrorContext(ctx, "event not forgotten", "event_id", env.EventID, "err", err)
		}
	}
	return taken
}

// publishHome draws userID's Home tab afresh (views.publish). A failure is
// logged: the tab keeps its last drawing until the next opening.
func (b *Bot) publishHome(ctx context.Context, userID string) {
	view := b.homeView(b.router.Home(ctx, userID))
	err := withRateLimitRetry(ctx, func() error {
		_, err := b.api.PublishViewContext(ctx, slack.PublishViewContextRequest{UserID: userID, View: view})
		return err
	})
	if err != nil {
		b.log.ErrorContext(ctx, "home tab not published", "user", userID, "err", err)
	}
}

// afterHomeClick draws the Home tab again once a click in it is handled,
// so that the post just approved leaves the list. Buttons that open a
// modal change nothing yet: the tab is drawn again when the modal is sent.
func (b *Bot) afterHomeClick(ctx context.Context, cb slack.InteractionCallback, actionID string) {
	if cb.View.Type != slack.VTHomeTab || cb.User.ID == "" {
		return
	}
	switch actionID {
	case ActionRequestChanges, ActionReject, ActionEdit:
		return
	}
	b.publishHome(ctx, cb.User.ID)
}

// afterHomeModal draws the Home tab again once a modal opened from it is
// handled. Such a modal has no channel: a card's buttons always carry
// theirs.
func (b *Bot) afterHomeModal(ctx context.Context, meta modalMeta) {
	if meta.Channel == "" && meta.UserID != "" {
		b.publishHome(ctx, meta.UserID)
	}
}

// homeView draws a Home tab within Slack's limits: 100 blocks, 3000
// characters of section text, 2000 of context, 150 of header. Items that
// would not fit are counted instead of shown.
func (b *Bot) homeView(h commands.Home) slack.HomeTabViewRequest {
	lang := h.Lang
	blocks := []slack.Block{slack.NewSectionBlock(mrkdwn(truncate(h.Intro, maxSectionText)), nil, nil)}
	if h.Updated != "" {
		blocks = append(blocks, slack.NewContextBlock("", mrkdwn(truncate(h.Updated, maxContextText))))
	}
	// What every section needs whatever its items: a divider, its header,
	// its text, its note, and room to count what is left out.
	fixed := len(blocks)
	for _, s := range h.Sections {
		fixed += 4
		if s.Note != "" {
			fixed++
		}
	}
	room := maxHomeBlocks - fixed
	for _, s := range h.Sections {
		blocks = append(blocks, slack.NewDividerBlock(),
			slack.NewHeaderBlock(plain(truncate(s.Title, maxHeaderText))))
		if s.Text != "" {
			blocks = append(blocks, slack.NewSectionBlock(mrkdwn(truncate(s.Text, maxSectionText)), nil, nil))
		}
		left := s.Left
		for i, it := range s.Items {
			item := b.homeItem(lang, it)
			if len(item) > room {
				left += len(s.Items) - i
				break
			}
			room -= len(item)
			blocks = append(blocks, item...)
		}
		if left > 0 {
			blocks = append(blocks, slack.NewContextBlock("", mrkdwn(b.cat.T(lang, commands.MsgHomeMore, left))))
		}
		if s.Note != "" {
			blocks = append(blocks, slack.NewContextBlock("", mrkdwn(truncate(s.Note, maxContextText))))
		}
	}
	return slack.HomeTabViewRequest{Type: slack.VTHomeTab, Blocks: slack.Blocks{BlockSet: blocks}}
}

// homeItem draws one post: its text, with Edit beside it for its author;
// its small print; the approver's buttons, the card's own.
func (b *Bot) homeItem(lang commands.Lang, it commands.HomeItem) []slack.Block {
	value := fmt.Sprintf("%d:%d", it.PostID, it.Version)
	button := func(action string, key commands.Key, style slack.Style) *slack.ButtonBlockElement {
		btn := slack.NewButtonBlockElement(action, value, plain(b.cat.T(lang, key)))
		if style != "" {
			btn = btn.WithStyle(style)
		}
		return btn
	}
	var accessory *slack.Accessory
	if it.Edit {
		accessory = slack.NewAccessory(button(ActionEdit, commands.MsgButtonEdit, ""))
	}
	blocks := []slack.Block{slack.NewSectionBlock(mrkdwn(truncate(it.Text, maxSectionText)), nil, accessory)}
	if it.Context != "" {
		blocks = append(blocks, slack.NewContextBlock("", mrkdwn(truncate(it.Context, maxContextText))))
	}
	if it.Decide {
		blocks = append(blocks, slack.NewActionBlock(homeDecideBlock+strconv.FormatInt(it.PostID, 10),
			button(ActionApprove, commands.MsgButtonApprove, slack.StylePrimary),
			button(ActionRequestChanges, commands.MsgButtonChanges, ""),
			button(ActionReject, commands.MsgButtonReject, slack.StyleDanger)))
	}
	return blocks
}
