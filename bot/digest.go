package bot

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"catweete/commands"
)

// maxBlocks is Slack's limit of blocks in a message.
const maxBlocks = 50

// digestBlockPrefix starts the block ids of the digest's buttons: a click
// there answers the person who clicked, and leaves the digest as it is
// (an alert, by contrast, is replaced once handled).
const digestBlockPrefix = "digest_"

// digestTimeout bounds one scheduled digest: gathering, posting, drawing
// and uploading the chart.
const digestTimeout = 2 * time.Minute

// PostDigest posts the daily digest in channel, in the team's language,
// then its chart in the digest's thread. A chart that cannot be drawn or
// uploaded is logged: the digest has gone out all the same.
func (b *Bot) PostDigest(ctx context.Context, channel string) error {
	return b.postDigest(ctx, channel, b.router.Lang())
}

// DigestJob is the scheduled digest, for the cron: it posts the digest in
// channel and logs what went wrong. A stop (ctx) cuts it short.
func (b *Bot) DigestJob(ctx context.Context, channel string) func() {
	return func() {
		ctx, cancel := context.WithTimeout(ctx, digestTimeout)
		defer cancel()
		if err := b.PostDigest(ctx, channel); err != nil {
			b.log.ErrorContext(ctx, "digest not posted", "channel", channel, "err", err)
		}
	}
}

func (b *Bot) postDigest(ctx context.Context, channel string, lang commands.Lang) error {
	d, err := b.router.Digest(ctx)
	if err != nil {
		return fmt.Errorf("bot: digest: %w", err)
	}
	page := b.router.DigestPage(lang, d)
	// A 429 can follow a digest that was posted, and two digests are one
	// too many: the notifier looks for it before posting again.
	ch, ts, err := b.notifier.post(ctx, outgoing{channel: channel, kind: metaDigest, key: newKey(),
		opts: []slack.MsgOption{slack.MsgOptionBlocks(b.digestBlocks(lang, page)...),
			slack.MsgOptionText(page.Fallback, false), slack.MsgOptionDisableLinkUnfurl()}})
	if err != nil {
		return fmt.Errorf("bot: digest in %s: %w", channel, err)
	}
	b.log.InfoContext(ctx, "digest posted", "channel", ch, "ts", ts, "posts", len(d.Posts), "pending", len(d.Pending))
	if !page.Chart {
		return nil // seven days without a publication: no empty chart
	}
	png, err := DrawChart(d.Days, lang, d.Location)
	if err != nil {
		b.log.ErrorContext(ctx, "digest chart not drawn", "channel", ch, "err", err)
		return nil
	}
	// files.upload is gone: UploadFileContext asks for an upload URL
	// (files.getUploadURLExternal), sends the bytes there, then shares the
	// file in the digest's thread (files.completeUploadExternal). The file
	// goes to the channel id Slack answered with: the upload takes no name.
	_, err = b.api.UploadFileContext(ctx, slack.UploadFileParameters{
		Reader: bytes.NewReader(png), FileSize: len(png), Filename: page.ChartFile,
		Title: page.ChartTitle, AltTxt: page.ChartAlt, Channel: ch, ThreadTimestamp: ts,
	})
	if err != nil {
		b.log.ErrorContext(ctx, "digest chart not uploaded", "channel", ch, "ts", ts, "err", err)
	}
	return nil
}

// digestReply posts the digest asked for by user in channel, and tells
// them privately when it could not go out.
func (b *Bot) digestReply(ctx context.Context, channel, user, responseURL string, lang commands.Lang) {
	if err := b.postDigest(ctx, channel, lang); err != nil {
		b.log.ErrorContext(ctx, "digest not posted", "channel", channel, "user", user, "err", err)
		b.respond(ctx, responseURL, channel, user, b.cat.T(lang, commands.MsgDigestFailed))
	}
}

// fromDigest reports whether a button was clicked on a digest.
func fromDigest(action slack.BlockAction) bool {
	return strings.HasPrefix(action.BlockID, digestBlockPrefix)
}

// digestBlocks lays the digest out: the header; yesterday's totals, then
// each post with its numbers and links; what waits for approval, each with
// an Approve button; today's schedule and free slots; the deliveries that
// need a look, each with its buttons. Lists were capped by the page ("…et
// N autres"); a last guard keeps to Slack's 50 blocks.
func (b *Bot) digestBlocks(lang commands.Lang, page commands.DigestPage) []slack.Block {
	blocks := []slack.Block{slack.NewHeaderBlock(plain(truncate(page.Title, maxHeaderText)))}
	section := func(text string, opts ...slack.SectionBlockOption) *slack.SectionBlock {
		return slack.NewSectionBlock(mrkdwn(truncate(text, maxSectionText)), nil, nil, opts...)
	}
	more := func(text string) {
		if text != "" {
			blocks = append(blocks, slack.NewContextBlock("", mrkdwn(text)))
		}
	}

	blocks = append(blocks, section(page.Yesterday.Heading))
	for _, item := range page.Yesterday.Items {
		blocks = append(blocks, section(item.Text))
	}
	more(page.Yesterday.More)

	blocks = append(blocks, slack.NewDividerBlock(), section(page.Pending.Heading))
	for _, item := range page.Pending.Items {
		approve := slack.NewButtonBlockElement(ActionApprove, fmt.Sprintf("%d:%d", item.PostID, item.Version),
			plain(b.cat.T(lang, commands.MsgButtonApprove))).WithStyle(slack.StylePrimary)
		s := section(item.Text, slack.SectionBlockOptionBlockID(fmt.Sprintf("%spending_%d", digestBlockPrefix, item.PostID)))
		s.Accessory = slack.NewAccessory(approve)
		blocks = append(blocks, s)
	}
	more(page.Pending.More)

	today := []string{page.Today.Heading}
	for _, item := range page.Today.Items {
		today = append(today, item.Text)
	}
	if page.Today.More != "" {
		today = append(today, page.Today.More)
	}
	blocks = append(blocks, slack.NewDividerBlock(), section(strings.Join(today, "\n")))
	if page.FreeSlots != "" {
		blocks = append(blocks, slack.NewContextBlock("", mrkdwn(page.FreeSlots)))
	}

	if page.Attention.Heading != "" {
		blocks = append(blocks, slack.NewDividerBlock(), section(page.Attention.Heading))
		for _, item := range page.Attention.Items {
			value := fmt.Sprintf("d%d", item.DeliveryID)
			retry := slack.NewButtonBlockElement(ActionRetryDelivery, value, plain(b.cat.T(lang, commands.MsgButtonRetry)))
			buttons := []slack.BlockElement{retry.WithStyle(slack.StylePrimary)}
			if item.Unknown {
				// It may have gone out: looking comes before sending again.
				confirm := slack.NewButtonBlockElement(ActionConfirmDelivery, value, plain(b.cat.T(lang, commands.MsgButtonConfirm)))
				retry = slack.NewButtonBlockElement(ActionRetryDelivery, value, plain(b.cat.T(lang, commands.MsgButtonRetry)))
				buttons = []slack.BlockElement{confirm.WithStyle(slack.StylePrimary), retry}
			}
			blocks = append(blocks, section(item.Text),
				slack.NewActionBlock(fmt.Sprintf("%sdelivery_%d", digestBlockPrefix, item.DeliveryID), buttons...))
		}
		more(page.Attention.More)
	}

	if len(blocks) > maxBlocks {
		blocks = append(blocks[:maxBlocks-1], slack.NewContextBlock("", mrkdwn("…")))
	}
	return blocks
}
