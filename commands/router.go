package commands

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"catweete/storage"
	"catweete/workflows"
)

// Command names, the canonical name of each command.
const (
	CmdHelp     = "help"
	CmdDraft    = "draft"
	CmdStatus   = "status"
	CmdQueue    = "queue"
	CmdPending  = "pending"
	CmdCancel   = "cancel"
	CmdSchedule = "schedule"
	CmdSlots    = "slots"
	CmdAccounts = "accounts"
	CmdReach    = "reach"
	CmdDigest   = "digest"
)

// Source says where a request came from, which decides where its answer goes.
type Source int

// Sources of requests.
const (
	SourceSlashCommand Source = iota + 1
	SourceMention
)

// Request is a command to run, as typed by a person.
type Request struct {
	Text      string
	UserID    string
	ChannelID string
	Source    Source
}

// Reply is the answer to a request.
type Reply struct {
	// Text is the answer in Slack mrkdwn.
	Text string
	// OpenDraftModal asks the bot to open the draft modal instead of (or
	// besides) answering, prefilled with DraftText.
	OpenDraftModal bool
	DraftText      string
	// PostDigest asks the bot to post the daily digest in the channel the
	// request came from, in Lang; Text is then empty.
	PostDigest bool
	// Lang is the language the reply is in.
	Lang Lang
}

// Definition is one command: its names in both languages, how to use it,
// what it does, and its handler. Help is generated from these, so it never
// lies.
type Definition struct {
	Name string
	// French and English are the words that call the command in each
	// language; Neutral ones belong to both ("status").
	French  []string
	English []string
	Neutral []string
	// Usage and Description are [French, English].
	Usage       [2]string
	Description [2]string
	HandleFunc  func(ctx context.Context, r *Router, req Call) Reply
}

// Call is a request parsed, handed to a command's handler.
type Call struct {
	Request
	Args string
	Lang Lang
}

// Config configures a Router.
type Config struct {
	Service *workflows.Service // required
	// Lang is the team's language (CATWEETE_LANG); if empty, French.
	Lang Lang
	// Command is the slash command's name, for help texts; if empty,
	// "/catweete".
	Command string
	// ApprovalChannel is where cards go, to say so; may be empty.
	ApprovalChannel string
	// Zones gives each person's own time zone (Slack's users.info), so
	// that "demain 9h30" means their 9:30; if nil, or when it fails, the
	// team's zone.
	Zones Zones
	// Logger; if nil, discarded.
	Logger *slog.Logger
}

// Zones knows the time zone of each Slack user.
type Zones interface {
	UserLocation(ctx context.Context, userID string) (*time.Location, error)
}

// Router parses requests and runs their command.
type Router struct {
	svc             *workflows.Service
	cat             *Catalog
	lang            Lang
	command         string
	approvalChannel string
	zones           Zones
	log             *slog.Logger
	defs            []Definition
	byName          map[string]*Definition
	aliases         map[string]alias
	phrases         map[string]Parsed
	// helpText is the help of each language, written once: it depends on
	// the command table alone, and help is the most asked command.
	helpText map[Lang]string
	// statusDrawn keeps the last status answer of each language
	// (statusAnswer).
	statusDrawn struct {
		mu     sync.Mutex
		byLang map[Lang]drawnStatus
	}
}

type alias struct {
	name string
	lang Lang
}

// New builds a Router. A wiring mistake in the command table (an empty or
// duplicate name or alias) is an error at start, not a surprise in use.
func New(cfg Config) (*Router, error) {
	return build(cfg, definitions())
}

// build is New with the command table as a parameter, so that tests can
// check that a wrong table is refused.
func build(cfg Config, defs []Definition) (*Router, error) {
	if cfg.Service == nil {
		return nil, errors.New("commands: Config.Service is required")
	}
	if cfg.Lang == "" {
		cfg.Lang = French
	}
	if cfg.Command == "" {
		cfg.Command = "/catweete"
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	r := &Router{
		svc: cfg.Service, cat: NewCatalog(), lang: cfg.Lang, command: cfg.Command,
		approvalChannel: cfg.ApprovalChannel, zones: cfg.Zones, log: cfg.Logger,
		byName: make(map[string]*Definition), aliases: make(map[string]alias),
	}
	r.defs = defs
	for i := range r.defs {
		d := &r.defs[i]
		if d.Name == "" || d.HandleFunc == nil {
			return nil, fmt.Errorf("commands: definition %d has no name or handler", i)
		}
		if _, dup := r.byName[d.Name]; dup {
			return nil, fmt.Errorf("commands: command %q defined twice", d.Name)
		}
		r.byName[d.Name] = d
		for _, words := range []struct {
			list []string
			lang Lang
		}{{d.French, French}, {d.English, English}, {d.Neutral, ""}} {
			for _, w := range words.list {
				key := fold(w)
				if key == "" || strings.Contains(key, " ") {
					return nil, fmt.Errorf("commands: command %q: bad alias %q", d.Name, w)
				}
				if prev, dup := r.aliases[key]; dup {
					return nil, fmt.Errorf("commands: alias %q names both %q and %q", w, prev.name, d.Name)
				}
				r.aliases[key] = alias{name: d.Name, lang: words.lang}
			}
		}
	}
	r.phrases = statusPhrases()
	r.helpText = map[Lang]string{French: r.writeHelp(French), English: r.writeHelp(English)}
	r.statusDrawn.byLang = make(map[Lang]drawnStatus)
	return r, nil
}

// Catalog returns the message catalog.
func (r *Router) Catalog() *Catalog { return r.cat }

// Lang returns the team's language.
func (r *Router) Lang() Lang { return r.lang }

// Definitions returns the command table.
func (r *Router) Definitions() []Definition { return r.defs }

// statusPhrases are the whole sentences that ask for the status.
func statusPhrases() map[string]Parsed {
	phrases := make(map[string]Parsed)
	for _, p := range []struct {
		text string
		lang Lang
	}{
		{"alors ça tweete ?", French},
		{"alors, ça tweete ?", French},
		{"ça tweete ?", French},
		{"alors ça tweet ?", French},
		{"ça tweet ?", French},
		{"quoi de neuf ?", French},
		{"où en est-on ?", French},
		{"how's it going?", English},
		{"how is it going?", English},
		{"hows it going", English},
		{"what's new?", English},
		{"is it tweeting?", English},
	} {
		phrases[fold(p.text)] = Parsed{Name: CmdStatus, Lang: p.lang}
	}
	return phrases
}

// Handle parses a request and runs its command. It never fails: every
// problem becomes a reply in the person's language (and a log line).
func (r *Router) Handle(ctx context.Context, req Request) Reply {
	return r.Run(ctx, req, r.Parse(req.Text))
}

// Run runs the command p, which Parse found in req.Text: a caller that has
// already parsed the text to choose how to answer need not parse it again.
func (r *Router) Run(ctx context.Context, req Request, p Parsed) Reply {
	lang := p.Lang
	if lang == "" {
		lang = r.lang
	}
	call := Call{Request: req, Args: p.Args, Lang: lang}
	if p.Name == "" {
		r.log.InfoContext(ctx, "unknown command", "user", req.UserID, "word", p.Unknown)
		help := r.help(lang)
		help.Text = r.cat.T(lang, MsgUnknownCommand, escape(p.Unknown)) + "\n" + help.Text
		return help
	}
	reply := r.byName[p.Name].HandleFunc(ctx, r, call)
	reply.Lang = lang
	return reply
}

// ErrorText words err for a person, and logs it: a refusal at Info (one
// line per bad input), anything else whole at Error, answered with a short
// apology that does not show it.
func (r *Router) ErrorText(ctx context.Context, lang Lang, postID int64, err error) string {
	// The database could not take the write: nothing was done, and the
	// person can try again, which is not a bug to report.
	switch {
	case errors.Is(err, storage.ErrBusy):
		r.log.WarnContext(ctx, "database busy: request not done", "post_id", postID, "err", err)
		return r.cat.T(lang, MsgStorageBusy)
	case errors.Is(err, storage.ErrFull):
		r.log.WarnContext(ctx, "database full: request not done", "post_id", postID, "err", err)
		return r.cat.T(lang, MsgStorageFull)
	}
	if text, known := r.errorText(lang, postID, err); known {
		r.log.InfoContext(ctx, "request refused", "post_id", postID, "reason", err.Error())
		return text
	}
	r.log.ErrorContext(ctx, "command failed", "post_id", postID, "err", err)
	return r.cat.T(lang, MsgInternal)
}

// errorText words the errors a person can cause; known is false for the
// others.
func (r *Router) errorText(lang Lang, postID int64, err error) (text string, known bool) {
	var tooLong *workflows.TooLongError
	var moved *workflows.MovedOnError
	var deliveryMoved *workflows.DeliveryMovedOnError
	switch {
	case errors.Is(err, workflows.ErrNotFound):
		return r.cat.T(lang, MsgNotFound, postID), true
	case errors.Is(err, workflows.ErrEmptyText):
		return r.cat.T(lang, MsgEmptyText), true
	case errors.As(err, &tooLong):
		return r.cat.T(lang, MsgTooLong, tooLong.Network, tooLong.Count, tooLong.Limit), true
	case errors.Is(err, workflows.ErrSelfApproval):
		return r.cat.T(lang, MsgSelfApproval), true
	case errors.Is(err, workflows.ErrNotApprover):
		return r.cat.T(lang, MsgNotApprover), true
	case errors.Is(err, workflows.ErrApproversUnavailable):
		return r.cat.T(lang, MsgApproversUnavailable), true
	case errors.Is(err, workflows.ErrAlreadyApproved):
		return r.cat.T(lang, MsgAlreadyApproved, postID), true
	case errors.Is(err, workflows.ErrReasonRequired):
		return r.cat.T(lang, MsgReasonRequired), true
	case errors.Is(err, workflows.ErrNotAuthor):
		return r.cat.T(lang, MsgNotAuthor), true
	case errors.Is(err, workflows.ErrUnchanged):
		return r.cat.T(lang, MsgUnchanged), true
	case errors.Is(err, workflows.ErrPastTime):
		return r.cat.T(lang, MsgPastTime), true
	case errors.Is(err, workflows.ErrNoAccount):
		return r.cat.T(lang, MsgNoAccount), true
	case errors.As(err, &moved):
		return r.movedOnText(lang, moved), true
	case errors.As(err, &deliveryMoved):
		return r.cat.T(lang, MsgDeliveryMovedOn, r.cat.DeliveryStateName(lang, deliveryMoved.Status)), true
	}
	return "", false
}

func (r *Router) movedOnText(lang Lang, e *workflows.MovedOnError) string {
	if e.Action == workflows.ActionEdit {
		return r.cat.T(lang, MsgEditedSince, e.PostID, e.Version)
	}
	state := r.cat.StateName(lang, e.Status)
	if k := MsgDonePrefix + Key(e.Action); e.ActorID != "" && e.ActorID != workflows.SystemActor && r.cat.Has(k) {
		if resultOf(e.Action) == e.Status {
			return r.cat.T(lang, MsgMovedOnBy, e.PostID, r.cat.T(lang, k), e.ActorID)
		}
		// It went further since (published, say): say where it is now.
		return r.cat.T(lang, MsgMovedOnByNow, e.PostID, r.cat.T(lang, k), e.ActorID, state)
	}
	return r.cat.T(lang, MsgMovedOn, e.PostID, state)
}

// resultOf is the state a decision puts a post in.
func resultOf(action string) string {
	switch action {
	case workflows.ActionApprove:
		return workflows.StatusApproved
	case workflows.ActionReject:
		return workflows.StatusRejected
	case workflows.ActionCancel:
		return workflows.StatusCanceled
	case workflows.ActionRequestChanges:
		return workflows.StatusChangesRequested
	case workflows.ActionSubmit:
		return workflows.StatusPending
	}
	return ""
}

// StateName is a post state in words.
func (c *Catalog) StateName(lang Lang, status string) string {
	if k := MsgStatePrefix + Key(status); c.Has(k) {
		return c.T(lang, k)
	}
	return status
}

// DeliveryStateName is a delivery state in words.
func (c *Catalog) DeliveryStateName(lang Lang, status string) string {
	if k := MsgStatePrefix + "delivery." + Key(status); c.Has(k) {
		return c.T(lang, k)
	}
	return status
}

// escape makes text safe inside Slack mrkdwn: &, < and > are control
// characters there (links, mentions).
func escape(text string) string {
	if !strings.ContainsAny(text, "&<>") {
		return text // most texts: no copy
	}
	var b strings.Builder
	b.Grow(len(text) + 16)
	for i := 0; i < len(text); i++ {
		switch c := text[i]; c {
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// Escape is escape for the bot's renderers.
func Escape(text string) string { return escape(text) }
