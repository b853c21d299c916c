// Package bot is everything Slack: the HTTP and Socket Mode receivers,
// request signatures, event dedupe, the 3-second ack, and the Block Kit of
// cards, modals and replies. It turns what Slack sends into calls on
// commands, and what workflows decide into messages.
package bot

// Action ids of the approval card's buttons. Outside tests rely on the
// first three: keep them.
const (
	ActionApprove        = "approve"
	ActionRequestChanges = "request_changes"
	ActionReject         = "reject"
	ActionEdit           = "edit"
	ActionCancel         = "cancel_post"
	// A post approved after its time: now, or at the next free slot.
	ActionPublishNow = "publish_now"
	ActionNextSlot   = "next_slot"
	// A delivery that failed or may not have gone out; the value is
	// "d<delivery id>".
	ActionRetryDelivery   = "retry_delivery"
	ActionConfirmDelivery = "confirm_delivery"
	ActionCancelDelivery  = "cancel_delivery"
)

// Callback ids of modals and of the message shortcut.
const (
	CallbackDraft  = "catweete_draft"
	CallbackReason = "catweete_reason"
	CallbackEdit   = "catweete_edit"
	// CallbackSuggest is the message shortcut "Proposer comme post"; the
	// app manifest declares it with this id.
	CallbackSuggest = "suggest_post"
)

// Block and element ids inside modals.
const (
	blockText      = "text"
	inputText      = "text_input"
	blockAccounts  = "accounts"
	inputAccounts  = "accounts_input"
	blockWhen      = "when"
	inputWhen      = "when_input"
	blockReason    = "reason"
	inputReason    = "reason_input"
	cardActionsID  = "card_actions"
	decisionReject = "reject"
	decisionChange = "request_changes"
)
