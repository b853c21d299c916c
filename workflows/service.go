package workflows

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"catweete/social"
	"catweete/storage"
)

// Publisher publishes to one account of one network. Clients in social/
// fill it.
type Publisher interface {
	// Network names the network (social.NetworkMastodon, …).
	Network() string
	// Publish sends the post. Failures are *social.Error, classified.
	Publish(ctx context.Context, p social.Post) (social.Published, error)
	// Length counts text as the network does, and gives its limit.
	Length(text string) (count, limit int)
	// Idempotent reports whether sending the same post twice with the same
	// idempotency key publishes it once. A delivery caught mid-call by a
	// crash is sent again only on such a network; elsewhere a person decides.
	Idempotent() bool
}

// Notifier shows posts to people: in Slack, the approval card and its
// thread. The bot fills it.
type Notifier interface {
	// ShowCard posts the approval card when card.Post has none yet, and
	// updates it in place otherwise. It returns where the card is.
	ShowCard(ctx context.Context, card Card) (CardRef, error)
	// Announce posts a short reply about ev in the card's thread.
	Announce(ctx context.Context, card Card, ev Event) error
	// Alert tells the approval channel about something a person must act
	// on: a delivery that failed or may not have gone out (with its
	// buttons), an account whose token was refused (card is then empty).
	Alert(ctx context.Context, card Card, ev Event) error
}

// Directory answers who belongs to a user group.
type Directory interface {
	GroupMembers(ctx context.Context, groupID string) ([]string, error)
}

// CardRef locates an approval card: a channel and a message timestamp.
type CardRef struct {
	Channel string
	TS      string
}

// AccountConfig is one configured account.
type AccountConfig struct {
	// Handle identifies the account on its network (an instance URL, a
	// handle); with the network it keys the accounts table.
	Handle string
	// DisplayName is what people see; the network's name when empty.
	DisplayName string
	Publisher   Publisher
}

// Account is a configured account, with its id in storage.
type Account struct {
	storage.Account
	Publisher Publisher
}

// Config configures a Service.
type Config struct {
	Store *storage.Store // required
	// Accounts are the brand's accounts; a draft targets all of them unless
	// it names some. At least one is required.
	Accounts []AccountConfig
	Notifier Notifier // required
	// Directory resolves user-group approvers; required only when Approvers
	// lists a group (an id starting with "S").
	Directory Directory
	// Approvers are Slack user ids and user-group ids; if empty, anyone but
	// the author may approve.
	Approvers []string
	// ApprovalsRequired is the number of distinct approvals a post needs; if
	// 0, 1.
	ApprovalsRequired int
	// Location is the team's zone, for "today" and "this week"; if nil,
	// Europe/Paris.
	Location *time.Location
	// Now is the clock; if nil, time.Now.
	Now func() time.Time
	// Logger receives one line per event worth knowing; if nil, discarded.
	Logger *slog.Logger
	// GroupCacheTTL is how long a user group's members are trusted for
	// what is only shown (the Home tab); if 0, one minute. A decision
	// (approve, reject, ask for changes) asks Slack at the click.
	GroupCacheTTL time.Duration
	// DisableUTM stops adding campaign tags to links (CATWEETE_UTM=off).
	DisableUTM bool
	// Slots is the posting schedule; an approved post without a time takes
	// the next free slot. Empty: it goes out at once.
	Slots Slots
	// Observer is told how publishing goes; if nil, it is not measured.
	Observer PublishObserver
}

// Service runs the post workflow. It is safe for concurrent use.
type Service struct {
	store      *storage.Store
	notifier   Notifier
	accounts   []Account
	byID       map[int64]Account
	policy     *policy
	required   int
	loc        *time.Location
	now        func() time.Time
	log        *slog.Logger
	kick       chan struct{}
	tagger     *Tagger
	slots      Slots
	keyClock   atomic.Int64 // the last microsecond used in an idempotency key
	inflight   sync.WaitGroup
	flying     sync.Map // delivery ids being published by this process
	stopping   atomic.Bool
	collecting atomic.Bool // a metrics round is running
	cardLocks  keyedMutex
	observer   PublishObserver
	status     statusCache
}

// New checks cfg, records the configured accounts in storage and returns a
// Service.
func New(ctx context.Context, cfg Config) (*Service, error) {
	if cfg.Store == nil {
		return nil, errors.New("workflows: Config.Store is required")
	}
	if cfg.Notifier == nil {
		return nil, errors.New("workflows: Config.Notifier is required")
	}
	if len(cfg.Accounts) == 0 {
		return nil, fmt.Errorf("workflows: %w", ErrNoAccount)
	}
	if cfg.ApprovalsRequired == 0 {
		cfg.ApprovalsRequired = 1
	}
	if cfg.ApprovalsRequired < 0 {
		return nil, errors.New("workflows: Config.ApprovalsRequired must be positive")
	}
	if cfg.Location == nil {
		loc, err := time.LoadLocation("Europe/Paris")
		if err != nil {
			return nil, fmt.Errorf("workflows: default zone: %w", err)
		}
		cfg.Location = loc
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.GroupCacheTTL == 0 {
		cfg.GroupCacheTTL = time.Minute
	}
	if cfg.Observer == nil {
		cfg.Observer = unobserved{}
	}
	pol, err := newPolicy(cfg.Approvers, cfg.Directory, cfg.GroupCacheTTL, cfg.Now)
	if err != nil {
		return nil, err
	}
	s := &Service{
		store:    cfg.Store,
		notifier: cfg.Notifier,
		byID:     make(map[int64]Account),
		policy:   pol,
		required: cfg.ApprovalsRequired,
		loc:      cfg.Location,
		now:      cfg.Now,
		log:      cfg.Logger,
		kick:     make(chan struct{}, 1),
		tagger:   NewTagger(!cfg.DisableUTM),
		slots:    cfg.Slots,
		observer: cfg.Observer,
	}
	for _, ac := range cfg.Accounts {
		if ac.Publisher == nil || ac.Handle == "" {
			return nil, errors.New("workflows: an account needs a Publisher and a Handle")
		}
		name := ac.DisplayName
		if name == "" {
			name = NetworkName(ac.Publisher.Network())
		}
		stored, err := cfg.Store.UpsertAccount(ctx, storage.Account{
			Network: ac.Publisher.Network(), Handle: ac.Handle, DisplayName: name, CreatedAt: s.now(),
		})
		if err != nil {
			return nil, fmt.Errorf("workflows: %w", err)
		}
		a := Account{Account: stored, Publisher: ac.Publisher}
		s.accounts = append(s.accounts, a)
		s.byID[a.ID] = a
	}
	return s, nil
}

// Accounts returns the configured accounts.
func (s *Service) Accounts() []Account { return s.accounts }

// Location returns the team's zone.
func (s *Service) Location() *time.Location { return s.loc }

// ApprovalsRequired returns how many distinct approvals a post needs.
func (s *Service) ApprovalsRequired() int { return s.required }

// NetworkName is a network's name as people write it.
func NetworkName(network string) string {
	switch network {
	case social.NetworkMastodon:
		return "Mastodon"
	case social.NetworkBluesky:
		return "Bluesky"
	case social.NetworkX:
		return "X"
	case social.NetworkLinkedIn:
		return "LinkedIn"
	case social.NetworkFacebook:
		return "Facebook"
	case social.NetworkSandbox:
		return "Sandbox"
	}
	return network
}

// DraftRequest is a new post.
type DraftRequest struct {
	AuthorID string
	Text     string
	// AccountIDs are the target accounts; empty means every account.
	AccountIDs []int64
	// PublishAt is the time asked for; zero means as soon as approved.
	PublishAt     time.Time
	OriginChannel string
}

// Draft stores a new post, submits it for approval and shows its card. The
// post is stored even if the card cannot be posted (the error then says so,
// and the card is posted at the post's next change).
func (s *Service) Draft(ctx context.Context, req DraftRequest) (Post, error) {
	text := normalizeText(req.Text)
	if text == "" {
		return Post{}, ErrEmptyText
	}
	targets, err := s.targets(req.AccountIDs)
	if err != nil {
		return Post{}, err
	}
	if err := s.checkLengths(text, placeholderID, targets); err != nil {
		return Post{}, err
	}
	now := s.now()
	if !req.PublishAt.IsZero() && req.PublishAt.Before(now) {
		return Post{}, ErrPastTime
	}
	var id int64
	err = s.store.WithTx(ctx, func(tx *storage.Tx) error {
		var err error
		id, err = tx.InsertPost(ctx, storage.Post{
			Text: text, AuthorID: req.AuthorID, Status: StatusPending, Version: 1,
			PublishAt: req.PublishAt, OriginChannel: req.OriginChannel, CreatedAt: now,
		})
		if err != nil {
			return err
		}
		// Again with the real id, which the default campaign tag carries:
		// the check above was only as long as a post's id can be.
		if err := s.checkLengths(text, id, targets); err != nil {
			return err
		}
		for _, a := range targets {
			key, err := s.newIdempotencyKey(now)
			if err != nil {
				return err
			}
			if _, err := tx.InsertDelivery(ctx, storage.Delivery{
				PostID: id, AccountID: a.ID, Status: storage.DeliveryWaiting, IdempotencyKey: key, CreatedAt: now,
			}); err != nil {
				return err
			}
		}
		audit := storage.AuditEntry{PostID: id, ActorID: req.AuthorID, Version: 1, At: now}
		audit.Action, audit.From, audit.To = ActionCreate, "", StatusDraft
		if err := tx.InsertAudit(ctx, audit); err != nil {
			return err
		}
		audit.Action, audit.From, audit.To = ActionSubmit, StatusDraft, StatusPending
		return tx.InsertAudit(ctx, audit)
	})
	if err != nil {
		return Post{}, fmt.Errorf("workflows: draft: %w", err)
	}
	s.log.InfoContext(ctx, "post drafted", "post_id", id, "author", req.AuthorID, "accounts", len(targets))
	post, cardErr := s.refreshCard(ctx, id, nil)
	if cardErr != nil {
		return post, fmt.Errorf("workflows: post %d stored, card not shown: %w", id, cardErr)
	}
	return post, nil
}

func (s *Service) targets(ids []int64) ([]Account, error) {
	if len(ids) == 0 {
		return s.accounts, nil
	}
	var out []Account
	seen := make(map[int64]bool)
	for _, id := range ids {
		a, ok := s.byID[id]
		if !ok {
			return nil, fmt.Errorf("workflows: account %d: %w", id, ErrNoAccount)
		}
		if !seen[id] {
			seen[id] = true
			out = append(out, a)
		}
	}
	return out, nil
}

// placeholderID stands for a post's id before it has one, in length checks:
// as long as an id will ever be, so that a text accepted with it still
// fits once tagged with the real one.
const placeholderID = 1<<31 - 1

// checkLengths checks text against each target's limit, as that network
// will receive it (campaign tags included) and counts it.
func (s *Service) checkLengths(text string, postID int64, targets []Account) error {
	for _, a := range targets {
		if count, limit := a.Publisher.Length(s.tagger.Text(text, a.Network, postID)); count > limit {
			return &TooLongError{Network: NetworkName(a.Network), Count: count, Limit: limit}
		}
	}
	return nil
}

// normalizeText trims the text and its trailing spaces on each line, and
// turns Windows line ends into plain ones, so that counts and diffs see
// what people see.
func normalizeText(text string) string {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \t")
	}
	return strings.TrimSpace(strings.Join(lines, "\n"))
}

// newIdempotencyKey returns a delivery's key: a TID, the sortable 13-char
// record key atproto uses, so that the same key can serve as Bluesky's
// record key and as Mastodon's Idempotency-Key. It is the time in
// microseconds, never the same twice in this process (keyClock only moves
// forward), and 10 random bits that keep two processes apart.
func (s *Service) newIdempotencyKey(now time.Time) (string, error) {
	var b [2]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("workflows: idempotency key: %w", err)
	}
	clockID := uint64(b[0])<<2 | uint64(b[1])>>6
	for {
		last := s.keyClock.Load()
		micros := max(now.UnixMicro(), last+1)
		if s.keyClock.CompareAndSwap(last, micros) {
			return tid(uint64(micros)<<10 | clockID), nil
		}
	}
}

// tid writes v in atproto's base32-sortable alphabet, 13 characters, the
// top bit always 0.
func tid(v uint64) string {
	const alphabet = "234567abcdefghijklmnopqrstuvwxyz"
	v &^= 1 << 63
	var out [13]byte
	for i := 12; i >= 0; i-- {
		out[i] = alphabet[v&31]
		v >>= 5
	}
	return string(out[:])
}

// SystemActor is the audit log's actor for what catweete does by itself
// (publishing, ending a post).
const SystemActor = "catweete"

// movedOn builds the error for a click on a post that is no longer where
// the card showed it, naming who moved it last.
func movedOn(ctx context.Context, q interface {
	AuditLog(context.Context, int64) ([]storage.AuditEntry, error)
}, p Post) error {
	e := &MovedOnError{PostID: p.ID, Status: p.Status, Version: p.Version}
	log, err := q.AuditLog(ctx, p.ID)
	if err != nil {
		return err
	}
	// The person who moved it, not catweete's own publishing steps: the
	// loser of two approvers wants the name of the one who was first.
	for i := len(log) - 1; i >= 0; i-- {
		entry := log[i]
		if entry.ActorID == SystemActor {
			continue
		}
		if entry.From != entry.To || entry.Action == ActionEdit {
			e.ActorID, e.Action, e.At = entry.ActorID, entry.Action, entry.At
			break
		}
	}
	return e
}

// move is the one way a post changes state: checked against the state
// machine, guarded on state and version, and written to the audit log in
// the same transaction.
func (s *Service) move(ctx context.Context, tx *storage.Tx, p Post, to, actor, action, reason string) error {
	if !CanMove(p.Status, to) {
		return movedOn(ctx, tx, p)
	}
	now := s.now()
	if err := tx.TransitionPost(ctx, p.ID, p.Status, p.Version, to, now); err != nil {
		return err
	}
	return tx.InsertAudit(ctx, storage.AuditEntry{
		PostID: p.ID, ActorID: actor, Action: action, From: p.Status, To: to, Version: p.Version,
		Reason: reason, At: now,
	})
}

// loadCurrent reads a post inside tx and checks that it is still the
// version the person saw (version 0 skips the check).
func loadCurrent(ctx context.Context, tx *storage.Tx, id int64, version int) (Post, error) {
	p, err := tx.Post(ctx, id)
	if err != nil {
		return Post{}, err
	}
	if version != 0 && p.Version != version {
		return Post{}, movedOn(ctx, tx, p)
	}
	return p, nil
}

// noneStarted refuses, as too late, a change to a post one of whose
// deliveries has started (claimed by the dispatcher, or out).
func noneStarted(ctx context.Context, tx *storage.Tx, p Post) error {
	ds, err := tx.Deliveries(ctx, p.ID)
	if err != nil {
		return err
	}
	for _, d := range ds {
		switch d.Status {
		case storage.DeliveryPublishing, storage.DeliveryPublished, storage.DeliveryUnknown:
			return &MovedOnError{PostID: p.ID, Status: StatusPublishing, Version: p.Version, ActorID: SystemActor}
		}
	}
	return nil
}

// loadDecidable reads a post inside tx for a decision by userID: still at
// the version they saw, not their own, and they an approver.
func loadDecidable(ctx context.Context, tx *storage.Tx, id int64, version int, userID string, isApprover bool) (Post, error) {
	p, err := loadCurrent(ctx, tx, id, version)
	if err != nil {
		return Post{}, err
	}
	if p.AuthorID == userID {
		return Post{}, ErrSelfApproval
	}
	if !isApprover {
		return Post{}, ErrNotApprover
	}
	return p, nil
}

// postTargets returns the accounts a post's deliveries go to.
func (s *Service) postTargets(ctx context.Context, q interface {
	Deliveries(context.Context, int64) ([]storage.Delivery, error)
}, id int64) ([]Account, error) {
	ds, err := q.Deliveries(ctx, id)
	if err != nil {
		return nil, err
	}
	var targets []Account
	for _, d := range ds {
		if a, ok := s.byID[d.AccountID]; ok {
			targets = append(targets, a)
		}
	}
	return targets, nil
}

// ApprovalResult is the outcome of one approval.
type ApprovalResult struct {
	Post     Post
	Count    int
	Required int
	// Approved is true when this approval was the last one needed.
	Approved bool
	// Late is true when the post was approved after its time: it waits
	// for a person to say "now" or "next slot" instead of going out late
	// in silence.
	Late bool
}

// Approve records userID's approval of version of post id. With the
// required number of distinct approvals the post is approved and its
// deliveries scheduled. Of two approvers clicking at once, one approves; the
// other gets a *MovedOnError naming the first.
func (s *Service) Approve(ctx context.Context, id int64, version int, userID string) (ApprovalResult, error) {
	ok, err := s.policy.isApprover(ctx, userID)
	if err != nil {
		return ApprovalResult{}, fmt.Errorf("workflows: approvers: %w", err)
	}
	var res ApprovalResult
	err = s.store.WithTx(ctx, func(tx *storage.Tx) error {
		p, err := loadDecidable(ctx, tx, id, version, userID, ok)
		if err != nil {
			return err
		}
		if p.Status != StatusPending {
			return movedOn(ctx, tx, p)
		}
		now := s.now()
		inserted, err := tx.InsertApproval(ctx, storage.Approval{PostID: id, Version: p.Version, UserID: userID, ApprovedAt: now})
		if err != nil {
			return err
		}
		if !inserted {
			return ErrAlreadyApproved
		}
		approvals, err := tx.Approvals(ctx, id, p.Version)
		if err != nil {
			return err
		}
		res = ApprovalResult{Count: len(approvals), Required: s.required}
		if res.Count < s.required {
			res.Post = p
			return tx.InsertAudit(ctx, storage.AuditEntry{PostID: id, ActorID: userID, Action: ActionApprove,
				From: p.Status, To: p.Status, Version: p.Version, At: now})
		}
		if err := s.move(ctx, tx, p, StatusApproved, userID, ActionApprove, ""); err != nil {
			return err
		}
		due, late, err := s.dueTime(ctx, tx, p, now)
		if err != nil {
			return err
		}
		res.Late = late
		if !late {
			if _, err := tx.ScheduleDeliveries(ctx, id, due, now); err != nil {
				return err
			}
		}
		res.Approved = true
		res.Post, err = tx.Post(ctx, id)
		return err
	})
	if err != nil {
		return ApprovalResult{}, fmt.Errorf("workflows: approve post %d: %w", id, err)
	}
	s.log.InfoContext(ctx, "post approval", "post_id", id, "user", userID, "count", res.Count, "required", res.Required, "approved", res.Approved)
	kind := EventApprovalCounted
	switch {
	case res.Late:
		kind = EventLate
	case res.Approved:
		kind = EventApproved
		s.Kick()
	}
	s.afterChange(ctx, id, Event{Kind: kind, ActorID: userID, Count: res.Count, Required: res.Required})
	return res, nil
}

// RequestChanges sends a pending post back to its author with a reason.
func (s *Service) RequestChanges(ctx context.Context, id int64, version int, userID, reason string) (Post, error) {
	return s.decide(ctx, id, version, userID, reason, StatusChangesRequested, ActionRequestChanges, EventChangesRequested)
}

// Reject ends a post with a reason.
func (s *Service) Reject(ctx context.Context, id int64, version int, userID, reason string) (Post, error) {
	return s.decide(ctx, id, version, userID, reason, StatusRejected, ActionReject, EventRejected)
}

func (s *Service) decide(ctx context.Context, id int64, version int, userID, reason, to, action string, kind EventKind) (Post, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return Post{}, ErrReasonRequired
	}
	ok, err := s.policy.isApprover(ctx, userID)
	if err != nil {
		return Post{}, fmt.Errorf("workflows: approvers: %w", err)
	}
	err = s.store.WithTx(ctx, func(tx *storage.Tx) error {
		p, err := loadDecidable(ctx, tx, id, version, userID, ok)
		if err != nil {
			return err
		}
		if !CanMove(p.Status, to) || p.Status == to {
			return movedOn(ctx, tx, p)
		}
		if err := s.move(ctx, tx, p, to, userID, action, reason); err != nil {
			return err
		}
		if to == StatusRejected {
			_, err = tx.CancelDeliveries(ctx, id, s.now())
		}
		return err
	})
	if err != nil {
		return Post{}, fmt.Errorf("workflows: %s post %d: %w", action, id, err)
	}
	s.log.InfoContext(ctx, "post decision", "post_id", id, "user", userID, "action", action)
	return s.afterChange(ctx, id, Event{Kind: kind, ActorID: userID, Reason: reason}), nil
}

// Edit replaces the text of a post by its author. The version is bumped,
// earlier approvals no longer count, and the post goes back to pending; the
// card's thread gets the diff.
func (s *Service) Edit(ctx context.Context, id int64, version int, userID, text string) (Post, error) {
	text = normalizeText(text)
	if text == "" {
		return Post{}, ErrEmptyText
	}
	var before string
	err := s.store.WithTx(ctx, func(tx *storage.Tx) error {
		p, err := loadCurrent(ctx, tx, id, version)
		if err != nil {
			return err
		}
		if p.AuthorID != userID {
			return ErrNotAuthor
		}
		if !Editable(p.Status) {
			return movedOn(ctx, tx, p)
		}
		if p.Text == text {
			return ErrUnchanged
		}
		targets, err := s.postTargets(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := s.checkLengths(text, id, targets); err != nil {
			return err
		}
		now := s.now()
		if _, err := tx.ReviseText(ctx, id, p.Status, p.Version, text, StatusPending, now); err != nil {
			return err
		}
		before = p.Text
		return tx.InsertAudit(ctx, storage.AuditEntry{PostID: id, ActorID: userID, Action: ActionEdit,
			From: p.Status, To: StatusPending, Version: p.Version + 1, At: now})
	})
	if err != nil {
		return Post{}, fmt.Errorf("workflows: edit post %d: %w", id, err)
	}
	s.log.InfoContext(ctx, "post edited", "post_id", id, "user", userID)
	return s.afterChange(ctx, id, Event{Kind: EventEdited, ActorID: userID, Diff: Diff(before, text)}), nil
}

// Cancel stops a post that has not started publishing. Its author and the
// approvers may cancel it.
func (s *Service) Cancel(ctx context.Context, id int64, userID string) (Post, error) {
	ok, err := s.policy.isApprover(ctx, userID)
	if err != nil {
		return Post{}, fmt.Errorf("workflows: approvers: %w", err)
	}
	err = s.store.WithTx(ctx, func(tx *storage.Tx) error {
		p, err := tx.Post(ctx, id)
		if err != nil {
			return err
		}
		if p.AuthorID != userID && !ok {
			return ErrNotApprover
		}
		// A delivery already on its way cannot be called back: too late.
		if err := noneStarted(ctx, tx, p); err != nil {
			return err
		}
		if err := s.move(ctx, tx, p, StatusCanceled, userID, ActionCancel, ""); err != nil {
			return err
		}
		_, err = tx.CancelDeliveries(ctx, id, s.now())
		return err
	})
	if err != nil {
		return Post{}, fmt.Errorf("workflows: cancel post %d: %w", id, err)
	}
	s.log.InfoContext(ctx, "post canceled", "post_id", id, "user", userID)
	s.Kick()
	return s.afterChange(ctx, id, Event{Kind: EventCanceled, ActorID: userID}), nil
}

// Post returns a post.
func (s *Service) Post(ctx context.Context, id int64) (Post, error) {
	p, err := s.store.Post(ctx, id)
	if err != nil {
		return Post{}, fmt.Errorf("workflows: %w", err)
	}
	return p, nil
}

// afterChange redraws the card and announces ev in its thread. Slack being
// down must not undo what was decided: failures are logged, and the card is
// redrawn at the next change.
func (s *Service) afterChange(ctx context.Context, id int64, ev Event) Post {
	ctx, cancel := s.notifyContext(ctx)
	defer cancel()
	p, err := s.refreshCard(ctx, id, &ev)
	if err != nil {
		s.log.ErrorContext(ctx, "card not updated", "post_id", id, "event", ev.Kind.String(), "err", err)
	}
	return p
}

// Telling Slack is bounded: normally long enough for a rate limit or two,
// and short once the dispatcher is stopping, so that a stop stays within
// its budget (the outcome itself is already recorded).
const (
	notifyTimeout         = 20 * time.Second
	notifyTimeoutStopping = 1500 * time.Millisecond
)

func (s *Service) notifyContext(ctx context.Context) (context.Context, context.CancelFunc) {
	timeout := notifyTimeout
	if s.stopping.Load() {
		timeout = notifyTimeoutStopping
	}
	return context.WithTimeout(context.WithoutCancel(ctx), timeout)
}

// refreshCard draws the card of post id (posting it if it has none yet) and,
// if ev is not nil, announces ev in its thread. Changes of one post's card
// are serialized so that a late redraw never overwrites a newer one and a
// card is never posted twice.
func (s *Service) refreshCard(ctx context.Context, id int64, ev *Event) (Post, error) {
	unlock := s.cardLocks.lock(id)
	defer unlock()
	card, err := s.Card(ctx, id)
	if err != nil {
		return Post{}, err
	}
	ref, err := s.notifier.ShowCard(ctx, card)
	if err != nil {
		return card.Post, err
	}
	if card.Post.CardTS == "" && ref.TS != "" {
		if err := s.store.SetPostCard(ctx, id, ref.Channel, ref.TS); err != nil {
			return card.Post, err
		}
		card.Post.CardChannel, card.Post.CardTS = ref.Channel, ref.TS
	}
	if ev != nil {
		if err := s.notifier.Announce(ctx, card, *ev); err != nil {
			return card.Post, err
		}
	}
	return card.Post, nil
}

// keyedMutex serializes work per post id.
type keyedMutex struct {
	mu    sync.Mutex
	locks map[int64]*keyedLock
}

type keyedLock struct {
	mu   sync.Mutex
	refs int
}

func (k *keyedMutex) lock(id int64) (unlock func()) {
	k.mu.Lock()
	if k.locks == nil {
		k.locks = make(map[int64]*keyedLock)
	}
	l := k.locks[id]
	if l == nil {
		l = &keyedLock{}
		k.locks[id] = l
	}
	l.refs++
	k.mu.Unlock()
	l.mu.Lock()
	return func() {
		l.mu.Unlock()
		k.mu.Lock()
		l.refs--
		if l.refs == 0 {
			delete(k.locks, id)
		}
		k.mu.Unlock()
	}
}

// CheckDraft says whether text fits the accounts (all when empty), without
// storing anything: the draft modal's validation.
func (s *Service) CheckDraft(text string, accountIDs []int64) error {
	text = normalizeText(text)
	if text == "" {
		return ErrEmptyText
	}
	targets, err := s.targets(accountIDs)
	if err != nil {
		return err
	}
	return s.checkLengths(text, placeholderID, targets)
}

// CheckText says whether text fits the accounts of post id: the edit
// modal's validation.
func (s *Service) CheckText(ctx context.Context, id int64, text string) error {
	text = normalizeText(text)
	if text == "" {
		return ErrEmptyText
	}
	targets, err := s.postTargets(ctx, s.store, id)
	if err != nil {
		return fmt.Errorf("workflows: %w", err)
	}
	return s.checkLengths(text, id, targets)
}

// CanDecide says whether userID may reject (or, reject false, send back)
// version of post id now, before they are asked for a reason.
func (s *Service) CanDecide(ctx context.Context, id int64, version int, userID string, reject bool) error {
	p, err := s.store.Post(ctx, id)
	if err != nil {
		return fmt.Errorf("workflows: %w", err)
	}
	to := StatusChangesRequested
	if reject {
		to = StatusRejected
	}
	if version != 0 && p.Version != version || !CanMove(p.Status, to) || p.Status == to {
		return movedOn(ctx, s.store, p)
	}
	if p.AuthorID == userID {
		return ErrSelfApproval
	}
	ok, err := s.policy.isApprover(ctx, userID)
	if err != nil {
		return fmt.Errorf("workflows: approvers: %w", err)
	}
	if !ok {
		return ErrNotApprover
	}
	return nil
}

// CanEdit returns post id if userID may edit it now.
func (s *Service) CanEdit(ctx context.Context, id int64, userID string) (Post, error) {
	p, err := s.store.Post(ctx, id)
	if err != nil {
		return Post{}, fmt.Errorf("workflows: %w", err)
	}
	if p.AuthorID != userID {
		return Post{}, ErrNotAuthor
	}
	if !Editable(p.Status) {
		return Post{}, movedOn(ctx, s.store, p)
	}
	return p, nil
}

// Now is the service's clock, for answers that say "today" or "since".
func (s *Service) Now() time.Time { return s.now() }
