package commands

import "fmt"

// Key names one message of the catalog.
type Key string

// The message catalog's keys. Every sentence catweete says to a person has
// one, in French and in English.
const (
	MsgHelpHeader        Key = "help.header"
	MsgHelpFooter        Key = "help.footer"
	MsgUnknownCommand    Key = "unknown_command"
	MsgDraftUsage        Key = "draft.usage"
	MsgDraftSent         Key = "draft.sent"
	MsgDraftWhen         Key = "draft.when"
	MsgDraftStoredNoCard Key = "draft.stored_no_card"
	MsgEmptyText         Key = "err.empty_text"
	MsgTooLong           Key = "err.too_long"
	MsgNotFound          Key = "err.not_found"
	MsgBadID             Key = "err.bad_id"
	MsgSelfApproval      Key = "err.self_approval"
	MsgNotApprover       Key = "err.not_approver"
	MsgAlreadyApproved   Key = "err.already_approved"
	MsgReasonRequired    Key = "err.reason_required"
	MsgNotAuthor         Key = "err.not_author"
	MsgUnchanged         Key = "err.unchanged"
	MsgPastTime          Key = "err.past_time"
	MsgNoAccount         Key = "err.no_account"
	MsgMovedOnBy         Key = "err.moved_on_by"
	MsgMovedOnByNow      Key = "err.moved_on_by_now"
	MsgMovedOn           Key = "err.moved_on"
	MsgEditedSince       Key = "err.edited_since"
	MsgInternal          Key = "err.internal"
	MsgBusy              Key = "err.busy"
	MsgStorageBusy       Key = "err.storage_busy"
	MsgStorageFull       Key = "err.storage_full"
	MsgBadPayload        Key = "err.bad_payload"
	MsgExpiredTrigger    Key = "err.expired_trigger"
	MsgNotYourModal      Key = "err.not_your_modal"
	MsgCanceled          Key = "cancel.done"
	MsgCancelUsage       Key = "cancel.usage"
	MsgApprovedOK        Key = "approve.done"
	MsgApprovalCounted   Key = "approve.counted"

	MsgStatusYes          Key = "status.yes"
	MsgStatusToday        Key = "status.today"
	MsgStatusNotYet       Key = "status.not_yet"
	MsgStatusPending      Key = "status.pending"
	MsgStatusNoPending    Key = "status.no_pending"
	MsgStatusChanges      Key = "status.changes"
	MsgStatusNext         Key = "status.next"
	MsgStatusNoNext       Key = "status.no_next"
	MsgStatusAttention    Key = "status.attention"
	MsgQueueHeader        Key = "queue.header"
	MsgQueueEmpty         Key = "queue.empty"
	MsgPendingHeader      Key = "pending.header"
	MsgPendingEmpty       Key = "pending.empty"
	MsgPendingItem        Key = "pending.item"
	MsgAsSoonAsApproved   Key = "time.asap"
	MsgOn                 Key = "word.on"
	MsgBy                 Key = "word.by"
	MsgAnd                Key = "word.and"
	MsgToday              Key = "time.today"
	MsgTomorrow           Key = "time.tomorrow"
	MsgYesterday          Key = "time.yesterday"
	MsgSinceMinutes       Key = "time.since_minutes"
	MsgSinceHours         Key = "time.since_hours"
	MsgSinceDays          Key = "time.since_days"
	MsgLinkAwaited        Key = "link.awaited"
	MsgCardTitle          Key = "card.title"
	MsgCardAuthor         Key = "card.author"
	MsgCardWhen           Key = "card.when"
	MsgCardState          Key = "card.state"
	MsgCardAccounts       Key = "card.accounts"
	MsgCardApprovals      Key = "card.approvals"
	MsgCardTooLong        Key = "card.too_long"
	MsgButtonApprove      Key = "button.approve"
	MsgButtonChanges      Key = "button.request_changes"
	MsgButtonReject       Key = "button.reject"
	MsgButtonEdit         Key = "button.edit"
	MsgButtonCancel       Key = "button.cancel"
	MsgConfirmTitle       Key = "confirm.title"
	MsgConfirmCancel      Key = "confirm.cancel"
	MsgConfirmYes         Key = "confirm.yes"
	MsgConfirmNo          Key = "confirm.no"
	MsgStatePrefix        Key = "state."
	MsgDecisionPrefix     Key = "decision."
	MsgEventPrefix        Key = "event."
	MsgDonePrefix         Key = "done."
	MsgModalDraftTitle    Key = "modal.draft.title"
	MsgModalEditTitle     Key = "modal.edit.title"
	MsgModalReasonTitle   Key = "modal.reason.title"
	MsgModalRejectTitle   Key = "modal.reject.title"
	MsgModalSubmit        Key = "modal.submit"
	MsgModalClose         Key = "modal.close"
	MsgModalText          Key = "modal.text"
	MsgModalTextHint      Key = "modal.text.hint"
	MsgModalAccounts      Key = "modal.accounts"
	MsgModalWhen          Key = "modal.when"
	MsgModalWhenHint      Key = "modal.when.hint"
	MsgModalReason        Key = "modal.reason"
	MsgModalReasonChanges Key = "modal.reason.changes"
	MsgModalReasonReject  Key = "modal.reason.reject"

	MsgCardPublishedOn   Key = "card.published_on"
	MsgCardOddHour       Key = "card.odd_hour"
	MsgCardNearDuplicate Key = "card.near_duplicate"
	MsgCardCampaign      Key = "card.campaign"
	MsgCardLate          Key = "card.late"
	MsgButtonPublishNow  Key = "button.publish_now"
	MsgButtonNextSlot    Key = "button.next_slot"
	MsgButtonRetry       Key = "button.retry"
	MsgButtonConfirm     Key = "button.confirm"
	MsgButtonDropIt      Key = "button.drop"
	MsgAlertFailed       Key = "alert.failed"
	MsgAlertUnknown      Key = "alert.unknown"
	MsgAlertAccount      Key = "alert.account"
	MsgDeliveryMovedOn   Key = "err.delivery_moved_on"
	MsgDeliveryNotFound  Key = "err.delivery_not_found"
	MsgScheduleUsage     Key = "schedule.usage"
	MsgScheduled         Key = "schedule.done"
	MsgScheduledASAP     Key = "schedule.asap"
	MsgWhenUnknown       Key = "when.unknown"
	MsgWhenPast          Key = "when.past"
	MsgWhenNonexistent   Key = "when.nonexistent"
	MsgWhenExamples      Key = "when.examples"
	MsgSlotsNone         Key = "slots.none"
	MsgSlotsHeader       Key = "slots.header"
	MsgSlotsFree         Key = "slots.free"
	MsgSlotsAllTaken     Key = "slots.all_taken"
	MsgAccountsHeader    Key = "accounts.header"
	MsgAccountOK         Key = "accounts.ok"
	MsgAccountRejected   Key = "accounts.rejected"
	MsgAccountUnreached  Key = "accounts.unreached"
	MsgAccountNoProfile  Key = "accounts.no_profile"
	MsgFollowers         Key = "accounts.followers"
	MsgAlertHandled      Key = "alert.handled"

	MsgPeriodToday             Key = "period.today"
	MsgPeriodWeek              Key = "period.week"
	MsgPeriodMonth             Key = "period.month"
	MsgPeriodDates             Key = "period.dates"
	MsgReachUsage              Key = "reach.usage"
	MsgReachHeader             Key = "reach.header"
	MsgReachNothing            Key = "reach.nothing"
	MsgReachPrevious           Key = "reach.previous"
	MsgReachPosts              Key = "reach.posts"
	MsgReachReach              Key = "reach.reach"
	MsgReachImpressions        Key = "reach.impressions"
	MsgReachImpressionsAsReach Key = "reach.impressions_as_reach"
	MsgReachNotGiven           Key = "reach.not_given"
	MsgReachEngagements        Key = "reach.engagements"
	MsgReachEngagementRate     Key = "reach.engagement_rate"
	MsgReachRate               Key = "reach.rate"
	MsgReachStandInNote        Key = "reach.stand_in_note"
	MsgReachTop                Key = "reach.top"
	MsgReachSee                Key = "reach.see"
	MsgStatusFigures           Key = "status.figures"
	MsgHandledPrefix           Key = "handled."

	MsgDigestTitle          Key = "digest.title"
	MsgDigestYesterday      Key = "digest.yesterday"
	MsgDigestNothing        Key = "digest.nothing"
	MsgDigestDayBefore      Key = "digest.day_before"
	MsgDigestNetwork        Key = "digest.network"
	MsgDigestNotMeasured    Key = "digest.not_measured"
	MsgDigestMore           Key = "digest.more"
	MsgDigestTodayHeader    Key = "digest.today"
	MsgDigestTodayEmpty     Key = "digest.today_empty"
	MsgDigestTodayItem      Key = "digest.today_item"
	MsgDigestFreeSlots      Key = "digest.free_slots"
	MsgDigestNoFreeSlot     Key = "digest.no_free_slot"
	MsgDigestChartTitle     Key = "digest.chart.title"
	MsgDigestChartAlt       Key = "digest.chart.alt"
	MsgDigestFailed         Key = "digest.failed"
	MsgChartReach           Key = "chart.reach"
	MsgChartReachStandIn    Key = "chart.reach_stand_in"
	MsgChartReachNone       Key = "chart.reach_none"
	MsgChartEngagements     Key = "chart.engagements"
	MsgChartNothing         Key = "chart.nothing"
	MsgChartDayAxis         Key = "chart.axis.day"
	MsgChartReachAxis       Key = "chart.axis.reach"
	MsgChartEngagementsAxis Key = "chart.axis.engagements"
)

// The Home tab's keys.
const (
	MsgHomeHello          Key = "home.hello"
	MsgHomeUpdated        Key = "home.updated"
	MsgHomeUnavailable    Key = "home.unavailable"
	MsgHomeMore           Key = "home.more"
	MsgHomeMineTitle      Key = "home.mine.title"
	MsgHomeMineEmpty      Key = "home.mine.empty"
	MsgHomeYourTurn       Key = "home.mine.your_turn"
	MsgHomeFailedOn       Key = "home.mine.failed_on"
	MsgHomeBecause        Key = "home.mine.because"
	MsgHomeGoesOut        Key = "home.goes_out"
	MsgHomeDecideTitle    Key = "home.decide.title"
	MsgHomeDecideEmpty    Key = "home.decide.empty"
	MsgHomeNotApprover    Key = "home.decide.not_approver"
	MsgHomeQueueTitle     Key = "home.queue.title"
	MsgHomeQueueEmpty     Key = "home.queue.empty"
	MsgHomeQueueLater     Key = "home.queue.later"
	MsgHomeFiguresTitle   Key = "home.figures.title"
	MsgHomeFiguresNothing Key = "home.figures.nothing"
	MsgHomeFiguresNote    Key = "home.figures.note"
)

// The keys of refusals that guard who may act.
const (
	// MsgApproversUnavailable: Slack did not say who is in an approvers'
	// user group when someone clicked; nothing was decided.
	MsgApproversUnavailable Key = "err.approvers_unavailable"
	// MsgForeignWorkspace answers a slash command that came from another
	// workspace, or for another app, than the ones catweete's token
	// belongs to.
	MsgForeignWorkspace Key = "err.foreign_workspace"
)

// Catalog holds every message in both languages. It is built once and
// never changed.
type Catalog struct {
	messages map[Key][2]string // [French, English]
}

// NewCatalog returns the catalog.
func NewCatalog() *Catalog {
	return &Catalog{messages: catalogMessages()}
}

// T returns the message key in lang, formatted with args (fmt verbs). A key
// missing from the catalog shows as itself, which a test catches.
func (c *Catalog) T(lang Lang, key Key, args ...any) string {
	m, ok := c.messages[key]
	if !ok {
		return string(key)
	}
	text := m[0]
	if lang == English {
		text = m[1]
	}
	if len(args) == 0 {
		return text
	}
	return fmt.Sprintf(text, args...)
}

// Has reports whether the catalog holds key.
func (c *Catalog) Has(key Key) bool {
	_, ok := c.messages[key]
	return ok
}

func catalogMessages() map[Key][2]string {
	return map[Key][2]string{
		MsgHomeHello: {"Bonjour <@%s> ! Voici vos posts, ce qui attend votre approbation, ce qui part bientôt et ce que ça a donné.",
			"Hello <@%s>! Here are your posts, what waits for your approval, what goes out soon and how it went."},
		MsgHomeUpdated: {"Mis à jour %s", "Updated %s"},
		MsgHomeUnavailable: {"Je n'arrive pas à afficher cette partie pour l'instant : rouvrez l'onglet dans un moment.",
			"I can't show this part right now: open the tab again in a moment."},
		MsgHomeMore:      {"… et %d autre(s).", "… and %d more."},
		MsgHomeMineTitle: {"📝 Vos posts — 30 derniers jours", "📝 Your posts — last 30 days"},
		MsgHomeMineEmpty: {"Vous n'avez proposé aucun post ces 30 derniers jours. Pour commencer : `%s brouillon Votre texte`, ou le raccourci « Proposer comme post » sur n'importe quel message.",
			"You haven't suggested any post in the last 30 days. To start: `%s draft Your text`, or the “Suggest as a post” shortcut on any message."},
		MsgHomeYourTurn:       {"à vous de le modifier", "over to you: edit it"},
		MsgHomeFailedOn:       {"échec sur %s", "failed on %s"},
		MsgHomeBecause:        {" : « %s »", ": “%s”"},
		MsgHomeGoesOut:        {"publication %s", "goes out %s"},
		MsgHomeDecideTitle:    {"✅ Attend votre approbation", "✅ Waiting for your approval"},
		MsgHomeDecideEmpty:    {"Rien n'attend votre approbation. 🎉", "Nothing waits for your approval. 🎉"},
		MsgHomeNotApprover:    {"Vous n'êtes pas approbateur : les posts sont approuvés par %s.", "You are not an approver: posts are approved by %s."},
		MsgHomeQueueTitle:     {"🗓️ Les 7 prochains jours", "🗓️ The next 7 days"},
		MsgHomeQueueEmpty:     {"Rien de programmé dans les 7 prochains jours.", "Nothing scheduled in the next 7 days."},
		MsgHomeQueueLater:     {"Et %d plus tard : `%s file`.", "And %d later: `%s queue`."},
		MsgHomeFiguresTitle:   {"📈 Les 7 derniers jours", "📈 The last 7 days"},
		MsgHomeFiguresNothing: {"Rien n'a été publié ces 7 derniers jours.", "Nothing was published in the last 7 days."},
		MsgHomeFiguresNote: {"Évolution par rapport aux 7 jours d'avant. Pour une autre période : `%s portée mois`.",
			"Change against the 7 days before. For another period: `%s reach month`."},

		MsgHelpHeader: {"*catweete* — ce que je sais faire (tapez `%s &lt;commande&gt;` ou mentionnez-moi) :",
			"*catweete* — what I can do (type `%s &lt;command&gt;` or mention me):"},
		MsgHelpFooter: {"Demandez-moi aussi simplement : « alors ça tweete ? »",
			"Or just ask me: “how's it going?”"},
		MsgUnknownCommand: {"Je ne connais pas la commande « %s ». Voici ce que je sais faire :",
			"I don't know the command “%s”. Here is what I can do:"},
		MsgDraftUsage: {"Écrivez le texte après la commande : `%s brouillon Notre nouveau site est en ligne !`",
			"Write the text after the command: `%s draft Our new website is live!`"},
		MsgDraftWhen: {"Publication prévue %s.", "Planned for %s."},
		MsgDraftSent: {"Brouillon n°%d envoyé pour approbation%s.",
			"Draft #%d sent for approval%s."},
		MsgDraftStoredNoCard: {"Brouillon n°%d enregistré, mais Slack a refusé sa carte d'approbation (le bot est-il invité dans le canal ?) : je réessaie chaque minute.",
			"Draft #%d saved, but Slack refused its approval card (is the bot invited to the channel?): I try again every minute."},
		MsgEmptyText:       {"Le texte est vide : il faut quelque chose à publier.", "The text is empty: there must be something to publish."},
		MsgTooLong:         {"Trop long pour %s : %d/%d caractères.", "Too long for %s: %d/%d characters."},
		MsgNotFound:        {"Je ne trouve pas le post n°%d.", "I can't find post #%d."},
		MsgBadID:           {"« %s » n'est pas un numéro de post. Exemple : `%s annuler 12`", "“%s” is not a post number. Example: `%s cancel 12`"},
		MsgSelfApproval:    {"Vous êtes l'auteur de ce post : un autre approbateur doit le valider.", "You wrote this post: another approver has to decide on it."},
		MsgNotApprover:     {"Vous n'êtes pas approbateur : seules les personnes désignées peuvent décider de ce post.", "You are not an approver: only the designated people can decide on this post."},
		MsgAlreadyApproved: {"Vous avez déjà approuvé cette version du post n°%d.", "You already approved this version of post #%d."},
		MsgReasonRequired:  {"Merci d'indiquer une raison.", "Please give a reason."},
		MsgNotAuthor:       {"Seul l'auteur du post peut le modifier.", "Only the post's author can edit it."},
		MsgUnchanged:       {"Le texte n'a pas changé.", "The text has not changed."},
		MsgPastTime:        {"Cette heure est déjà passée.", "That time has already passed."},
		MsgNoAccount:       {"Aucun compte configuré pour publier.", "No account is configured to publish to."},
		MsgMovedOnBy: {"Trop tard : le post n°%d a déjà été %s par <@%s>.",
			"Too late: post #%d was already %s by <@%s>."},
		MsgMovedOnByNow: {"Trop tard : le post n°%d a déjà été %s par <@%s> ; il est maintenant %s.",
			"Too late: post #%d was already %s by <@%s>; it is now %s."},
		MsgMovedOn: {"Le post n°%d est %s : plus rien à décider.", "Post #%d is %s: nothing left to decide."},
		MsgEditedSince: {"Le post n°%d a été modifié depuis (version %d) : relisez la carte à jour.",
			"Post #%d was edited since (version %d): read the updated card."},
		MsgStorageBusy: {"catweete est occupé à l'instant : rien n'a été enregistré, réessayez dans quelques secondes.",
			"catweete is busy right now: nothing was saved, try again in a few seconds."},
		MsgStorageFull: {"catweete ne peut rien enregistrer : son disque est plein. Rien n'a été modifié ; réessayez plus tard (ses administrateurs en sont avertis).",
			"catweete cannot save anything: its disk is full. Nothing was changed; try again later (its administrators have been alerted)."},
		MsgInternal:       {"Oups, quelque chose a coincé de mon côté. Réessayez dans un instant.", "Oops, something went wrong on my side. Try again in a moment."},
		MsgBusy:           {"Je suis débordé à l'instant : réessayez dans quelques secondes.", "I'm swamped right now: try again in a few seconds."},
		MsgBadPayload:     {"Je n'ai pas compris cette requête.", "I could not understand that request."},
		MsgExpiredTrigger: {"Le formulaire n'a pas pu s'ouvrir à temps : réessayez.", "The form could not open in time: try again."},
		MsgNotYourModal:   {"Cette fenêtre a été ouverte par quelqu'un d'autre.", "This dialog was opened by someone else."},
		MsgCanceled:       {"Post n°%d annulé.", "Post #%d canceled."},
		MsgCancelUsage:    {"Indiquez le numéro du post : `%s annuler 12`", "Give the post's number: `%s cancel 12`"},
		MsgApprovedOK:     {"Post n°%d approuvé.", "Post #%d approved."},
		MsgApprovalCounted: {"Votre approbation du post n°%d est comptée (%d/%d).",
			"Your approval of post #%d is counted (%d/%d)."},

		MsgStatusYes:   {"*Oui !* %d post(s) publié(s) cette semaine%s%s.", "*Yes!* %d post(s) published this week%s%s."},
		MsgStatusToday: {", dont %d aujourd'hui", ", %d of them today"},
		MsgStatusNotYet: {"*Pas encore cette semaine* : rien n'a été publié depuis lundi.",
			"*Not yet this week*: nothing has been published since Monday."},
		MsgStatusPending: {"⏳ %d en attente d'approbation (le plus ancien depuis %s%s) :",
			"⏳ %d waiting for approval (the oldest waiting %s%s):"},
		MsgStatusNoPending:  {"✅ Rien n'attend d'approbation.", "✅ Nothing waits for approval."},
		MsgStatusChanges:    {"✏️ %d à retoucher par leur auteur.", "✏️ %d waiting for their author's changes."},
		MsgStatusNext:       {"➡️ Prochain : n°%d %s sur %s.", "➡️ Next: #%d %s on %s."},
		MsgStatusNoNext:     {"➡️ Rien de programmé pour l'instant.", "➡️ Nothing scheduled yet."},
		MsgStatusAttention:  {"⚠️ %d publication(s) à reprendre :", "⚠️ %d publication(s) need a look:"},
		MsgQueueHeader:      {"*File de publication* (%d) :", "*Publishing queue* (%d):"},
		MsgQueueEmpty:       {"La file est vide : aucun post approuvé n'attend son heure.", "The queue is empty: no approved post is waiting for its time."},
		MsgPendingHeader:    {"*En attente d'approbation* (%d) :", "*Waiting for approval* (%d):"},
		MsgPendingEmpty:     {"Rien n'attend d'approbation.", "Nothing waits for approval."},
		MsgPendingItem:      {"%d/%d approbation(s), depuis %s", "%d/%d approval(s), for %s"},
		MsgAsSoonAsApproved: {"dès l'approbation", "as soon as approved"},
		MsgOn:               {"sur", "on"},
		MsgBy:               {"par", "by"},
		MsgAnd:              {"et", "and"},
		MsgToday:            {"aujourd'hui", "today"},
		MsgTomorrow:         {"demain", "tomorrow"},
		MsgYesterday:        {"hier", "yesterday"},
		MsgSinceMinutes:     {"%d min", "%d min"},
		MsgSinceHours:       {"%d h", "%d h"},
		MsgSinceDays:        {"%d j", "%d d"},
		MsgLinkAwaited:      {"lien à venir", "link to come"},

		MsgCardTitle:     {"Post n°%d", "Post #%d"},
		MsgCardAuthor:    {"Auteur", "Author"},
		MsgCardWhen:      {"Publication", "Goes out"},
		MsgCardState:     {"État", "State"},
		MsgCardAccounts:  {"Comptes", "Accounts"},
		MsgCardApprovals: {"Approbations", "Approvals"},
		MsgCardTooLong:   {"trop long", "too long"},
		MsgButtonApprove: {"Approuver", "Approve"},
		MsgButtonChanges: {"Demander des modifs", "Request changes"},
		MsgButtonReject:  {"Rejeter", "Reject"},
		MsgButtonEdit:    {"Modifier", "Edit"},
		MsgButtonCancel:  {"Annuler la publication", "Cancel publication"},
		MsgConfirmTitle:  {"Annuler ce post ?", "Cancel this post?"},
		MsgConfirmCancel: {"Le post n°%d ne sera pas publié.", "Post #%d will not be published."},
		MsgConfirmYes:    {"Oui, annuler", "Yes, cancel"},
		MsgConfirmNo:     {"Non", "No"},

		MsgStatePrefix + "draft":             {"brouillon", "draft"},
		MsgStatePrefix + "pending":           {"en attente d'approbation", "waiting for approval"},
		MsgStatePrefix + "changes_requested": {"modifications demandées", "changes requested"},
		MsgStatePrefix + "approved":          {"approuvé", "approved"},
		MsgStatePrefix + "rejected":          {"rejeté", "rejected"},
		MsgStatePrefix + "canceled":          {"annulé", "canceled"},
		MsgStatePrefix + "publishing":        {"en cours de publication", "publishing"},
		MsgStatePrefix + "published":         {"publié", "published"},
		MsgStatePrefix + "partial":           {"publié en partie", "partly published"},
		MsgStatePrefix + "failed":            {"en échec", "failed"},

		MsgStatePrefix + "delivery.waiting":    {"attend l'approbation", "awaits approval"},
		MsgStatePrefix + "delivery.scheduled":  {"programmé", "scheduled"},
		MsgStatePrefix + "delivery.publishing": {"en cours", "in progress"},
		MsgStatePrefix + "delivery.published":  {"publié", "published"},
		MsgStatePrefix + "delivery.failed":     {"échec", "failed"},
		MsgStatePrefix + "delivery.unknown":    {"incertain : à vérifier", "uncertain: please check"},
		MsgStatePrefix + "delivery.canceled":   {"annulé", "canceled"},

		MsgDecisionPrefix + "approve":         {"Approuvé par <@%s>", "Approved by <@%s>"},
		MsgDecisionPrefix + "request_changes": {"Modifications demandées par <@%s>", "Changes requested by <@%s>"},
		MsgDecisionPrefix + "reject":          {"Rejeté par <@%s>", "Rejected by <@%s>"},
		MsgDecisionPrefix + "cancel":          {"Annulé par <@%s>", "Canceled by <@%s>"},

		MsgDonePrefix + "approve":         {"approuvé", "approved"},
		MsgDonePrefix + "reject":          {"rejeté", "rejected"},
		MsgDonePrefix + "cancel":          {"annulé", "canceled"},
		MsgDonePrefix + "request_changes": {"renvoyé à son auteur", "sent back to its author"},
		MsgDonePrefix + "submit":          {"soumis", "submitted"},

		MsgEventPrefix + "approval_counted":  {"👍 <@%s> approuve (%d/%d).", "👍 <@%s> approves (%d/%d)."},
		MsgEventPrefix + "approved":          {"✅ Approuvé par <@%s>. Publication %s.", "✅ Approved by <@%s>. Goes out %s."},
		MsgEventPrefix + "changes_requested": {"✏️ <@%s> demande des modifications : %s", "✏️ <@%s> requests changes: %s"},
		MsgEventPrefix + "rejected":          {"⛔ Rejeté par <@%s> : %s", "⛔ Rejected by <@%s>: %s"},
		MsgEventPrefix + "edited":            {"📝 <@%s> a modifié le texte (version %d) :\n%s", "📝 <@%s> edited the text (version %d):\n%s"},
		MsgEventPrefix + "canceled":          {"🚫 Annulé par <@%s>.", "🚫 Canceled by <@%s>."},
		MsgEventPrefix + "published":         {"🚀 Publié sur %s : %s", "🚀 Published on %s: %s"},
		MsgEventPrefix + "failed":            {"❌ Échec sur %s : %s", "❌ Failed on %s: %s"},
		MsgEventPrefix + "unknown":           {"❓ Sur %s, je ne sais pas si le post est parti (%s). Vérifiez avant de le relancer.", "❓ On %s, I can't tell whether the post went out (%s). Check before sending it again."},
		MsgEventPrefix + "retrying":          {"🔁 %s ne répond pas bien (%s) : nouvel essai bientôt.", "🔁 %s is not answering well (%s): trying again soon."},
		MsgEventPrefix + "scheduled":         {"🗓️ <@%s> a programmé la publication : %s.", "🗓️ <@%s> scheduled the publication: %s."},
		MsgEventPrefix + "late":              {"⌛ Approuvé par <@%s>, mais après l'heure prévue : publier maintenant, ou au prochain créneau ?", "⌛ Approved by <@%s>, but after its planned time: publish now, or at the next slot?"},
		MsgEventPrefix + "nudge":             {"⏳ %s : ce post doit partir %s et attend encore une approbation.", "⏳ %s: this post goes out %s and still waits for approval."},
		MsgEventPrefix + "retried":           {"🔁 <@%s> relance la publication sur %s.", "🔁 <@%s> sends it to %s again."},
		MsgEventPrefix + "confirmed":         {"✅ <@%s> confirme que le post est bien parti sur %s.", "✅ <@%s> confirms the post did go out on %s."},
		MsgEventPrefix + "delivery_canceled": {"🚫 <@%s> abandonne la publication sur %s.", "🚫 <@%s> gives up publishing on %s."},
		MsgEventPrefix + "take_off": {"🔥 Ça décolle sur %s : %s en moins d'une heure, plus du double de l'habitude (%s).",
			"🔥 Taking off on %s: %s within the hour, more than twice the usual (%s)."},

		MsgModalDraftTitle:    {"Nouveau post", "New post"},
		MsgModalEditTitle:     {"Modifier le post", "Edit the post"},
		MsgModalReasonTitle:   {"Demander des modifs", "Request changes"},
		MsgModalRejectTitle:   {"Rejeter le post", "Reject the post"},
		MsgModalSubmit:        {"Envoyer", "Submit"},
		MsgModalClose:         {"Annuler", "Cancel"},
		MsgModalText:          {"Texte du post", "Post text"},
		MsgModalTextHint:      {"Ce qui sera publié, tel quel.", "What will be published, as is."},
		MsgModalAccounts:      {"Comptes", "Accounts"},
		MsgModalWhen:          {"Quand publier", "When to publish"},
		MsgModalWhenHint:      {"Laissez vide pour publier dès l'approbation.", "Leave empty to publish as soon as approved."},
		MsgModalReason:        {"Raison", "Reason"},
		MsgModalReasonChanges: {"Qu'est-ce qui doit changer ?", "What should change?"},
		MsgModalReasonReject:  {"Pourquoi rejeter ce post ?", "Why reject this post?"},

		MsgCardPublishedOn:   {"Publié sur %s — %d/%d", "Published on %s — %d/%d"},
		MsgCardOddHour:       {"⏰ Publication hors des heures habituelles (07:00–22:00) : %s", "⏰ Goes out outside usual hours (07:00–22:00): %s"},
		MsgCardNearDuplicate: {"♻️ Ressemble beaucoup au post n°%d des 30 derniers jours (%d %%)", "♻️ Very close to post #%d of the last 30 days (%d%%)"},
		MsgCardCampaign:      {"🏷️ Liens tagués pour la campagne « %s » (utm_source = le réseau)", "🏷️ Links tagged for campaign “%s” (utm_source = the network)"},
		MsgCardLate: {"⌛ Approuvé après son heure prévue (%s) : publier maintenant, ou au prochain créneau ?",
			"⌛ Approved after its planned time (%s): publish now, or at the next slot?"},
		MsgButtonPublishNow: {"Publier maintenant", "Publish now"},
		MsgButtonNextSlot:   {"Prochain créneau", "Next slot"},
		MsgButtonRetry:      {"Réessayer", "Retry"},
		MsgButtonConfirm:    {"Marquer comme publié", "Mark as published"},
		MsgButtonDropIt:     {"Abandonner", "Give up"},
		MsgAlertFailed: {"❌ Le post n°%d n'a pas pu partir sur %s : %s",
			"❌ Post #%d could not go out on %s: %s"},
		MsgAlertUnknown: {"❓ Le post n°%d est peut-être parti sur %s, peut-être pas (%s). Vérifiez le compte, puis dites-le-moi : je ne le renverrai pas à l'aveugle.",
			"❓ Post #%d may or may not have gone out on %s (%s). Check the account, then tell me: I won't send it again blindly."},
		MsgAlertAccount: {"🔑 %s a refusé le jeton du compte %s (%s). Rien n'y sera publié tant qu'il n'est pas renouvelé.",
			"🔑 %s refused the token of account %s (%s). Nothing will be published there until it is renewed."},
		MsgDeliveryNotFound: {"Je ne trouve plus cette publication.", "I can't find this publication any more."},
		MsgDeliveryMovedOn:  {"Cette publication a déjà été traitée (elle est maintenant : %s).", "This publication was already handled (it is now: %s)."},
		MsgScheduleUsage: {"Indiquez le post et l'heure : `%s programmer 12 demain 9h30`",
			"Give the post and the time: `%s schedule 12 tomorrow 9:30am`"},
		MsgScheduled:     {"Post n°%d programmé pour %s.", "Post #%d scheduled for %s."},
		MsgScheduledASAP: {"Post n°%d : publication dès l'approbation%s.", "Post #%d: goes out as soon as approved%s."},
		MsgWhenUnknown:   {"Je ne comprends pas l'heure « %s ».", "I don't understand the time “%s”."},
		MsgWhenPast:      {"« %s » est déjà passé.", "“%s” has already passed."},
		MsgWhenNonexistent: {"« %s » n'existe pas ce jour-là (changement d'heure).",
			"“%s” does not exist that day (clock change)."},
		MsgWhenExamples: {"Essayez par exemple : `maintenant`, `dans 30 min`, `+2h`, `demain 9h30`, `lundi 14h`, `2026-12-01 09:30`.",
			"Try for example: `now`, `in 30 min`, `+2h`, `tomorrow 9:30am`, `next monday 14:00`, `2026-12-01 09:30`."},
		MsgSlotsNone: {"Aucun créneau de publication n'est configuré (`CATWEETE_SLOTS`) : un post approuvé sans heure part aussitôt.",
			"No posting slots are configured (`CATWEETE_SLOTS`): an approved post without a time goes out at once."},
		MsgSlotsHeader:      {"*Créneaux de publication* : `%s` (%s)", "*Posting slots*: `%s` (%s)"},
		MsgSlotsFree:        {"Prochains créneaux libres :", "Next free slots:"},
		MsgSlotsAllTaken:    {"Aucun créneau libre dans les 60 prochains jours.", "No free slot in the next 60 days."},
		MsgAccountsHeader:   {"*Comptes* (%d) :", "*Accounts* (%d):"},
		MsgAccountOK:        {"✅ %s — %s", "✅ %s — %s"},
		MsgAccountRejected:  {"🔑 %s — jeton refusé : %s", "🔑 %s — token refused: %s"},
		MsgAccountUnreached: {"⚠️ %s — injoignable : %s", "⚠️ %s — unreachable: %s"},
		MsgAccountNoProfile: {"✅ %s — configuré", "✅ %s — configured"},
		MsgFollowers:        {"%s abonnés", "%s followers"},
		MsgAlertHandled:     {"✔️ <@%s> : %s.", "✔️ <@%s>: %s."},
		MsgPeriodToday:      {"aujourd'hui", "today"},
		MsgPeriodWeek:       {"cette semaine", "this week"},
		MsgPeriodMonth:      {"ce mois-ci", "this month"},
		MsgPeriodDates:      {"sur la période", "for the period"},
		MsgReachUsage: {"Je ne comprends pas la période « %s ». Essayez `%s portée semaine`, `mois`, `aujourd'hui`, ou deux dates : `2026-11-01 2026-11-15`.",
			"I don't understand the period “%s”. Try `%s reach week`, `month`, `today`, or two dates: `2026-11-01 2026-11-15`."},
		MsgReachHeader:             {"*Portée — %s* (%s)", "*Reach — %s* (%s)"},
		MsgReachNothing:            {"Rien n'a été publié sur la période.", "Nothing was published in that period."},
		MsgReachPrevious:           {"(%d post(s) la période précédente.)", "(%d post(s) the period before.)"},
		MsgReachPosts:              {"%d post(s)", "%d post(s)"},
		MsgReachReach:              {"%s de portée", "%s reach"},
		MsgReachImpressions:        {"%s impressions", "%s impressions"},
		MsgReachImpressionsAsReach: {"%s impressions (en guise de portée)", "%s impressions (standing in for reach)"},
		MsgReachNotGiven:           {"portée non fournie par %s", "reach not given by %s"},
		MsgReachEngagements:        {"%s engagements", "%s engagements"},
		MsgReachEngagementRate:     {"taux d'engagement %s", "engagement rate %s"},
		MsgReachRate:               {"taux de reach %s", "reach rate %s"},
		MsgReachStandInNote: {"Certains réseaux ne donnent pas la portée : leurs impressions en tiennent lieu.",
			"Some networks give no reach: their impressions stand in for it."},
		MsgReachTop:                           {"🏆 Le plus vu : %s — %s", "🏆 Top post: %s — %s"},
		MsgReachSee:                           {"voir", "see"},
		MsgStatusFigures:                      {" — %s", " — %s"},
		MsgHandledPrefix + "retry_delivery":   {"nouvel essai lancé", "sent again"},
		MsgHandledPrefix + "confirm_delivery": {"marqué comme publié", "marked as published"},
		MsgHandledPrefix + "cancel_delivery":  {"abandonné", "given up"},

		MsgDigestTitle:       {"Le digest de catweete — %s", "catweete digest — %s"},
		MsgDigestYesterday:   {"*Hier* (%s) : %s", "*Yesterday* (%s): %s"},
		MsgDigestNothing:     {"*Hier* (%s) : rien n'a été publié.", "*Yesterday* (%s): nothing was published."},
		MsgDigestDayBefore:   {"(%d post(s) la veille.)", "(%d post(s) the day before.)"},
		MsgDigestNetwork:     {"• *%s* : %s", "• *%s*: %s"},
		MsgDigestNotMeasured: {"pas encore de chiffres", "no figures yet"},
		MsgDigestMore:        {"…et %d autre(s)", "…and %d more"},
		MsgDigestTodayHeader: {"*Aujourd'hui* (%d, heure de %s) :", "*Today* (%d, %s time):"},
		MsgDigestTodayEmpty:  {"*Aujourd'hui* : rien de programmé.", "*Today*: nothing scheduled."},
		MsgDigestTodayItem:   {"• %s — %s %s %s", "• %s — %s %s %s"},
		MsgDigestFreeSlots:   {"🕳️ Créneaux libres aujourd'hui : %s", "🕳️ Free slots today: %s"},
		MsgDigestNoFreeSlot:  {"Aucun créneau libre aujourd'hui.", "No free slot today."},
		MsgDigestChartTitle:  {"Portée et engagements, du %s au %s", "Reach and engagements, %s to %s"},
		MsgDigestChartAlt: {"Graphique en barres : portée et engagements par jour et par réseau, du %s au %s.",
			"Bar chart: reach and engagements per day and per network, %s to %s."},
		MsgDigestFailed: {"Je n'ai pas pu poster le digest ici (le bot est-il invité dans ce canal ?). Réessayez dans un instant ou ailleurs.",
			"I could not post the digest here (is the bot invited to this channel?). Try again in a moment, or elsewhere."},
		MsgChartReach:           {"Portée par jour", "Reach per day"},
		MsgChartReachStandIn:    {"Portée par jour (impressions là où elle manque)", "Reach per day (impressions where not given)"},
		MsgChartReachNone:       {"Portée par jour : aucun réseau ne la donne", "Reach per day: no network gives it"},
		MsgChartEngagements:     {"Engagements par jour", "Engagements per day"},
		MsgChartNothing:         {"rien de publié sur ces 7 jours", "nothing published in these 7 days"},
		MsgChartDayAxis:         {"Jour de publication", "Day published"},
		MsgChartReachAxis:       {"Portée", "Reach"},
		MsgChartEngagementsAxis: {"Engagements", "Engagements"},

		MsgApproversUnavailable: {"Je n'ai pas pu vérifier auprès de Slack qui est approbateur : rien n'a été décidé, réessayez dans un instant.",
			"I could not check with Slack who the approvers are: nothing was decided, try again in a moment."},
		MsgForeignWorkspace: {"Cette commande ne vient pas de l'espace de travail de catweete : je ne la traite pas.",
			"This command does not come from catweete's workspace: I am not acting on it."},
	}
}
