package bot

import (
	"errors"
	"net/url"
	"strings"

	"github.com/slack-go/slack"
)

// maxFormFields is the most fields url.ParseQuery reads in a form.
const maxFormFields = 10000

// errBadForm is a slash command body that is not a valid form.
var errBadForm = errors.New("slash command: invalid form")

// parseSlashCommand reads a slash command's form body as url.ParseQuery
// then Values.Get would (the same fields, the same errors), without the
// map of every field and every value unescaped that ParseQuery builds: it
// was a tenth of the CPU time of answering `/catweete help`.
func parseSlashCommand(body string) (slack.SlashCommand, error) {
	// ParseQuery's own limit (its default: GODEBUG urlmaxqueryparams can
	// move it there, not here).
	if strings.Count(body, "&")+1 > maxFormFields {
		return slack.SlashCommand{}, errBadForm
	}
	var cmd slack.SlashCommand
	var seen uint16 // one bit per field below: the first value wins, as with Get
	enterprise := ""
	for body != "" {
		var pair string
		pair, body, _ = strings.Cut(body, "&")
		if strings.Contains(pair, ";") {
			return slack.SlashCommand{}, errBadForm
		}
		if pair == "" {
			continue
		}
		rawKey, rawValue, _ := strings.Cut(pair, "=")
		key := rawKey
		if escaped(rawKey) {
			var err error
			if key, err = url.QueryUnescape(rawKey); err != nil {
				return slack.SlashCommand{}, errBadForm
			}
		}
		field, bit := commandField(&cmd, key, &enterprise)
		if field == nil || seen&bit != 0 {
			if !validEscapes(rawValue) {
				return slack.SlashCommand{}, errBadForm
			}
			continue
		}
		value := rawValue
		if escaped(rawValue) {
			var err error
			if value, err = url.QueryUnescape(rawValue); err != nil {
				return slack.SlashCommand{}, errBadForm
			}
		}
		*field = value
		seen |= bit
	}
	cmd.IsEnterpriseInstall = enterprise == "true"
	return cmd, nil
}

// commandField is where the value of key goes, and its bit in
// parseSlashCommand's seen; nil for a key catweete does not read.
func commandField(cmd *slack.SlashCommand, key string, enterpriseInstall *string) (*string, uint16) {
	switch key {
	case "token":
		return &cmd.Token, 1 << 0
	case "team_id":
		return &cmd.TeamID, 1 << 1
	case "team_domain":
		return &cmd.TeamDomain, 1 << 2
	case "enterprise_id":
		return &cmd.EnterpriseID, 1 << 3
	case "channel_id":
		return &cmd.ChannelID, 1 << 4
	case "channel_name":
		return &cmd.ChannelName, 1 << 5
	case "user_id":
		return &cmd.UserID, 1 << 6
	case "user_name":
		return &cmd.UserName, 1 << 7
	case "command":
		return &cmd.Command, 1 << 8
	case "text":
		return &cmd.Text, 1 << 9
	case "response_url":
		return &cmd.ResponseURL, 1 << 10
	case "trigger_id":
		return &cmd.TriggerID, 1 << 11
	case "api_app_id":
		return &cmd.APIAppID, 1 << 12
	case "is_enterprise_install":
		return enterpriseInstall, 1 << 13
	}
	return nil, 0
}

// escaped reports whether s holds an escape or a + (a space): what must be
// unescaped. (strings.ContainsAny takes its slow path for such a set.)
func escaped(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == '%' || s[i] == '+' {
			return true
		}
	}
	return false
}

// validEscapes reports whether url.QueryUnescape would take s: every %
// followed by two hexadecimal digits.
func validEscapes(s string) bool {
	for i := strings.IndexByte(s, '%'); i >= 0; i = strings.IndexByte(s, '%') {
		if i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2]) {
			return false
		}
		s = s[i+3:]
	}
	return true
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}
