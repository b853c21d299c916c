package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"maps"
	"reflect"
	"strings"
	"testing"
	"time"
)

// Every secret value used in these tests is listed here, so a leak check can
// look for each of them, and each contains "s3cr3t" so a fragment of one is
// caught too (the Bluesky app password is split by its dashes, hence the
// second marker).
var (
	secretMarkers = []string{"s3cr3t", "s3cr-3t"}

	botToken        = "xoxb-1-s3cr3t-bot"
	appToken        = "xapp-1-s3cr3t-app"
	signingSecret   = "s3cr3t0signing"
	mastodonToken   = "s3cr3t-mastodon"
	blueskyPassword = "s3cr-3t00-aaaa-bbbb"
	xToken          = "s3cr3t-x"
	linkedInToken   = "s3cr3t-linkedin"
	facebookToken   = "s3cr3t-facebook"
	// secretKey is 32 bytes in base64, as `openssl rand -base64 32` prints.
	secretKey = "s3cr3t0KeyForCatweeteConfigTests0nly012345A="
)

// secretVars are the variables that hold secrets and so have a _FILE variant,
// with a valid value for each and how to find it in a Config.
var secretVars = []struct {
	name  string
	value string
	get   func(Config) Secret
}{
	{"SLACK_BOT_TOKEN", botToken, func(c Config) Secret { return c.BotToken }},
	{"SLACK_APP_TOKEN", appToken, func(c Config) Secret { return c.AppToken }},
	{"SLACK_SIGNING_SECRET", signingSecret, func(c Config) Secret { return c.SigningSecret }},
	{"MASTODON_TOKEN", mastodonToken, func(c Config) Secret { return c.Mastodon.Token }},
	{"BLUESKY_APP_PASSWORD", blueskyPassword, func(c Config) Secret { return c.Bluesky.AppPassword }},
	{"X_ACCESS_TOKEN", xToken, func(c Config) Secret { return c.X.AccessToken }},
	{"LINKEDIN_ACCESS_TOKEN", linkedInToken, func(c Config) Secret { return c.LinkedIn.AccessToken }},
	{"FACEBOOK_PAGE_TOKEN", facebookToken, func(c Config) Secret { return c.Facebook.PageToken }},
	{"CATWEETE_SECRET_KEY", secretKey, func(c Config) Secret { return c.SecretKey }},
}

// TestSecretVarsCoverEverySecret makes sure no Secret field of Config is
// left out of secretVars, and so out of the _FILE and leak tests.
func TestSecretVarsCoverEverySecret(t *testing.T) {
	t.Parallel()
	var count func(reflect.Type) int
	count = func(ty reflect.Type) int {
		if ty == reflect.TypeFor[Secret]() {
			return 1
		}
		n := 0
		if ty.Kind() == reflect.Struct {
			for f := range ty.Fields() {
				n += count(f.Type)
			}
		}
		return n
	}
	if got := count(reflect.TypeFor[Config]()); got != len(secretVars) {
		t.Errorf("Config has %d Secret fields, secretVars lists %d: add the new secret's variable to secretVars", got, len(secretVars))
	}
}

// fullEnv is a valid environment that sets every variable: Socket Mode and
// all five networks. Error cases start from it and break one thing, so the
// broken variable is the only problem, and so every secret is present to
// leak if a message were careless.
func fullEnv() map[string]string {
	return map[string]string{
		"SLACK_BOT_TOKEN":             botToken,
		"SLACK_APP_TOKEN":             appToken,
		"SLACK_SIGNING_SECRET":        signingSecret,
		"SLACK_API_URL":               "http://127.0.0.1:9000/api/",
		"SLACK_APP_ID":                "A0123ABCD",
		"CATWEETE_DB":                 "/data/catweete.db",
		"CATWEETE_HTTP_ADDR":          "127.0.0.1:8080",
		"CATWEETE_COMMAND":            "/ct",
		"CATWEETE_APPROVAL_CHANNEL":   "C0123ABCD",
		"CATWEETE_APPROVERS":          "U01AAAA,U02BBBB",
		"CATWEETE_APPROVALS_REQUIRED": "2",
		"CATWEETE_DIGEST_CHANNEL":     "G0456EFGH",
		"CATWEETE_DIGEST_CRON":        "30 8 * * *",
		"CATWEETE_TZ":                 "America/Montreal",
		"CATWEETE_LANG":               "en",
		"CATWEETE_SLOTS":              "mon-fri 09:30,12:30; sat 11:00",
		"CATWEETE_SECRET_KEY":         secretKey,
		"MASTODON_URL":                "https://mastodon.example",
		"MASTODON_TOKEN":              mastodonToken,
		"BLUESKY_HANDLE":              "team.bsky.social",
		"BLUESKY_APP_PASSWORD":        blueskyPassword,
		"BLUESKY_PDS_URL":             "https://pds.example",
		"BLUESKY_APPVIEW_URL":         "https://appview.example",
		"X_ACCESS_TOKEN":              xToken,
		"X_API_URL":                   "https://x.example",
		"LINKEDIN_ACCESS_TOKEN":       linkedInToken,
		"LINKEDIN_AUTHOR_URN":         "urn:li:organization:5515715",
		"LINKEDIN_API_URL":            "https://linkedin.example",
		"FACEBOOK_PAGE_ID":            "1234567890",
		"FACEBOOK_PAGE_TOKEN":         facebookToken,
		"FACEBOOK_GRAPH_URL":          "https://graph.example",
	}
}

// with returns a copy of env with overrides applied.
func with(env, overrides map[string]string) map[string]string {
	out := maps.Clone(env)
	maps.Copy(out, overrides)
	return out
}

// load runs Load against a fake environment and fake files; a path missing
// from files fails as os.ReadFile would.
func load(t *testing.T, env, files map[string]string) (Config, error) {
	t.Helper()
	lookup := func(key string) (string, bool) {
		v, ok := env[key]
		return v, ok
	}
	readFile := func(path string) ([]byte, error) {
		v, ok := files[path]
		if !ok {
			return nil, &fs.PathError{Op: "open", Path: path, Err: fs.ErrNotExist}
		}
		return []byte(v), nil
	}
	return Load(lookup, readFile)
}

// mustLoad is load for environments that are meant to be valid.
func mustLoad(t *testing.T, env, files map[string]string) Config {
	t.Helper()
	c, err := load(t, env, files)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return c
}

// assertNoSecret fails if out holds any secret used by the tests, whole or
// in part.
func assertNoSecret(t *testing.T, out string, extra ...string) {
	t.Helper()
	for _, s := range append(append([]string(nil), secretMarkers...), extra...) {
		if s != "" && strings.Contains(out, s) {
			t.Errorf("output leaks %q:\n%s", s, out)
		}
	}
	for _, v := range secretVars {
		if strings.Contains(out, v.value) {
			t.Errorf("output leaks the value of %s:\n%s", v.name, out)
		}
	}
}

func TestLoadDefaults(t *testing.T) {
	t.Parallel()
	for name, env := range map[string]map[string]string{
		"Unset": {},
		// A set-but-empty or blank variable counts as unset.
		"SetButEmpty": {"SLACK_BOT_TOKEN": "", "SLACK_BOT_TOKEN_FILE": " ", "CATWEETE_LANG": "", "CATWEETE_TZ": "\n", "SLACK_API_URL": "", "CATWEETE_APPROVERS": "  ", "MASTODON_URL": ""},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c := mustLoad(t, env, nil)
			if got := c.Mode(); got != ModePlayground {
				t.Errorf("Mode() = %v, want playground", got)
			}
			for _, s := range []Secret{c.BotToken, c.AppToken, c.SigningSecret, c.Mastodon.Token, c.Bluesky.AppPassword, c.X.AccessToken, c.LinkedIn.AccessToken, c.Facebook.PageToken, c.SecretKey} {
				if s.IsSet() {
					t.Errorf("a secret is set with an empty environment")
				}
			}
			checks := []struct{ field, got, want string }{
				{"SlackAPIURL", c.SlackAPIURL, "https://slack.com/api/"},
				{"SlackAppID", c.SlackAppID, ""},
				{"DBPath", c.DBPath, "catweete.db"},
				{"HTTPAddr", c.HTTPAddr, ":3000"},
				{"Command", c.Command, "/catweete"},
				{"ApprovalChannel", c.ApprovalChannel, ""},
				{"DigestChannel", c.DigestChannel, ""},
				{"DigestCron", c.DigestCron, "0 9 * * 1-5"},
				{"Location", c.Location.String(), "Europe/Paris"},
				{"Lang", c.Lang, "fr"},
				{"Slots", c.Slots, ""},
				{"Mastodon.URL", c.Mastodon.URL, ""},
				{"Bluesky.PDSURL", c.Bluesky.PDSURL, "https://bsky.social"},
				{"Bluesky.AppViewURL", c.Bluesky.AppViewURL, "https://public.api.bsky.app"},
				{"X.APIURL", c.X.APIURL, "https://api.x.com"},
				{"LinkedIn.APIURL", c.LinkedIn.APIURL, "https://api.linkedin.com"},
				{"Facebook.GraphURL", c.Facebook.GraphURL, "https://graph.facebook.com"},
			}
			for _, ch := range checks {
				if ch.got != ch.want {
					t.Errorf("%s = %q, want %q", ch.field, ch.got, ch.want)
				}
			}
			if c.Approvers != nil {
				t.Errorf("Approvers = %q, want nil (anyone but the author)", c.Approvers)
			}
			if c.ApprovalsRequired != 1 {
				t.Errorf("ApprovalsRequired = %d, want 1", c.ApprovalsRequired)
			}
			if c.NetworkTimeout != 0 {
				t.Errorf("NetworkTimeout = %v, want 0 (each network client's own default)", c.NetworkTimeout)
			}
			if c.Mastodon.Enabled() || c.Bluesky.Enabled() || c.X.Enabled() || c.LinkedIn.Enabled() || c.Facebook.Enabled() {
				t.Errorf("a network is enabled with no credentials: %+v", c)
			}
		})
	}
}

func TestLoadFullEnvironment(t *testing.T) {
	t.Parallel()
	c := mustLoad(t, fullEnv(), nil)
	if c.Mode() != ModeSocket {
		t.Errorf("Mode() = %v, want socket", c.Mode())
	}
	if c.BotToken.Reveal() != botToken || c.AppToken.Reveal() != appToken || c.SigningSecret.Reveal() != signingSecret {
		t.Errorf("Slack secrets not read as set")
	}
	if c.SlackAppID != "A0123ABCD" {
		t.Errorf("SlackAppID = %q, want A0123ABCD", c.SlackAppID)
	}
	if want := []string{"U01AAAA", "U02BBBB"}; !reflect.DeepEqual(c.Approvers, want) {
		t.Errorf("Approvers = %q, want %q", c.Approvers, want)
	}
	if c.ApprovalsRequired != 2 || c.Lang != "en" || c.Location.String() != "America/Montreal" ||
		c.DigestCron != "30 8 * * *" || c.Slots != "mon-fri 09:30,12:30; sat 11:00" || c.Command != "/ct" ||
		c.DBPath != "/data/catweete.db" || c.HTTPAddr != "127.0.0.1:8080" ||
		c.ApprovalChannel != "C0123ABCD" || c.DigestChannel != "G0456EFGH" {
		t.Errorf("values not read as set: %+v", c)
	}
	if !c.Mastodon.Enabled() || !c.Bluesky.Enabled() || !c.X.Enabled() || !c.LinkedIn.Enabled() || !c.Facebook.Enabled() {
		t.Errorf("every network should be enabled: %+v", c)
	}
	if c.LinkedIn.AuthorURN != "urn:li:organization:5515715" || c.Facebook.PageID != "1234567890" || c.Bluesky.Handle != "team.bsky.social" {
		t.Errorf("network identities not read: %+v", c)
	}
	if c.SecretKey.Reveal() != secretKey || c.Bluesky.AppViewURL != "https://appview.example" {
		t.Errorf("CATWEETE_SECRET_KEY or BLUESKY_APPVIEW_URL not read as set")
	}
}

func TestLoadModes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		env   map[string]string
		files map[string]string
		want  Mode
	}{
		{"NoTokenIsThePlayground", map[string]string{}, nil, ModePlayground},
		{"SigningSecretAloneIsStillThePlayground", map[string]string{"SLACK_SIGNING_SECRET": signingSecret}, nil, ModePlayground},
		{"BotTokenAndSigningSecretIsHTTP", map[string]string{"SLACK_BOT_TOKEN": botToken, "SLACK_SIGNING_SECRET": signingSecret}, nil, ModeHTTP},
		{"HTTPFromFiles",
			map[string]string{"SLACK_BOT_TOKEN_FILE": "/run/secrets/bot", "SLACK_SIGNING_SECRET_FILE": "/run/secrets/signing"},
			map[string]string{"/run/secrets/bot": botToken + "\n", "/run/secrets/signing": signingSecret + "\n"},
			ModeHTTP},
		{"AppTokenIsSocketMode", map[string]string{"SLACK_BOT_TOKEN": botToken, "SLACK_APP_TOKEN": appToken}, nil, ModeSocket},
		{"SocketModeMayKeepASigningSecret", map[string]string{"SLACK_BOT_TOKEN": botToken, "SLACK_APP_TOKEN": appToken, "SLACK_SIGNING_SECRET": signingSecret}, nil, ModeSocket},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := mustLoad(t, tt.env, tt.files)
			if got := c.Mode(); got != tt.want {
				t.Errorf("Mode() = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestModeString(t *testing.T) {
	t.Parallel()
	for m, want := range map[Mode]string{ModePlayground: "playground", ModeHTTP: "http", ModeSocket: "socket", Mode(7): "Mode(7)"} {
		if got := m.String(); got != want {
			t.Errorf("Mode(%d).String() = %q, want %q", int(m), got, want)
		}
	}
}

func TestLoadErrors(t *testing.T) {
	t.Parallel()
	type errCase struct {
		name    string
		env     map[string]string // applied over fullEnv; "" unsets
		files   map[string]string
		wantVar string
		want    string // a part of the message after "config: VAR: "
	}
	tests := []errCase{
		// Slack.
		{"BotTokenOfAnotherKind", map[string]string{"SLACK_BOT_TOKEN": "xoxp-1-s3cr3t-user"}, nil, "SLACK_BOT_TOKEN", `must start with "xoxb-"`},
		{"BotTokenIsOnlyItsPrefix", map[string]string{"SLACK_BOT_TOKEN": "xoxb-"}, nil, "SLACK_BOT_TOKEN", `must start with "xoxb-"`},
		{"BotTokenWithBearer", map[string]string{"SLACK_BOT_TOKEN": "Bearer " + botToken}, nil, "SLACK_BOT_TOKEN", "whitespace"},
		{"AppTokenOfAnotherKind", map[string]string{"SLACK_APP_TOKEN": "xoxb-2-s3cr3t-notapp"}, nil, "SLACK_APP_TOKEN", `must start with "xapp-"`},
		{"AppTokenWithoutBotToken", map[string]string{"SLACK_BOT_TOKEN": ""}, nil, "SLACK_APP_TOKEN", "without SLACK_BOT_TOKEN"},
		{"HTTPModeWithoutSigningSecret", map[string]string{"SLACK_APP_TOKEN": "", "SLACK_SIGNING_SECRET": ""}, nil, "SLACK_SIGNING_SECRET", "required in HTTP mode"},
		{"SlackAPIURLWithoutScheme", map[string]string{"SLACK_API_URL": "slack.com/api/"}, nil, "SLACK_API_URL", `"slack.com/api/" is not an absolute http(s) URL`},
		{"SlackAPIURLNotHTTP", map[string]string{"SLACK_API_URL": "ftp://slack.example/api/"}, nil, "SLACK_API_URL", "not an absolute http(s) URL"},
		{"SlackAPIURLWithQuery", map[string]string{"SLACK_API_URL": "https://slack.example/api/?x=1"}, nil, "SLACK_API_URL", "query or fragment"},
		{"SlackAPIURLWithCredentials", map[string]string{"SLACK_API_URL": "https://bot:s3cr3tpw@slack.example/api/"}, nil, "SLACK_API_URL", "must not carry a user or password"},
		{"SlackAPIURLUnparsable", map[string]string{"SLACK_API_URL": "http://s3cr3t@[::1/"}, nil, "SLACK_API_URL", "not a valid URL"},
		{"AppIDOfABot", map[string]string{"SLACK_APP_ID": "B0123ABCD"}, nil, "SLACK_APP_ID", `"B0123ABCD" is not an app ID`},
		{"AppIDInLowerCase", map[string]string{"SLACK_APP_ID": "a0123abcd"}, nil, "SLACK_APP_ID", "not an app ID"},

		// catweete.
		{"HTTPAddrWithoutPort", map[string]string{"CATWEETE_HTTP_ADDR": "localhost"}, nil, "CATWEETE_HTTP_ADDR", "not host:port"},
		{"HTTPAddrPortOnlyAsNumber", map[string]string{"CATWEETE_HTTP_ADDR": "3000"}, nil, "CATWEETE_HTTP_ADDR", "not host:port"},
		{"HTTPAddrEmptyPort", map[string]string{"CATWEETE_HTTP_ADDR": "127.0.0.1:"}, nil, "CATWEETE_HTTP_ADDR", "no valid port"},
		{"HTTPAddrPortTooBig", map[string]string{"CATWEETE_HTTP_ADDR": ":99999"}, nil, "CATWEETE_HTTP_ADDR", "no valid port"},
		{"CommandWithoutSlash", map[string]string{"CATWEETE_COMMAND": "catweete"}, nil, "CATWEETE_COMMAND", "not a slash command"},
		{"CommandWithSpace", map[string]string{"CATWEETE_COMMAND": "/cat weete"}, nil, "CATWEETE_COMMAND", "not a slash command"},
		{"CommandOnlySlash", map[string]string{"CATWEETE_COMMAND": "/"}, nil, "CATWEETE_COMMAND", "not a slash command"},
		{"ApprovalChannelByName", map[string]string{"CATWEETE_APPROVAL_CHANNEL": "#social"}, nil, "CATWEETE_APPROVAL_CHANNEL", `"#social" is not a channel ID`},
		{"ApprovalChannelUserID", map[string]string{"CATWEETE_APPROVAL_CHANNEL": "U01AAAA"}, nil, "CATWEETE_APPROVAL_CHANNEL", "not a channel ID"},
		{"ApproverByName", map[string]string{"CATWEETE_APPROVERS": "U01AAAA, @alice"}, nil, "CATWEETE_APPROVERS", `"@alice" is not a user ID`},
		{"ApproverChannelID", map[string]string{"CATWEETE_APPROVERS": "C0123ABCD"}, nil, "CATWEETE_APPROVERS", "not a user ID"},
		{"ApproverLowerCase", map[string]string{"CATWEETE_APPROVERS": "u01aaaa"}, nil, "CATWEETE_APPROVERS", "not a user ID"},
		{"ApproverTwice", map[string]string{"CATWEETE_APPROVERS": "U01AAAA, U02BBBB, U01AAAA"}, nil, "CATWEETE_APPROVERS", `"U01AAAA" is listed twice`},
		{"ApprovalsRequiredNotANumber", map[string]string{"CATWEETE_APPROVALS_REQUIRED": "two"}, nil, "CATWEETE_APPROVALS_REQUIRED", "not a whole number from 1 to 10"},
		{"ApprovalsRequiredZero", map[string]string{"CATWEETE_APPROVALS_REQUIRED": "0"}, nil, "CATWEETE_APPROVALS_REQUIRED", "from 1 to 10"},
		{"ApprovalsRequiredNegative", map[string]string{"CATWEETE_APPROVALS_REQUIRED": "-1"}, nil, "CATWEETE_APPROVALS_REQUIRED", "from 1 to 10"},
		{"ApprovalsRequiredEleven", map[string]string{"CATWEETE_APPROVALS_REQUIRED": "11"}, nil, "CATWEETE_APPROVALS_REQUIRED", "from 1 to 10"},
		{"ApprovalsRequiredFraction", map[string]string{"CATWEETE_APPROVALS_REQUIRED": "1.5"}, nil, "CATWEETE_APPROVALS_REQUIRED", "not a whole number"},
		{"MoreApprovalsThanApprovers", map[string]string{"CATWEETE_APPROVALS_REQUIRED": "3"}, nil, "CATWEETE_APPROVALS_REQUIRED", "3 approvals required but CATWEETE_APPROVERS lists only 2"},
		{"DigestChannelByName", map[string]string{"CATWEETE_DIGEST_CHANNEL": "general"}, nil, "CATWEETE_DIGEST_CHANNEL", "not a channel ID"},
		{"DigestCronWords", map[string]string{"CATWEETE_DIGEST_CRON": "every day at nine"}, nil, "CATWEETE_DIGEST_CRON", "not a cron schedule"},
		{"DigestCronFourFields", map[string]string{"CATWEETE_DIGEST_CRON": "0 9 * *"}, nil, "CATWEETE_DIGEST_CRON", "not a cron schedule"},
		{"NetworkTimeoutWithoutUnit", map[string]string{"CATWEETE_NETWORK_TIMEOUT": "30"}, nil, "CATWEETE_NETWORK_TIMEOUT", `"30" is not a duration from 100ms to 45s`},
		{"NetworkTimeoutInWords", map[string]string{"CATWEETE_NETWORK_TIMEOUT": "soon"}, nil, "CATWEETE_NETWORK_TIMEOUT", "not a duration"},
		{"NetworkTimeoutTooShort", map[string]string{"CATWEETE_NETWORK_TIMEOUT": "10ms"}, nil, "CATWEETE_NETWORK_TIMEOUT", "from 100ms to 45s"},
		{"NetworkTimeoutTooLong", map[string]string{"CATWEETE_NETWORK_TIMEOUT": "2m"}, nil, "CATWEETE_NETWORK_TIMEOUT", "from 100ms to 45s"},
		{"NetworkTimeoutNegative", map[string]string{"CATWEETE_NETWORK_TIMEOUT": "-5s"}, nil, "CATWEETE_NETWORK_TIMEOUT", "from 100ms to 45s"},
		{"DigestCronSixFields", map[string]string{"CATWEETE_DIGEST_CRON": "0 0 9 * * 1-5"}, nil, "CATWEETE_DIGEST_CRON", "not a cron schedule"},
		{"DigestCronOutOfRange", map[string]string{"CATWEETE_DIGEST_CRON": "0 25 * * *"}, nil, "CATWEETE_DIGEST_CRON", "not a cron schedule"},
		// robfig/cron v3.0.1 panics on this one; Load must refuse it first.
		{"DigestCronZoneWithoutSchedule", map[string]string{"CATWEETE_DIGEST_CRON": "TZ=Europe/Paris"}, nil, "CATWEETE_DIGEST_CRON", "names a zone"},
		{"DigestCronWithZone", map[string]string{"CATWEETE_DIGEST_CRON": "CRON_TZ=UTC 0 9 * * *"}, nil, "CATWEETE_DIGEST_CRON", "CATWEETE_TZ"},
		{"UnknownTimeZone", map[string]string{"CATWEETE_TZ": "Europe/Pari"}, nil, "CATWEETE_TZ", `unknown time zone "Europe/Pari"`},
		{"UnknownLanguage", map[string]string{"CATWEETE_LANG": "de"}, nil, "CATWEETE_LANG", `unknown language "de" (want fr or en)`},
		{"LanguageIsCaseSensitive", map[string]string{"CATWEETE_LANG": "FR"}, nil, "CATWEETE_LANG", "unknown language"},
		{"SecretKeyIsAPassphrase", map[string]string{"CATWEETE_SECRET_KEY": "my.s3cr3t.passphrase!"}, nil, "CATWEETE_SECRET_KEY", "is neither base64 nor hex (want 32 random bytes in base64, e.g. from `openssl rand -base64 32`, or 64 hex characters)"},
		{"SecretKeyTooShort", map[string]string{"CATWEETE_SECRET_KEY": "s3cr3t0KeyOfSixteenByA=="}, nil, "CATWEETE_SECRET_KEY", "holds 16 bytes, not 32"},
		{"SecretKeyHexTooShort", map[string]string{"CATWEETE_SECRET_KEY": "5ec3e7" + strings.Repeat("0a", 28)}, nil, "CATWEETE_SECRET_KEY", "holds 31 bytes, not 32"},
		{"SecretKeyPlaceholder", map[string]string{"CATWEETE_SECRET_KEY": strings.Repeat("0", 64)}, nil, "CATWEETE_SECRET_KEY", "is a placeholder"},
		{"SecretKeyWithSpace", map[string]string{"CATWEETE_SECRET_KEY": "s3cr3t " + secretKey}, nil, "CATWEETE_SECRET_KEY", "whitespace"},
		{"SecretKeyFileMalformed",
			map[string]string{"CATWEETE_SECRET_KEY": "", "CATWEETE_SECRET_KEY_FILE": "/run/secrets/key"},
			map[string]string{"/run/secrets/key": "s3cr3t\n"},
			"CATWEETE_SECRET_KEY_FILE", "is neither base64 nor hex"},

		// Mastodon.
		{"MastodonURLWithoutToken", map[string]string{"MASTODON_TOKEN": ""}, nil, "MASTODON_TOKEN", "required when MASTODON_URL is set"},
		{"MastodonTokenWithoutURL", map[string]string{"MASTODON_URL": ""}, nil, "MASTODON_URL", "required when MASTODON_TOKEN is set"},
		{"MastodonTokenFileWithoutURL",
			map[string]string{"MASTODON_URL": "", "MASTODON_TOKEN": "", "MASTODON_TOKEN_FILE": "/run/secrets/mastodon"},
			map[string]string{"/run/secrets/mastodon": mastodonToken},
			"MASTODON_URL", "required when MASTODON_TOKEN_FILE is set"},
		{"MastodonURLWithoutScheme", map[string]string{"MASTODON_URL": "mastodon.social"}, nil, "MASTODON_URL", "not an absolute http(s) URL"},
		{"MastodonProfileURL", map[string]string{"MASTODON_URL": "https://mastodon.social/@team"}, nil, "MASTODON_URL", `want the instance alone, "https://mastodon.social"`},

		// Bluesky.
		{"BlueskyHandleWithoutPassword", map[string]string{"BLUESKY_APP_PASSWORD": ""}, nil, "BLUESKY_APP_PASSWORD", "required when BLUESKY_HANDLE is set"},
		{"BlueskyPasswordWithoutHandle", map[string]string{"BLUESKY_HANDLE": ""}, nil, "BLUESKY_HANDLE", "required when BLUESKY_APP_PASSWORD is set"},
		{"BlueskyHandleWithoutDomain", map[string]string{"BLUESKY_HANDLE": "team"}, nil, "BLUESKY_HANDLE", `"team" is not a handle`},
		{"BlueskyHandleAsURL", map[string]string{"BLUESKY_HANDLE": "https://bsky.app/profile/team.bsky.social"}, nil, "BLUESKY_HANDLE", "not a handle"},
		{"BlueskyAccountPassword", map[string]string{"BLUESKY_APP_PASSWORD": "hunter2-s3cr3t"}, nil, "BLUESKY_APP_PASSWORD", "not an app password"},
		{"BlueskyPDSURLWithoutScheme", map[string]string{"BLUESKY_PDS_URL": "bsky.social"}, nil, "BLUESKY_PDS_URL", "not an absolute http(s) URL"},
		{"BlueskyAppViewURLWithQuery", map[string]string{"BLUESKY_APPVIEW_URL": "https://public.api.bsky.app/?x=1"}, nil, "BLUESKY_APPVIEW_URL", "query or fragment"},

		// X.
		{"XTokenWithSpace", map[string]string{"X_ACCESS_TOKEN": "s3cr3t x"}, nil, "X_ACCESS_TOKEN", "whitespace"},
		{"XAPIURLWithFragment", map[string]string{"X_API_URL": "https://api.x.com/#2"}, nil, "X_API_URL", "query or fragment"},

		// LinkedIn.
		{"LinkedInTokenWithoutAuthor", map[string]string{"LINKEDIN_AUTHOR_URN": ""}, nil, "LINKEDIN_AUTHOR_URN", "required when LINKEDIN_ACCESS_TOKEN is set"},
		{"LinkedInAuthorWithoutToken", map[string]string{"LINKEDIN_ACCESS_TOKEN": ""}, nil, "LINKEDIN_ACCESS_TOKEN", "required when LINKEDIN_AUTHOR_URN is set (set it or LINKEDIN_ACCESS_TOKEN_FILE"},
		{"LinkedInAuthorOfAnotherKind", map[string]string{"LINKEDIN_AUTHOR_URN": "urn:li:company:5515715"}, nil, "LINKEDIN_AUTHOR_URN", "not an author URN"},
		{"LinkedInAuthorWithoutID", map[string]string{"LINKEDIN_AUTHOR_URN": "urn:li:person:"}, nil, "LINKEDIN_AUTHOR_URN", "not an author URN"},
		{"LinkedInAPIURLNotHTTP", map[string]string{"LINKEDIN_API_URL": "api.linkedin.com"}, nil, "LINKEDIN_API_URL", "not an absolute http(s) URL"},

		// Facebook.
		{"FacebookPageWithoutToken", map[string]string{"FACEBOOK_PAGE_TOKEN": ""}, nil, "FACEBOOK_PAGE_TOKEN", "required when FACEBOOK_PAGE_ID is set"},
		{"FacebookTokenWithoutPage", map[string]string{"FACEBOOK_PAGE_ID": ""}, nil, "FACEBOOK_PAGE_ID", "required when FACEBOOK_PAGE_TOKEN is set"},
		{"FacebookPageByName", map[string]string{"FACEBOOK_PAGE_ID": "mybrand"}, nil, "FACEBOOK_PAGE_ID", `"mybrand" is not a Page ID`},
		{"FacebookGraphURLNotHTTP", map[string]string{"FACEBOOK_GRAPH_URL": "graph.facebook.com"}, nil, "FACEBOOK_GRAPH_URL", "not an absolute http(s) URL"},

		// Secret files, beyond the per-secret cases generated below.
		{"SecretFileMalformed",
			map[string]string{"SLACK_BOT_TOKEN": "", "SLACK_BOT_TOKEN_FILE": "/run/secrets/bot"},
			map[string]string{"/run/secrets/bot": "xoxp-1-s3cr3t-user\n"},
			"SLACK_BOT_TOKEN_FILE", `must start with "xoxb-"`},
		{"SecretFileWithTwoLines",
			map[string]string{"SLACK_BOT_TOKEN": "", "SLACK_BOT_TOKEN_FILE": "/run/secrets/bot"},
			map[string]string{"/run/secrets/bot": botToken + "\nxoxb-2-s3cr3t-old\n"},
			"SLACK_BOT_TOKEN_FILE", "whitespace"},
		{"SigningSecretFileRequiredInHTTPMode",
			map[string]string{"SLACK_APP_TOKEN": "", "SLACK_SIGNING_SECRET": "", "SLACK_SIGNING_SECRET_FILE": "/run/secrets/signing"},
			map[string]string{"/run/secrets/signing": "\n\n"},
			"SLACK_SIGNING_SECRET_FILE", "is empty"},
	}
	for _, v := range secretVars {
		path := "/run/secrets/" + strings.ToLower(v.name)
		tests = append(tests,
			errCase{v.name + "AndItsFileBothSet",
				map[string]string{v.name + "_FILE": path},
				map[string]string{path: v.value},
				v.name + "_FILE", "set together with " + v.name + " (want only one of them)"},
			errCase{v.name + "FileMissing",
				map[string]string{v.name: "", v.name + "_FILE": path},
				nil,
				v.name + "_FILE", "cannot read the file: open " + path},
			errCase{v.name + "FileEmpty",
				map[string]string{v.name: "", v.name + "_FILE": path},
				map[string]string{path: " \n"},
				v.name + "_FILE", fmt.Sprintf("file %q is empty", path)},
		)
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env := with(fullEnv(), tt.env)
			c, err := load(t, env, tt.files)
			if err == nil {
				t.Fatalf("Load succeeded, want an error naming %s", tt.wantVar)
			}
			if !reflect.DeepEqual(c, Config{}) {
				t.Errorf("Load returned a partial Config with its error: %+v", c)
			}
			var ce *Error
			if !errors.As(err, &ce) {
				t.Fatalf("error %T is not a *config.Error: %v", err, err)
			}
			if ce.Var != tt.wantVar {
				t.Errorf("Error.Var = %q, want %q (%v)", ce.Var, tt.wantVar, err)
			}
			msg := err.Error()
			if prefix := "config: " + tt.wantVar + ": "; !strings.HasPrefix(msg, prefix) {
				t.Errorf("message %q does not start with %q", msg, prefix)
			}
			if !strings.Contains(msg, tt.want) {
				t.Errorf("message %q does not say %q", msg, tt.want)
			}
			if strings.ContainsAny(msg, "\r\n") {
				t.Errorf("message is more than one line: %q", msg)
			}
			var inputs []string
			for k, v := range env {
				// A value that is only a documented prefix is named by the
				// message on purpose ("must start with \"xoxb-\"").
				isSecret := strings.HasSuffix(k, "_TOKEN") || strings.HasSuffix(k, "_SECRET") || strings.HasSuffix(k, "_PASSWORD") || strings.HasSuffix(k, "_KEY")
				if isSecret && v != "xoxb-" && v != "xapp-" {
					inputs = append(inputs, v)
				}
			}
			for _, v := range tt.files {
				if s := strings.TrimSpace(v); s != "" {
					inputs = append(inputs, s)
				}
			}
			assertNoSecret(t, msg, inputs...)
		})
	}
}

func TestLoadReportsTheFirstProblemInTableOrder(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		env     map[string]string
		wantVar string
	}{
		{"SlackBeforeCatweete", map[string]string{"CATWEETE_LANG": "de", "SLACK_BOT_TOKEN": "xoxp-s3cr3t"}, "SLACK_BOT_TOKEN"},
		{"CatweeteBeforeNetworks", map[string]string{"MASTODON_TOKEN": "", "CATWEETE_TZ": "Mars/Olympus"}, "CATWEETE_TZ"},
		{"NetworksInOrder", map[string]string{"FACEBOOK_PAGE_ID": "", "BLUESKY_HANDLE": ""}, "BLUESKY_HANDLE"},
		{"OwnCheckBeforePairing", map[string]string{"MASTODON_URL": "mastodon.social", "MASTODON_TOKEN": ""}, "MASTODON_URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := load(t, with(fullEnv(), tt.env), nil)
			var ce *Error
			if !errors.As(err, &ce) || ce.Var != tt.wantVar {
				t.Errorf("Load error = %v, want one naming %s", err, tt.wantVar)
			}
		})
	}
}

func TestErrorUnwrapsTheFileError(t *testing.T) {
	t.Parallel()
	_, err := load(t, map[string]string{"SLACK_BOT_TOKEN_FILE": "/nope"}, nil)
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("errors.Is(%v, fs.ErrNotExist) = false, want true", err)
	}
}

func TestLoadSecretFiles(t *testing.T) {
	t.Parallel()
	for _, v := range secretVars {
		t.Run(v.name, func(t *testing.T) {
			t.Parallel()
			path := "/run/secrets/" + strings.ToLower(v.name)
			env := with(fullEnv(), map[string]string{v.name: "", v.name + "_FILE": "  " + path + "\n"})
			// Editors and `echo` end files with a newline; Windows ones with CRLF.
			c := mustLoad(t, env, map[string]string{path: v.value + " \r\n"})
			if got := v.get(c).Reveal(); got != v.value {
				t.Errorf("%s from file = %q, want %q", v.name, got, v.value)
			}
		})
	}
}

func TestLoadValues(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		env   map[string]string
		check func(t *testing.T, c Config)
	}{
		{"ApproversTrimmedAndEmptyItemsSkipped", map[string]string{"CATWEETE_APPROVERS": " U01AAAA ,S02GROUP,, W03CCCC ,", "CATWEETE_APPROVALS_REQUIRED": ""},
			func(t *testing.T, c Config) {
				if want := []string{"U01AAAA", "S02GROUP", "W03CCCC"}; !reflect.DeepEqual(c.Approvers, want) {
					t.Errorf("Approvers = %q, want %q", c.Approvers, want)
				}
			}},
		{"ApproversOnlyCommasIsNil", map[string]string{"CATWEETE_APPROVERS": " , ,", "CATWEETE_APPROVALS_REQUIRED": "5"},
			func(t *testing.T, c Config) {
				if c.Approvers != nil || c.ApprovalsRequired != 5 {
					t.Errorf("Approvers = %q, ApprovalsRequired = %d; want nil and 5", c.Approvers, c.ApprovalsRequired)
				}
			}},
		{"AGroupLiftsTheCapOnApprovals", map[string]string{"CATWEETE_APPROVERS": "U01AAAA,S02GROUP", "CATWEETE_APPROVALS_REQUIRED": "10"},
			func(t *testing.T, c Config) {
				if c.ApprovalsRequired != 10 {
					t.Errorf("ApprovalsRequired = %d, want 10", c.ApprovalsRequired)
				}
			}},
		{"ApprovalsRequiredMayEqualApprovers", map[string]string{"CATWEETE_APPROVERS": "U01AAAA,W02BBBB,U03CCCC", "CATWEETE_APPROVALS_REQUIRED": "3"},
			func(t *testing.T, c Config) {
				if c.ApprovalsRequired != 3 {
					t.Errorf("ApprovalsRequired = %d, want 3", c.ApprovalsRequired)
				}
			}},
		{"DirectMessageApprovalChannel", map[string]string{"CATWEETE_APPROVAL_CHANNEL": "D0123ABCD"},
			func(t *testing.T, c Config) {
				if c.ApprovalChannel != "D0123ABCD" {
					t.Errorf("ApprovalChannel = %q", c.ApprovalChannel)
				}
			}},
		{"NetworkTimeout", map[string]string{"CATWEETE_NETWORK_TIMEOUT": " 2.5s "},
			func(t *testing.T, c Config) {
				if c.NetworkTimeout != 2500*time.Millisecond {
					t.Errorf("NetworkTimeout = %v, want 2.5s", c.NetworkTimeout)
				}
			}},
		{"NetworkTimeoutAtItsBounds", map[string]string{"CATWEETE_NETWORK_TIMEOUT": "100ms"},
			func(t *testing.T, c Config) {
				if c.NetworkTimeout != 100*time.Millisecond {
					t.Errorf("NetworkTimeout = %v, want 100ms", c.NetworkTimeout)
				}
			}},
		{"CronDescriptor", map[string]string{"CATWEETE_DIGEST_CRON": "@daily"},
			func(t *testing.T, c Config) {
				if c.DigestCron != "@daily" {
					t.Errorf("DigestCron = %q", c.DigestCron)
				}
			}},
		{"ValuesAreTrimmed", map[string]string{"CATWEETE_LANG": " en\n", "CATWEETE_TZ": "UTC ", "SLACK_BOT_TOKEN": botToken + "\n"},
			func(t *testing.T, c Config) {
				if c.Lang != "en" || c.Location.String() != "UTC" || c.BotToken.Reveal() != botToken {
					t.Errorf("Lang = %q, Location = %v, bot token trimmed = %v", c.Lang, c.Location, c.BotToken.Reveal() == botToken)
				}
			}},
		{"BlueskyHandleWithAt", map[string]string{"BLUESKY_HANDLE": "@team.bsky.social"},
			func(t *testing.T, c Config) {
				if c.Bluesky.Handle != "team.bsky.social" {
					t.Errorf("Bluesky.Handle = %q, want it without the @", c.Bluesky.Handle)
				}
			}},
		{"BlueskyDID", map[string]string{"BLUESKY_HANDLE": "did:plc:z72i7hdynmk6r22z27h6tvur"},
			func(t *testing.T, c Config) {
				if !c.Bluesky.Enabled() {
					t.Errorf("Bluesky with a DID should be enabled")
				}
			}},
		{"LinkedInPerson", map[string]string{"LINKEDIN_AUTHOR_URN": "urn:li:person:8675309"},
			func(t *testing.T, c Config) {
				if c.LinkedIn.AuthorURN != "urn:li:person:8675309" {
					t.Errorf("LinkedIn.AuthorURN = %q", c.LinkedIn.AuthorURN)
				}
			}},
		{"SecretKeyInHex", map[string]string{"CATWEETE_SECRET_KEY": "5ec3e7" + strings.Repeat("0a", 29)},
			func(t *testing.T, c Config) {
				if !c.SecretKey.IsSet() {
					t.Errorf("a 64-hex-character key was not taken")
				}
			}},
		{"SecretKeyInURLBase64WithoutPadding", map[string]string{"CATWEETE_SECRET_KEY": "s3cr3t-_KeyForCatweeteConfigTests0nly01234A"},
			func(t *testing.T, c Config) {
				if !c.SecretKey.IsSet() {
					t.Errorf("a URL-alphabet key was not taken")
				}
			}},
		{"NoSecretKeyIsFine", map[string]string{"CATWEETE_SECRET_KEY": ""},
			func(t *testing.T, c Config) {
				if c.SecretKey.IsSet() {
					t.Errorf("SecretKey set with CATWEETE_SECRET_KEY empty")
				}
			}},
		{"URLOverridesAloneEnableNothing",
			map[string]string{"MASTODON_URL": "", "MASTODON_TOKEN": "", "X_ACCESS_TOKEN": "", "BLUESKY_HANDLE": "", "BLUESKY_APP_PASSWORD": "",
				"LINKEDIN_ACCESS_TOKEN": "", "LINKEDIN_AUTHOR_URN": "", "FACEBOOK_PAGE_ID": "", "FACEBOOK_PAGE_TOKEN": ""},
			func(t *testing.T, c Config) {
				if c.Mastodon.Enabled() || c.Bluesky.Enabled() || c.X.Enabled() || c.LinkedIn.Enabled() || c.Facebook.Enabled() {
					t.Errorf("a network is enabled by its URL alone: %+v", c)
				}
				if c.X.APIURL != "https://x.example" {
					t.Errorf("X.APIURL = %q, want the override kept", c.X.APIURL)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.check(t, mustLoad(t, with(fullEnv(), tt.env), nil))
		})
	}
}

func TestLoadTrailingSlashes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		key   string
		value string
		get   func(Config) string
		want  string
	}{
		{"SlackAPIURLGetsOne", "SLACK_API_URL", "http://127.0.0.1:9000/api", func(c Config) string { return c.SlackAPIURL }, "http://127.0.0.1:9000/api/"},
		{"SlackAPIURLKeepsOne", "SLACK_API_URL", "http://127.0.0.1:9000/api/", func(c Config) string { return c.SlackAPIURL }, "http://127.0.0.1:9000/api/"},
		{"SlackAPIURLKeepsOnlyOne", "SLACK_API_URL", "http://127.0.0.1:9000/api//", func(c Config) string { return c.SlackAPIURL }, "http://127.0.0.1:9000/api/"},
		{"SlackAPIURLBareHost", "SLACK_API_URL", "http://playground.local", func(c Config) string { return c.SlackAPIURL }, "http://playground.local/"},
		{"MastodonLosesIt", "MASTODON_URL", "https://mastodon.example/", func(c Config) string { return c.Mastodon.URL }, "https://mastodon.example"},
		{"MastodonWithout", "MASTODON_URL", "https://mastodon.example", func(c Config) string { return c.Mastodon.URL }, "https://mastodon.example"},
		{"BlueskyLosesThemAll", "BLUESKY_PDS_URL", "http://127.0.0.1:2583//", func(c Config) string { return c.Bluesky.PDSURL }, "http://127.0.0.1:2583"},
		{"BlueskyAppViewLosesIt", "BLUESKY_APPVIEW_URL", "http://127.0.0.1:2584/", func(c Config) string { return c.Bluesky.AppViewURL }, "http://127.0.0.1:2584"},
		{"XLosesIt", "X_API_URL", "http://127.0.0.1:4000/", func(c Config) string { return c.X.APIURL }, "http://127.0.0.1:4000"},
		{"LinkedInKeepsItsPath", "LINKEDIN_API_URL", "http://127.0.0.1:4001/mock/", func(c Config) string { return c.LinkedIn.APIURL }, "http://127.0.0.1:4001/mock"},
		{"FacebookLosesIt", "FACEBOOK_GRAPH_URL", "https://graph.example/", func(c Config) string { return c.Facebook.GraphURL }, "https://graph.example"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := mustLoad(t, with(fullEnv(), map[string]string{tt.key: tt.value}), nil)
			if got := tt.get(c); got != tt.want {
				t.Errorf("%s=%q gives %q, want %q", tt.key, tt.value, got, tt.want)
			}
		})
	}
}

func TestSecret(t *testing.T) {
	t.Parallel()
	set, unset := NewSecret(botToken), Secret{}
	tests := []struct {
		name string
		got  string
		want string
	}{
		{"RevealSet", set.Reveal(), botToken},
		{"RevealUnset", unset.Reveal(), ""},
		{"NewSecretEmptyIsUnset", fmt.Sprint(NewSecret("").IsSet()), "false"},
		{"IsSet", fmt.Sprint(set.IsSet(), unset.IsSet()), "true false"},
		{"String", set.String(), "[redacted]"},
		{"StringUnset", unset.String(), ""},
		{"GoString", set.GoString(), "[redacted]"},
		{"GoStringUnset", unset.GoString(), ""},
		{"V", fmt.Sprintf("%v", set), "[redacted]"},
		{"PlusV", fmt.Sprintf("%+v", set), "[redacted]"},
		{"SharpV", fmt.Sprintf("%#v", set), "[redacted]"},
		{"S", fmt.Sprintf("%s", set), "[redacted]"},
		{"Q", fmt.Sprintf("%q", set), `"[redacted]"`},
		{"X", fmt.Sprintf("%x", set), "%!x(config.Secret=[redacted])"},
		{"D", fmt.Sprintf("%d", set), "%!d(config.Secret=[redacted])"},
		{"Width", fmt.Sprintf("%12v|%-12s|", set, set), "  [redacted]|[redacted]  |"},
		{"Pointer", fmt.Sprintf("%v", &set), "[redacted]"},
		{"Println", fmt.Sprintln(set, unset), "[redacted] \n"},
		{"VUnset", fmt.Sprintf("%v|%q|%#v", unset, unset, unset), `|""|`},
		{"ErrorfWithW", fmt.Errorf("auth %v: %w", set, errors.New("denied")).Error(), "auth [redacted]: denied"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, tt.got, tt.want)
		}
	}
	for name, s := range map[string]Secret{"Set": set, "Unset": unset} {
		j, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		txt, err := s.MarshalText()
		if err != nil {
			t.Fatal(err)
		}
		want := s.String()
		if string(j) != `"`+want+`"` || string(txt) != want || s.LogValue().String() != want {
			t.Errorf("%s: JSON %s, text %q, LogValue %q; want all %q", name, j, txt, s.LogValue(), want)
		}
	}
}

// holder keeps a Config in an unexported field, where fmt cannot call the
// Secret's methods and falls back to reflection.
type holder struct {
	name string
	cfg  Config
	ptr  *Config
}

func TestConfigNeverPrintsSecrets(t *testing.T) {
	t.Parallel()
	c := mustLoad(t, fullEnv(), nil)
	h := holder{name: "bot", cfg: c, ptr: &c}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d"} {
		for name, v := range map[string]any{"Config": c, "*Config": &c, "Secret": c.BotToken, "UnexportedField": h, "*UnexportedField": &h} {
			t.Run(name+verb, func(t *testing.T) {
				t.Parallel()
				out := fmt.Sprintf(verb, v)
				assertNoSecret(t, out)
				if name == "Config" && (verb == "%v" || verb == "%+v" || verb == "%#v") && strings.Count(out, "[redacted]") != len(secretVars) {
					t.Errorf("%s of a full Config shows [redacted] %d times, want %d:\n%s", verb, strings.Count(out, "[redacted]"), len(secretVars), out)
				}
			})
		}
	}
	// %+v is what people reach for; check it reads well, not just safely.
	out := fmt.Sprintf("%+v", c)
	for _, want := range []string{"BotToken:[redacted]", "SlackAPIURL:http://127.0.0.1:9000/api/", "Location:America/Montreal", "Token:[redacted]"} {
		if !strings.Contains(out, want) {
			t.Errorf("%%+v lacks %q:\n%s", want, out)
		}
	}
	playground := fmt.Sprintf("%+v", mustLoad(t, map[string]string{}, nil))
	if !strings.Contains(playground, "BotToken: AppToken: SigningSecret: ") {
		t.Errorf("unset secrets should print empty:\n%s", playground)
	}
}

func TestConfigJSON(t *testing.T) {
	t.Parallel()
	for name, tt := range map[string]struct {
		env  map[string]string
		want string
	}{
		"Full":       {fullEnv(), "[redacted]"},
		"Playground": {map[string]string{}, ""},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c := mustLoad(t, tt.env, nil)
			b, err := json.Marshal(c)
			if err != nil {
				t.Fatalf("json.Marshal: %v", err)
			}
			assertNoSecret(t, string(b))
			var got struct {
				BotToken, AppToken, SigningSecret string
				Mastodon                          struct{ Token string }
				Bluesky                           struct{ AppPassword string }
				X                                 struct{ AccessToken string }
				LinkedIn                          struct{ AccessToken string }
				Facebook                          struct{ PageToken string }
				SecretKey                         string
				Lang                              string
			}
			if err := json.Unmarshal(b, &got); err != nil {
				t.Fatalf("json.Unmarshal(%s): %v", b, err)
			}
			for field, v := range map[string]string{
				"BotToken": got.BotToken, "AppToken": got.AppToken, "SigningSecret": got.SigningSecret,
				"Mastodon.Token": got.Mastodon.Token, "Bluesky.AppPassword": got.Bluesky.AppPassword, "X.AccessToken": got.X.AccessToken,
				"LinkedIn.AccessToken": got.LinkedIn.AccessToken, "Facebook.PageToken": got.Facebook.PageToken,
				"SecretKey": got.SecretKey,
			} {
				if v != tt.want {
					t.Errorf("%s = %q in JSON, want %q", field, v, tt.want)
				}
			}
			if got.Lang == "" {
				t.Errorf("JSON lost the non-secret fields: %s", b)
			}
		})
	}
}

func TestConfigSlog(t *testing.T) {
	t.Parallel()
	c := mustLoad(t, fullEnv(), nil)
	t.Run("JSONHandler", func(t *testing.T) {
		t.Parallel()
		var buf bytes.Buffer
		log := slog.New(slog.NewJSONHandler(&buf, nil))
		log.Info("config loaded", "config", c, "configPtr", &c, "token", c.BotToken, slog.Any("password", c.Bluesky.AppPassword),
			slog.Group("slack", "app", c.AppToken, "unset", Secret{}))
		assertNoSecret(t, buf.String())
		var line struct {
			Token, Password string
			Config          struct{ BotToken, Lang string }
			Slack           struct{ App, Unset string }
		}
		if err := json.Unmarshal(buf.Bytes(), &line); err != nil {
			t.Fatalf("log line is not JSON: %v\n%s", err, buf.String())
		}
		if line.Token != "[redacted]" || line.Password != "[redacted]" || line.Config.BotToken != "[redacted]" ||
			line.Slack.App != "[redacted]" || line.Slack.Unset != "" || line.Config.Lang != "en" {
			t.Errorf("unexpected log line: %s", buf.String())
		}
	})
	t.Run("TextHandler", func(t *testing.T) {
		t.Parallel()
		var buf bytes.Buffer
		log := slog.New(slog.NewTextHandler(&buf, nil))
		log.Info("config loaded", "config", c, "token", c.BotToken)
		assertNoSecret(t, buf.String())
		if !strings.Contains(buf.String(), "token=[redacted]") || !strings.Contains(buf.String(), "BotToken:[redacted]") {
			t.Errorf("unexpected log line: %s", buf.String())
		}
	})
}

// allVars lists every variable Load reads, with the _FILE variants, so the
// environment test can blank out whatever the machine running it has set.
var allVars = []string{
	envBotToken, envAppToken, envSigningSecret, envSlackAPIURL, envDB, envHTTPAddr, envCommand,
	envApprovalChannel, envApprovers, envApprovalsRequired, envDigestChannel, envDigestCron,
	envTZ, envLang, envSlots, envUTM, envSecretKey, envMastodonURL, envMastodonToken, envBlueskyHandle, envBlueskyPassword,
	envBlueskyPDSURL, envBlueskyAppViewURL, envXToken, envXAPIURL, envLinkedInToken, envLinkedInAuthor, envLinkedInAPIURL,
	envFacebookPageID, envFacebookToken, envFacebookGraphURL,
}

// TestFromEnvironment is not parallel: it sets the process environment.
func TestFromEnvironment(t *testing.T) {
	for _, k := range allVars {
		t.Setenv(k, "")
		t.Setenv(k+"_FILE", "")
	}
	t.Setenv("CATWEETE_LANG", "en")
	c, err := FromEnvironment()
	if err != nil || c.Lang != "en" || c.Mode() != ModePlayground {
		t.Errorf("FromEnvironment() = Lang %q, Mode %v, err %v; want en, playground, nil", c.Lang, c.Mode(), err)
	}

	t.Setenv("SLACK_BOT_TOKEN_FILE", t.TempDir()+"/missing")
	_, err = FromEnvironment()
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("FromEnvironment() with a missing file = %v, want fs.ErrNotExist", err)
	}
}
