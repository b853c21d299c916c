// Package config reads catweete's configuration from the environment
// (DESIGN.md §7), checks all of it before anything starts, and keeps secrets
// out of every printout, log line and error message.
//
// Bad configuration stops start-up with one line that names the variable,
// says what is wrong and what is expected, so whoever deploys the bot can fix
// it without reading code.
package config

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	// The zone database is compiled in so CATWEETE_TZ works in a minimal
	// container image that has no /usr/share/zoneinfo.
	_ "time/tzdata"

	"github.com/robfig/cron/v3"

	"catweete/sealed"
)

// The environment variables, in the order Load checks them (the order of
// the table in DESIGN.md §7).
const (
	envBotToken          = "SLACK_BOT_TOKEN"
	envAppToken          = "SLACK_APP_TOKEN"
	envSigningSecret     = "SLACK_SIGNING_SECRET"
	envSlackAPIURL       = "SLACK_API_URL"
	envSlackAppID        = "SLACK_APP_ID"
	envDB                = "CATWEETE_DB"
	envHTTPAddr          = "CATWEETE_HTTP_ADDR"
	envCommand           = "CATWEETE_COMMAND"
	envApprovalChannel   = "CATWEETE_APPROVAL_CHANNEL"
	envApprovers         = "CATWEETE_APPROVERS"
	envApprovalsRequired = "CATWEETE_APPROVALS_REQUIRED"
	envDigestChannel     = "CATWEETE_DIGEST_CHANNEL"
	envDigestCron        = "CATWEETE_DIGEST_CRON"
	envTZ                = "CATWEETE_TZ"
	envLang              = "CATWEETE_LANG"
	envSlots             = "CATWEETE_SLOTS"
	envUTM               = "CATWEETE_UTM"
	envNetworkTimeout    = "CATWEETE_NETWORK_TIMEOUT"
	envSecretKey         = "CATWEETE_SECRET_KEY"
	envMastodonURL       = "MASTODON_URL"
	envMastodonToken     = "MASTODON_TOKEN"
	envBlueskyHandle     = "BLUESKY_HANDLE"
	envBlueskyPassword   = "BLUESKY_APP_PASSWORD"
	envBlueskyPDSURL     = "BLUESKY_PDS_URL"
	envBlueskyAppViewURL = "BLUESKY_APPVIEW_URL"
	envXToken            = "X_ACCESS_TOKEN"
	envXAPIURL           = "X_API_URL"
	envLinkedInToken     = "LINKEDIN_ACCESS_TOKEN"
	envLinkedInAuthor    = "LINKEDIN_AUTHOR_URN"
	envLinkedInAPIURL    = "LINKEDIN_API_URL"
	envFacebookPageID    = "FACEBOOK_PAGE_ID"
	envFacebookToken     = "FACEBOOK_PAGE_TOKEN"
	envFacebookGraphURL  = "FACEBOOK_GRAPH_URL"
	envLinkedInVersion   = "LINKEDIN_VERSION"
	envFacebookVersion   = "FACEBOOK_GRAPH_VERSION"

	// fileSuffix turns a secret's variable into the one that names a file
	// holding it (Docker and Kubernetes secrets are mounted as files).
	fileSuffix = "_FILE"
)

// Defaults, as documented in DESIGN.md §7.
const (
	defaultSlackAPIURL       = "https://slack.com/api/"
	defaultDBPath            = "catweete.db"
	defaultHTTPAddr          = ":3000"
	defaultCommand           = "/catweete"
	defaultApprovalsRequired = 1
	defaultDigestCron        = "0 9 * * 1-5"
	defaultTimeZone          = "Europe/Paris"
	defaultLang              = "fr"
	defaultBlueskyPDSURL     = "https://bsky.social"
	defaultBlueskyAppViewURL = "https://public.api.bsky.app"
	defaultXAPIURL           = "https://api.x.com"
	defaultLinkedInAPIURL    = "https://api.linkedin.com"
	defaultFacebookGraphURL  = "https://graph.facebook.com"
)

// CATWEETE_NETWORK_TIMEOUT's bounds. Below the minimum no network answers
// a post in time; above the maximum the dispatcher cuts a publish call
// anyway (at 45 s), and a hung call would hold its account's slot for
// nothing.
const (
	minNetworkTimeout = 100 * time.Millisecond
	maxNetworkTimeout = 45 * time.Second
)

// maxApprovalsRequired caps CATWEETE_APPROVALS_REQUIRED: beyond it a post
// would, in practice, never be approved, which is more likely a typo than a
// policy.
const maxApprovalsRequired = 10

// Mode is how catweete talks to Slack, decided by which tokens are set.
type Mode int

const (
	// ModePlayground runs against the built-in stand-in for Slack
	// (DESIGN.md §10): no Slack token is set at all.
	ModePlayground Mode = iota
	// ModeHTTP receives Slack's requests on CATWEETE_HTTP_ADDR and verifies
	// them with SLACK_SIGNING_SECRET: a bot token is set, an app token is not.
	ModeHTTP
	// ModeSocket receives Slack's events over a Socket Mode connection
	// opened with SLACK_APP_TOKEN.
	ModeSocket
)

// String names the mode for the start-up log line.
func (m Mode) String() string {
	switch m {
	case ModePlayground:
		return "playground"
	case ModeHTTP:
		return "http"
	case ModeSocket:
		return "socket"
	default:
		return "Mode(" + strconv.Itoa(int(m)) + ")"
	}
}

// Config is catweete's whole configuration, checked. Each field says the
// variable it comes from; Load fills in the defaults, so a Config from Load
// needs no further checks.
type Config struct {
	// BotToken is SLACK_BOT_TOKEN (or _FILE), an "xoxb-" token. Unset means
	// the playground.
	BotToken Secret
	// AppToken is SLACK_APP_TOKEN (or _FILE), an "xapp-" token. Set means
	// Socket Mode; it needs BotToken too.
	AppToken Secret
	// SigningSecret is SLACK_SIGNING_SECRET (or _FILE). Load requires it in
	// HTTP mode, where it is the only thing that tells Slack's requests from
	// anyone else's.
	SigningSecret Secret
	// SlackAPIURL is SLACK_API_URL, default "https://slack.com/api/". It always
	// ends with "/" because slack-go's OptionAPIURL appends method names to
	// it as is.
	SlackAPIURL string
	// SlackAppID is SLACK_APP_ID, the app's id (A…): requests for another
	// app are refused. Empty means bot.New asks bots.info for it.
	SlackAppID string
	// DBPath is CATWEETE_DB, the SQLite file; default "catweete.db".
	DBPath string
	// HTTPAddr is CATWEETE_HTTP_ADDR, the host:port to listen on; default
	// ":3000".
	HTTPAddr string
	// Command is CATWEETE_COMMAND, the slash command as registered in Slack,
	// with its "/"; default "/catweete".
	Command string
	// ApprovalChannel is CATWEETE_APPROVAL_CHANNEL, a channel ID (C…, G… or
	// D…). Empty means approval cards go to the channel the draft came from.
	ApprovalChannel string
	// Approvers is CATWEETE_APPROVERS: user IDs (U…, W…) and user-group IDs
	// (S…). Nil means anyone but the author may approve; main warns about it
	// at start.
	Approvers []string
	// ApprovalsRequired is CATWEETE_APPROVALS_REQUIRED, the distinct
	// approvals a post needs, 1 to 10; default 1. When Approvers lists
	// only users, it is at most len(Approvers), or no post could pass.
	ApprovalsRequired int
	// DigestChannel is CATWEETE_DIGEST_CHANNEL, a channel ID. Empty means no
	// digest. An ID rather than a name because the chart's file upload only
	// accepts IDs.
	DigestChannel string
	// DigestCron is CATWEETE_DIGEST_CRON, a standard five-field cron spec
	// (or a descriptor such as "@daily") read in Location; default
	// "0 9 * * 1-5" (9:00 on weekdays).
	DigestCron string
	// Location is CATWEETE_TZ, the team's zone; default Europe/Paris.
	// Never nil in a Config from Load.
	Location *time.Location
	// Lang is CATWEETE_LANG, the language of replies: "fr" (default) or "en".
	Lang string
	// Slots is CATWEETE_SLOTS, the posting schedule as written (e.g.
	// "mon-fri 09:30,12:30; sat 11:00"). It is parsed by workflows, which
	// owns what a slot means; empty means no slots.
	Slots string
	// UTM is CATWEETE_UTM: "on" (the default) adds campaign tags to the
	// links of every post, "off" leaves links as written.
	UTM bool
	// NetworkTimeout is CATWEETE_NETWORK_TIMEOUT, how long one request to
	// a social network may take before it counts as unanswered (a Go
	// duration from 100ms to 45s, e.g. "10s"). Zero (unset) leaves each
	// network client its own default, 30 s. A publish call cut by it is
	// retried on a network with idempotency keys and becomes "unknown"
	// elsewhere, so a short value trades patience for questions to people.
	NetworkTimeout time.Duration
	// SecretKey is CATWEETE_SECRET_KEY (or _FILE): the key that seals the
	// tokens catweete keeps across restarts (a Bluesky session), 32 bytes
	// in base64 or 64 hex characters, checked by Load. Unset means nothing
	// secret is kept: a Bluesky session lives in memory only.
	SecretKey Secret

	// Mastodon, Bluesky, X, LinkedIn and Facebook are the brand's accounts.
	// A network whose credentials are unset is simply off (Enabled reports
	// false); one that is half configured stops start-up.
	Mastodon MastodonConfig
	// Bluesky: see Mastodon.
	Bluesky BlueskyConfig
	// X: see Mastodon.
	X XConfig
	// LinkedIn: see Mastodon.
	LinkedIn LinkedInConfig
	// Facebook: see Mastodon.
	Facebook FacebookConfig
}

// Mode reports how catweete talks to Slack: Socket Mode when an app token is
// set, HTTP mode when only a bot token is, the playground when neither is.
func (c Config) Mode() Mode {
	switch {
	case c.AppToken.IsSet():
		return ModeSocket
	case c.BotToken.IsSet():
		return ModeHTTP
	default:
		return ModePlayground
	}
}

// Error is a problem with one variable. Load returns it (as *Error) so that
// callers and tests can tell which variable is wrong without parsing the
// message.
type Error struct {
	// Var is the variable at fault, as the operator set it: the _FILE
	// variant when the secret came from a file.
	Var string
	// Err says what is wrong and what is expected. It never holds a
	// secret's value.
	Err error
}

// Error returns one line: "config: VAR: what is wrong (want …)". Line breaks
// in the cause are replaced, since start-up failures are read in log
// collectors that split on them.
func (e *Error) Error() string {
	msg := strings.NewReplacer("\r\n", "; ", "\n", "; ", "\r", "; ").Replace(e.Err.Error())
	return "config: " + e.Var + ": " + msg
}

// Unwrap returns the cause, such as the error from reading a _FILE.
func (e *Error) Unwrap() error { return e.Err }

// FromEnvironment loads the configuration from the process environment,
// reading secret files from disk.
func FromEnvironment() (Config, error) {
	return Load(os.LookupEnv, os.ReadFile)
}

// Load reads and checks the configuration. lookup has os.LookupEnv's shape
// and readFile os.ReadFile's, so tests can pass a map and fake files.
//
// A variable set to an empty or blank value counts as unset, and surrounding
// whitespace is trimmed from every value (no valid value starts or ends with
// a space; a stray newline from `echo` or a heredoc does). Each secret can
// instead be given as a path in its _FILE variant; setting both is an error.
//
// Load returns the first problem it finds as an *Error, checking variables in
// the order of the table in DESIGN.md §7, which is the order of Config's
// fields; a rule that ties two variables together is checked at the later
// one (SLACK_APP_TOKEN needs SLACK_BOT_TOKEN; SLACK_SIGNING_SECRET is required
// in HTTP mode; CATWEETE_APPROVALS_REQUIRED is bounded by CATWEETE_APPROVERS),
// and a half-configured network is reported after its own variables are
// checked, naming the one that is missing. Reporting one problem at a time
// keeps the message to one line that names one variable.
func Load(lookup func(key string) (string, bool), readFile func(path string) ([]byte, error)) (Config, error) {
	r := &reader{lookup: lookup, readFile: readFile}
	c := Config{}

	// Slack.
	var botVar, appVar, sigVar string
	c.BotToken, botVar = r.secret(envBotToken)
	r.check(botVar, tokenPrefix(c.BotToken, "xoxb-", "a bot token"))
	c.AppToken, appVar = r.secret(envAppToken)
	r.check(appVar, tokenPrefix(c.AppToken, "xapp-", "an app-level token"))
	if c.AppToken.IsSet() && !c.BotToken.IsSet() {
		r.fail(appVar, "set without SLACK_BOT_TOKEN (Socket Mode needs both; unset %s for the playground)", appVar)
	}
	c.SigningSecret, sigVar = r.secret(envSigningSecret)
	if c.BotToken.IsSet() && !c.AppToken.IsSet() && !c.SigningSecret.IsSet() {
		r.fail(sigVar, "required in HTTP mode, to verify Slack's requests (set it or SLACK_SIGNING_SECRET_FILE, or set SLACK_APP_TOKEN for Socket Mode)")
	}
	c.SlackAPIURL = r.url(envSlackAPIURL, defaultSlackAPIURL, defaultSlackAPIURL)
	if !strings.HasSuffix(c.SlackAPIURL, "/") {
		c.SlackAPIURL += "/"
	}
	c.SlackAppID = r.value(envSlackAppID, "")
	if c.SlackAppID != "" && !isSlackID(c.SlackAppID, "A") {
		r.fail(envSlackAppID, "%q is not an app ID (A…, under Basic Information → App Credentials)", c.SlackAppID)
	}

	// Catweete itself.
	c.DBPath = r.value(envDB, defaultDBPath)
	c.HTTPAddr = r.value(envHTTPAddr, defaultHTTPAddr)
	r.check(envHTTPAddr, checkAddr(c.HTTPAddr))
	c.Command = r.value(envCommand, defaultCommand)
	r.check(envCommand, checkCommand(c.Command))
	c.ApprovalChannel = r.value(envApprovalChannel, "")
	r.check(envApprovalChannel, checkChannel(c.ApprovalChannel))
	var onlyUsers bool
	c.Approvers, onlyUsers = r.approvers(envApprovers)
	c.ApprovalsRequired = r.approvalsRequired(envApprovalsRequired)
	if onlyUsers && c.ApprovalsRequired > len(c.Approvers) {
		r.fail(envApprovalsRequired, "%d approvals required but CATWEETE_APPROVERS lists only %d user(s) (want at most %d, or add a user group)",
			c.ApprovalsRequired, len(c.Approvers), len(c.Approvers))
	}
	c.DigestChannel = r.value(envDigestChannel, "")
	r.check(envDigestChannel, checkChannel(c.DigestChannel))
	c.DigestCron = r.value(envDigestCron, defaultDigestCron)
	r.check(envDigestCron, checkCron(c.DigestCron))
	c.Location = r.location(envTZ, defaultTimeZone)
	c.Lang = r.value(envLang, defaultLang)
	if c.Lang != "fr" && c.Lang != "en" {
		r.fail(envLang, "unknown language %q (want fr or en)", c.Lang)
	}
	c.Slots = r.value(envSlots, "")
	switch utm := strings.ToLower(r.value(envUTM, "on")); utm {
	case "on", "true", "1", "yes":
		c.UTM = true
	case "off", "false", "0", "no":
		c.UTM = false
	default:
		r.fail(envUTM, "unknown value %q (want on or off)", utm)
	}
	c.NetworkTimeout = r.duration(envNetworkTimeout, minNetworkTimeout, maxNetworkTimeout)
	var keyVar string
	c.SecretKey, keyVar = r.secret(envSecretKey)
	if c.SecretKey.IsSet() {
		// The key's own errors never quote it.
		if _, err := sealed.New(c.SecretKey.Reveal()); err != nil {
			r.check(keyVar, err)
		}
	}

	// Networks.
	c.Mastodon = r.mastodon()
	c.Bluesky = r.bluesky()
	c.X = r.x()
	c.LinkedIn = r.linkedIn()
	c.Facebook = r.facebook()

	if r.err != nil {
		return Config{}, r.err
	}
	return c, nil
}

// reader reads variables and remembers the first problem, so Load can read
// top to bottom, in the documented order, without an if after every line.
// Once a problem is recorded, later reads return zero values and touch no
// file.
type reader struct {
	lookup   func(key string) (string, bool)
	readFile func(path string) ([]byte, error)
	err      error
}

// fail records a problem with key unless an earlier one is already recorded.
func (r *reader) fail(key, format string, args ...any) {
	r.check(key, fmt.Errorf(format, args...))
}

// check records err as a problem with key, if it is the first.
func (r *reader) check(key string, err error) {
	if err != nil && r.err == nil {
		r.err = &Error{Var: key, Err: err}
	}
}

// get returns key's trimmed value; "" when it is unset or blank.
func (r *reader) get(key string) string {
	if r.err != nil {
		return ""
	}
	v, _ := r.lookup(key)
	return strings.TrimSpace(v)
}

// value returns key's value, or def when it is unset.
func (r *reader) value(key, def string) string {
	if v := r.get(key); v != "" {
		return v
	}
	return def
}

// secret reads key or key_FILE and returns the secret with the name of the
// variable it came from, so later messages point at what the operator set.
// Messages about it state the rule broken, never the value.
func (r *reader) secret(key string) (Secret, string) {
	fileKey := key + fileSuffix
	v, path := r.get(key), r.get(fileKey)
	switch {
	case r.err != nil:
		return Secret{}, key
	case v != "" && path != "":
		r.fail(fileKey, "set together with %s (want only one of them)", key)
		return Secret{}, fileKey
	case path != "":
		b, err := r.readFile(path)
		if err != nil {
			r.fail(fileKey, "cannot read the file: %w", err)
			return Secret{}, fileKey
		}
		v = strings.TrimSpace(string(b))
		if v == "" {
			r.fail(fileKey, "file %q is empty (want the secret in it)", path)
			return Secret{}, fileKey
		}
		key = fileKey
	case v == "":
		return Secret{}, key
	}
	// Tokens and passwords never contain whitespace; inner whitespace means
	// a "Bearer " prefix, two values in one file, or a paste gone wrong.
	if strings.ContainsFunc(v, isSpace) {
		r.fail(key, "contains whitespace (want the secret alone, without a prefix such as \"Bearer \")")
		return Secret{}, key
	}
	return NewSecret(v), key
}

func isSpace(c rune) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

// tokenPrefix checks a Slack token's documented prefix. The message never
// quotes the token, not even its first characters: a malformed token is
// often a valid token of another kind.
func tokenPrefix(s Secret, prefix, what string) error {
	if !s.IsSet() {
		return nil
	}
	v := s.Reveal()
	if !strings.HasPrefix(v, prefix) || len(v) == len(prefix) {
		return fmt.Errorf("must start with %q (want %s from the app's settings)", prefix, what)
	}
	return nil
}

// url reads an absolute http(s) base URL, or def when unset, without a
// trailing slash: clients join paths that start with "/". example is the
// URL the error message suggests.
func (r *reader) url(key, def, example string) string {
	v := r.value(key, def)
	if r.err != nil || v == "" {
		return ""
	}
	if err := checkBaseURL(v, example); err != nil {
		r.check(key, err)
		return ""
	}
	return strings.TrimRight(v, "/")
}

// checkBaseURL accepts an absolute http or https URL with a host and no
// credentials, query or fragment (a client appends paths to it). A URL that
// carries credentials is never quoted back.
func checkBaseURL(v, example string) error {
	want := fmt.Sprintf("(want an absolute http(s) URL such as %q)", example)
	u, err := url.Parse(v)
	if err != nil {
		return fmt.Errorf("not a valid URL %s", want)
	}
	if u.User != nil {
		return errors.New("must not carry a user or password (put credentials in their own variable)")
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%q is not an absolute http(s) URL %s", v, want)
	}
	if u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
		return fmt.Errorf("%q has a query or fragment %s", v, want)
	}
	return nil
}

// checkAddr accepts what net.Listen accepts for TCP, with a numeric port:
// ":3000", "127.0.0.1:3000", "[::1]:3000". Port 0 (any free port) is allowed
// for tests.
func checkAddr(v string) error {
	_, port, err := net.SplitHostPort(v)
	if err != nil {
		return fmt.Errorf("%q is not host:port (want e.g. \":3000\" or \"127.0.0.1:3000\")", v)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return fmt.Errorf("%q has no valid port (want a number from 0 to 65535, e.g. \":3000\")", v)
	}
	return nil
}

// checkCommand accepts a slash command as Slack shows it: "/" and a name
// without spaces.
func checkCommand(v string) error {
	if !strings.HasPrefix(v, "/") || len(v) == 1 || strings.ContainsFunc(v, isSpace) {
		return fmt.Errorf("%q is not a slash command (want \"/\" and a name without spaces, e.g. %q)", v, defaultCommand)
	}
	return nil
}

// checkChannel accepts an empty value or a channel ID: public (C…),
// private (G…) or direct message (D…). Names are refused because some
// Web API methods (file uploads among them) only take IDs.
func checkChannel(v string) error {
	if v == "" || isSlackID(v, "CGD") {
		return nil
	}
	return fmt.Errorf("%q is not a channel ID (want C…, G… or D…, from the channel's details, not its name)", v)
}

// isSlackID reports whether v is an ID that starts with one of prefixes
// followed by upper-case letters and digits, as Slack's IDs are.
func isSlackID(v, prefixes string) bool {
	if len(v) < 2 || !strings.ContainsRune(prefixes, rune(v[0])) {
		return false
	}
	for _, c := range v[1:] {
		if (c < 'A' || c > 'Z') && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}

// approvers reads the comma-separated approver IDs. Empty items (a trailing
// comma) are skipped; a repeated ID is refused because it would count twice
// against CATWEETE_APPROVALS_REQUIRED. onlyUsers is true when the list is
// non-empty and has no user group, i.e. when its length bounds the number of
// approvals that can ever be given.
func (r *reader) approvers(key string) (ids []string, onlyUsers bool) {
	v := r.get(key)
	if v == "" {
		return nil, false
	}
	onlyUsers = true
	seen := map[string]bool{}
	for item := range strings.SplitSeq(v, ",") {
		id := strings.TrimSpace(item)
		switch {
		case id == "":
			continue
		case isSlackID(id, "UW"):
		case isSlackID(id, "S"):
			onlyUsers = false
		default:
			r.fail(key, "%q is not a user ID (U… or W…) or a user-group ID (S…)", id)
			return nil, false
		}
		if seen[id] {
			r.fail(key, "%q is listed twice (want each approver once)", id)
			return nil, false
		}
		seen[id] = true
		ids = append(ids, id)
	}
	if len(ids) == 0 {
		return nil, false
	}
	return ids, onlyUsers
}

// approvalsRequired reads a whole number from 1 to maxApprovalsRequired.
func (r *reader) approvalsRequired(key string) int {
	v := r.get(key)
	if v == "" {
		return defaultApprovalsRequired
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > maxApprovalsRequired {
		r.fail(key, "%q is not a whole number from 1 to %d", v, maxApprovalsRequired)
		return 0
	}
	return n
}

// checkCron accepts what cron.ParseStandard accepts, except a TZ= or
// CRON_TZ= prefix: the digest runs in CATWEETE_TZ, which every reply names,
// and robfig/cron v3.0.1 panics on a prefix with nothing after it.
func checkCron(v string) error {
	if strings.HasPrefix(v, "TZ=") || strings.HasPrefix(v, "CRON_TZ=") {
		return fmt.Errorf("%q names a zone (want the schedule alone, e.g. %q; the zone is CATWEETE_TZ)", v, defaultDigestCron)
	}
	if _, err := cron.ParseStandard(v); err != nil {
		return fmt.Errorf("%q is not a cron schedule: %w (want five fields, e.g. %q)", v, err, defaultDigestCron)
	}
	return nil
}

// duration reads a Go duration ("10s", "1m30s") from lo to hi; 0 when
// unset.
func (r *reader) duration(key string, lo, hi time.Duration) time.Duration {
	v := r.get(key)
	if v == "" {
		return 0
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < lo || d > hi {
		r.fail(key, "%q is not a duration from %s to %s (want e.g. \"10s\")", v, lo, hi)
		return 0
	}
	return d
}

// location reads an IANA zone name.
func (r *reader) location(key, def string) *time.Location {
	v := r.value(key, def)
	if r.err != nil {
		return nil
	}
	loc, err := time.LoadLocation(v)
	if err != nil {
		r.fail(key, "unknown time zone %q (want an IANA name such as %q)", v, defaultTimeZone)
		return nil
	}
	return loc
}

// pair reports a network half configured: have is set, need is not. It names
// need, the variable to add, and mentions its _FILE variant when need is a
// secret.
func (r *reader) pair(have, need string, needIsSecret bool) {
	if needIsSecret {
		r.fail(need, "required when %s is set (set it or %s%s, or unset %s)", have, need, fileSuffix, have)
		return
	}
	r.fail(need, "required when %s is set (or unset %s)", have, have)
}
