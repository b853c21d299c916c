package bot

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/slack-go/slack"

	"catweete/commands"
	"catweete/workflows"
)

// Slack's limits for modals.
const (
	maxModalTitle = 24
	maxTextInput  = 3000
)

// modalMeta is what a modal carries in private_metadata: who opened it and
// about what, so that the submission is checked against it and answered in
// the right place.
type modalMeta struct {
	UserID   string `json:"u"`
	Channel  string `json:"c,omitempty"`
	PostID   int64  `json:"p,omitempty"`
	Version  int    `json:"v,omitempty"`
	Decision string `json:"d,omitempty"`
	// Lang is the language of the person who opened the modal, for the
	// modal and the answer to its submission.
	Lang string `json:"l,omitempty"`
}

func (m modalMeta) encode() string {
	b, _ := json.Marshal(m) // a struct of strings and numbers always marshals
	return string(b)
}

func decodeMeta(s string) (modalMeta, error) {
	var m modalMeta
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		return modalMeta{}, fmt.Errorf("bot: modal metadata: %w", err)
	}
	return m, nil
}

// langOf is the modal's language: its opener's, else the team's.
func (b *Bot) langOf(meta modalMeta) commands.Lang {
	if meta.Lang != "" {
		return commands.ParseLang(meta.Lang)
	}
	return b.router.Lang()
}

func (b *Bot) modal(callbackID string, title commands.Key, meta modalMeta, blocks ...slack.Block) slack.ModalViewRequest {
	lang := b.langOf(meta)
	return slack.ModalViewRequest{
		Type:            slack.VTModal,
		CallbackID:      callbackID,
		Title:           plain(truncate(b.cat.T(lang, title), maxModalTitle)),
		Submit:          plain(b.cat.T(lang, commands.MsgModalSubmit)),
		Close:           plain(b.cat.T(lang, commands.MsgModalClose)),
		PrivateMetadata: meta.encode(),
		Blocks:          slack.Blocks{BlockSet: blocks},
	}
}

func (b *Bot) textInput(lang commands.Lang, label, hint commands.Key, initial string) *slack.InputBlock {
	input := slack.NewPlainTextInputBlockElement(nil, inputText)
	input.Multiline = true
	input.MaxLength = maxTextInput
	input.InitialValue = truncate(initial, maxTextInput)
	return slack.NewInputBlock(blockText, plain(b.cat.T(lang, label)), plain(b.cat.T(lang, hint)), input)
}

// draftModal asks for a post: its text, its accounts (all ticked) and,
// optionally, when it should go out.
func (b *Bot) draftModal(meta modalMeta, text string) slack.ModalViewRequest {
	lang := b.langOf(meta)
	var options, initial []*slack.OptionBlockObject
	for _, a := range b.router.Accounts() {
		o := slack.NewOptionBlockObject(strconv.FormatInt(a.ID, 10), plain(truncate(a.DisplayName, 75)), nil)
		options = append(options, o)
		initial = append(initial, o)
	}
	accounts := slack.NewOptionsMultiSelectBlockElement(slack.MultiOptTypeStatic, nil, inputAccounts, options...)
	accounts.InitialOptions = initial
	when := slack.NewDateTimePickerBlockElement(inputWhen)
	whenBlock := slack.NewInputBlock(blockWhen, plain(b.cat.T(lang, commands.MsgModalWhen)),
		plain(b.cat.T(lang, commands.MsgModalWhenHint)), when)
	whenBlock.Optional = true
	return b.modal(CallbackDraft, commands.MsgModalDraftTitle, meta,
		b.textInput(lang, commands.MsgModalText, commands.MsgModalTextHint, text),
		slack.NewInputBlock(blockAccounts, plain(b.cat.T(lang, commands.MsgModalAccounts)), nil, accounts),
		whenBlock,
	)
}

// editModal offers the post's text to its author.
func (b *Bot) editModal(meta modalMeta, text string) slack.ModalViewRequest {
	return b.modal(CallbackEdit, commands.MsgModalEditTitle, meta,
		b.textInput(b.langOf(meta), commands.MsgModalText, commands.MsgModalTextHint, text))
}

// reasonModal asks why a post is rejected or sent back.
func (b *Bot) reasonModal(meta modalMeta) slack.ModalViewRequest {
	lang := b.langOf(meta)
	title, hint := commands.MsgModalReasonTitle, commands.MsgModalReasonChanges
	if meta.Decision == decisionReject {
		title, hint = commands.MsgModalRejectTitle, commands.MsgModalReasonReject
	}
	input := slack.NewPlainTextInputBlockElement(nil, inputReason)
	input.Multiline = true
	input.MaxLength = maxTextInput
	return b.modal(CallbackReason, title, meta,
		slack.NewInputBlock(blockReason, plain(b.cat.T(lang, commands.MsgModalReason)), plain(b.cat.T(lang, hint)), input))
}

// submission reads the values of a submitted modal.
type submission struct {
	values map[string]map[string]slack.BlockAction
}

func newSubmission(cb slack.InteractionCallback) submission {
	if cb.View.State == nil {
		// A submission without state holds no values: every field reads
		// empty and is refused as such.
		return submission{}
	}
	return submission{values: cb.View.State.Values}
}

func (s submission) text(block, action string) string {
	return strings.TrimSpace(s.values[block][action].Value)
}

func (s submission) accounts() []int64 {
	var ids []int64
	for _, o := range s.values[blockAccounts][inputAccounts].SelectedOptions {
		if id, err := strconv.ParseInt(o.Value, 10, 64); err == nil {
			ids = append(ids, id)
		}
	}
	return ids
}

func (s submission) when() int64 {
	return s.values[blockWhen][inputWhen].SelectedDateTime
}

// draftRequest turns a submitted draft modal into a request.
func (s submission) draftRequest(userID string, meta modalMeta) workflows.DraftRequest {
	req := workflows.DraftRequest{
		AuthorID: userID, Text: s.text(blockText, inputText), AccountIDs: s.accounts(), OriginChannel: meta.Channel,
	}
	if at := s.when(); at > 0 {
		req.PublishAt = unixTime(at)
	}
	return req
}
