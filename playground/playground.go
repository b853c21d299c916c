// Package playground is catweete's stand-in for Slack (DESIGN.md §10): a
// local Web API for the bot and a web page that looks like a Slack channel.
//
// It reaches the bot only as Slack does, over HTTP: the bot calls the Web API
// methods it would call on slack.com (chat.postMessage, views.open,
// files.getUploadURLExternal…) on /api/, and the page's actions become the
// signed slash commands, events and interactivity payloads Slack would send
// to the bot's own /slack/* endpoints. So the bot runs the very code it runs
// against Slack, and the playground is never a second implementation of it:
// this package imports neither bot, commands nor workflows (a test checks).
//
// The page talks to the server with the small JSON API of API.md. Everything
// is kept in memory, behind one mutex; live updates go to the page as
// server-sent events, through per-page buffers that drop a page too slow to
// keep up rather than ever make the bot's Web API calls wait.
package playground

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"catweete/social/sandbox"
)

// The playground's fixed workspace: its team, its bot, its people, its
// channels. API.md lists them for the page.
const (
	TeamID     = "TPLAYGROUND"
	teamDomain = "catweete-playground"
	AppID      = "APLAYGROUND"
	// BotUserID is the bot's user, as auth.test tells it.
	BotUserID = "UBOT"
	botID     = "BBOT"
	botName   = "catweete"

	UserAuthor    = "UAUTHOR"
	UserApprover1 = "UAPPROVER1"
	UserApprover2 = "UAPPROVER2"
	UserColleague = "UCOLLEAGUE"

	ChannelGeneral   = "CGENERAL"
	ChannelApprovals = "CAPPROVALS"

	// GroupApprovers is a user group of both approvers, for trying
	// CATWEETE_APPROVERS with a group id.
	GroupApprovers = "SAPPROVERS"

	// BotToken is the bot token the playground accepts when none is given.
	BotToken = "xoxb-playground"
	// DefaultAddr is where the playground listens unless told otherwise:
	// this machine only, since whoever reaches the page can act as anyone.
	DefaultAddr = "127.0.0.1:3000"
	// Zone is every person's Slack time zone (users.info's tz).
	Zone = "Europe/Paris"
)

// Approvers are the approvers of the playground's policy
// (CATWEETE_APPROVERS).
func Approvers() []string { return []string{UserApprover1, UserApprover2} }

// person is one member of the workspace.
type person struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	username string
}

// people are the humans of the workspace, in the order the page lists them.
var people = []person{
	{ID: UserAuthor, Name: "Camille (autrice)", username: "camille"},
	{ID: UserApprover1, Name: "Sam (approbateur)", username: "sam"},
	{ID: UserApprover2, Name: "Léa (approbatrice)", username: "lea"},
	{ID: UserColleague, Name: "Alex (collègue)", username: "alex"},
}

var botPerson = person{ID: BotUserID, Name: botName, username: botName}

// groupMembers returns the members of one of the workspace's user groups.
func groupMembers(id string) ([]string, bool) {
	if id == GroupApprovers {
		return []string{UserApprover1, UserApprover2}, true
	}
	return nil, false
}

// human returns the person with this id; the bot is not one.
func human(id string) (person, bool) {
	for _, p := range people {
		if p.ID == id {
			return p, true
		}
	}
	return person{}, false
}

// member returns anyone of the workspace, the bot included.
func member(id string) (person, bool) {
	if id == BotUserID {
		return botPerson, true
	}
	return human(id)
}

// channel is a conversation: one of the two public channels, or the
// direct messages between the bot and one person (id "D" + the person's id).
type channel struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// User is the person of a direct-message channel; empty otherwise.
	User string `json:"user,omitempty"`
}

var publicChannels = []channel{
	{ID: ChannelGeneral, Name: "#general"},
	{ID: ChannelApprovals, Name: "#approbations"},
}

// Config configures a Playground.
type Config struct {
	// BaseURL reaches the bot's own endpoints (BaseURL + "/slack/commands"
	// …) and the playground's response_urls, usually on the same listener:
	// "http://127.0.0.1:3000". Required.
	BaseURL string
	// SigningSecret signs every request sent to the bot (v0). Required.
	SigningSecret string
	// BotToken is the only token the Web API accepts; if empty, BotToken.
	BotToken string
	// Command is the slash command; if empty, "/catweete".
	Command string
	// Sandbox is the sandbox network the "network" tab shows; if nil, the
	// tab is empty.
	Sandbox *sandbox.Network
	// Now is the playground's clock: message timestamps, request
	// signatures (the bot must share it). It may run faster than real time
	// (see Clock); if nil, time.Now.
	Now func() time.Time
	// RealNow measures what Slack counts in real seconds whatever the
	// demo's speed: a trigger_id's 3 s, a response_url's 30 minutes. If
	// nil, time.Now.
	RealNow func() time.Time
	// Starting holds the page and its /pg/ API (503, Retry-After) until
	// Ready is called: the Web API must answer the bot's first calls
	// (auth.test) before the bot has registered its own endpoints, but a
	// person must not act before they exist. If false, all is open at once.
	Starting bool
	// HTTPClient sends requests to the bot; if nil, a client that gives up
	// after Slack's 3 s.
	HTTPClient *http.Client
	// Logger; if nil, discarded.
	Logger *slog.Logger
}

// Slack's deadlines.
const (
	// ackTimeout is how long Slack waits for the bot's answer to a request.
	ackTimeout = 3 * time.Second
	// triggerTTL is how long a trigger_id works (once).
	triggerTTL = 3 * time.Second
	// responseURLTTL and responseURLUses bound a response_url.
	responseURLTTL  = 30 * time.Minute
	responseURLUses = 5
)

// Playground is the stand-in for Slack. It is safe for concurrent use.
type Playground struct {
	methods       map[string]apiMethod
	baseURL       string
	signingSecret string
	token         string
	command       string
	sandbox       *sandbox.Network
	now           func() time.Time
	realNow       func() time.Time
	client        *http.Client
	log           *slog.Logger
	events        *broker
	zone          *time.Location

	// starting is true until Ready: see Config.Starting.
	starting atomic.Bool

	// ctx ends with Close: it bounds the background work (event retries).
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu    sync.Mutex
	state state
}

// New returns a Playground with an empty workspace: no message, no modal.
func New(cfg Config) (*Playground, error) {
	if cfg.BaseURL == "" || cfg.SigningSecret == "" {
		return nil, errors.New("playground: Config needs BaseURL and SigningSecret")
	}
	if cfg.BotToken == "" {
		cfg.BotToken = BotToken
	}
	if cfg.Command == "" {
		cfg.Command = "/catweete"
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.RealNow == nil {
		cfg.RealNow = time.Now
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: ackTimeout}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	zone, err := time.LoadLocation(Zone)
	if err != nil {
		return nil, errors.New("playground: no zone database for " + Zone)
	}
	ctx, cancel := context.WithCancel(context.Background())
	p := &Playground{
		methods:       apiMethods(),
		baseURL:       strings.TrimRight(cfg.BaseURL, "/"),
		signingSecret: cfg.SigningSecret,
		token:         cfg.BotToken,
		command:       cfg.Command,
		sandbox:       cfg.Sandbox,
		now:           cfg.Now,
		realNow:       cfg.RealNow,
		client:        cfg.HTTPClient,
		log:           cfg.Logger,
		events:        newBroker(),
		zone:          zone,
		ctx:           ctx,
		cancel:        cancel,
		state:         newState(),
	}
	p.starting.Store(cfg.Starting)
	return p, nil
}

// Ready opens the page and its API, once the bot's endpoints are there.
func (p *Playground) Ready() { p.starting.Store(false) }

// page guards the routes of the page: 503 while the bot is starting.
func (p *Playground) page(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if p.starting.Load() {
			w.Header().Set("Retry-After", "1")
			writeJSON(w, http.StatusServiceUnavailable, map[string]any{"ok": false, "error": "starting"})
			return
		}
		h(w, r)
	}
}

// Routes registers the page (/), its JSON API (/pg/…) and the Web API
// (/api/…) on mux. The bot's own /slack/* routes are the bot's to register.
func (p *Playground) Routes(mux *http.ServeMux) {
	// The page and its assets. No method in the pattern: "GET /" would
	// conflict with the method-less "/api/{method}".
	mux.HandleFunc("/", p.page(p.servePage))

	mux.HandleFunc("GET /pg/state", p.page(p.serveState))
	mux.HandleFunc("GET /pg/events", p.page(p.serveEvents))
	mux.HandleFunc("POST /pg/send", p.page(p.serveSend))
	mux.HandleFunc("POST /pg/action", p.page(p.serveAction))
	mux.HandleFunc("POST /pg/submit", p.page(p.serveSubmit))
	mux.HandleFunc("POST /pg/close", p.page(p.serveClose))
	mux.HandleFunc("POST /pg/shortcut", p.page(p.serveShortcut))
	mux.HandleFunc("POST /pg/home", p.page(p.serveHome))
	mux.HandleFunc("GET /pg/files/{id}", p.page(p.serveFile))
	mux.HandleFunc("GET /pg/network", p.page(p.serveNetwork))
	mux.HandleFunc("GET /pg/network/posts/{id}", p.page(p.serveNetworkPost))
	mux.HandleFunc("POST /pg/respond/{id}", p.serveRespond)

	// Slack's Web API: any method name, GET or POST, as Slack takes both.
	mux.HandleFunc("/api/{method}", p.serveAPI)
	mux.HandleFunc("POST /api/upload/{id}", p.serveUpload)
}

// Close ends the page's event streams and the background work (event
// retries). Register it with http.Server.RegisterOnShutdown: the streams
// would otherwise hold Shutdown until its deadline.
func (p *Playground) Close() {
	p.cancel()
	p.events.close()
	p.wg.Wait()
}

// randomHex returns n random bytes in hex: the unguessable part of
// response_urls and trigger ids.
func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b) //nolint:errcheck // crypto/rand.Read never fails
	return hex.EncodeToString(b)
}

// NewSigningSecret returns a random signing secret, for a playground that
// is both the bot's Slack and the only one who signs its requests.
func NewSigningSecret() string { return randomHex(16) }
