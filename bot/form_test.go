package bot

import (
	"net/url"
	"strings"
	"testing"

	"github.com/slack-go/slack"
)

// fromParseQuery is the slash command as url.ParseQuery and Values.Get read
// it: what parseSlashCommand must give.
func fromParseQuery(body string) (slack.SlashCommand, error) {
	form, err := url.ParseQuery(body)
	if err != nil {
		return slack.SlashCommand{}, err
	}
	return slack.SlashCommand{
		Token: form.Get("token"), TeamID: form.Get("team_id"), TeamDomain: form.Get("team_domain"),
		EnterpriseID: form.Get("enterprise_id"), ChannelID: form.Get("channel_id"), ChannelName: form.Get("channel_name"),
		UserID: form.Get("user_id"), UserName: form.Get("user_name"), Command: form.Get("command"),
		Text: form.Get("text"), ResponseURL: form.Get("response_url"), TriggerID: form.Get("trigger_id"),
		APIAppID: form.Get("api_app_id"), IsEnterpriseInstall: form.Get("is_enterprise_install") == "true",
	}, nil
}

// slashCommandBodies are forms as Slack sends them, and as it never does.
func slashCommandBodies() []string {
	return []string{
		"token=legacy&team_id=T1&team_domain=cat&channel_id=C1&channel_name=general&user_id=U1&user_name=someone" +
			"&command=%2Fcatweete&text=alors+%C3%A7a+tweete+%3F&api_app_id=A1" +
			"&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1%2F1%2Fabc&trigger_id=1.2.3",
		"", "&", "&&text=aide&", "text", "text=", "=aide", "text=a&text=b", "te%78t=cl%C3%A9", "text+=espace",
		"text=%", "text=%4", "text=%zz", "text=ok&other=%zz", "text=ok&text=%zz", "te%zzxt=ok", "text=a;b", "a;b=c&text=d",
		"is_enterprise_install=true&enterprise_id=E1", "is_enterprise_install=TRUE", "is_enterprise_install=true&is_enterprise_install=false",
		"text=%F0%9F%90%88+%26+%3Cb%3E", "text=\xff\xfe", "user_id=U1&user_id=U2&user_id=%",
	}
}

func TestParseSlashCommandReadsAsParseQuery(t *testing.T) {
	t.Parallel()
	for _, body := range slashCommandBodies() {
		checkSlashCommandForm(t, body)
	}
}

// FuzzParseSlashCommand: for any body, parseSlashCommand refuses what
// url.ParseQuery refuses and reads the same fields from the rest.
func FuzzParseSlashCommand(f *testing.F) {
	for _, body := range slashCommandBodies() {
		f.Add(body)
	}
	f.Fuzz(checkSlashCommandForm)
}

func checkSlashCommandForm(t *testing.T, body string) {
	want, wantErr := fromParseQuery(body)
	got, err := parseSlashCommand(body)
	if (err != nil) != (wantErr != nil) {
		t.Fatalf("parseSlashCommand(%q): error %v, url.ParseQuery's %v", body, err, wantErr)
	}
	if got != want {
		t.Fatalf("parseSlashCommand(%q) =\n%+v\nwant\n%+v", body, got, want)
	}
}

func TestParseSlashCommandRefusesTooManyFields(t *testing.T) {
	t.Parallel()
	for _, n := range []int{maxFormFields, maxFormFields + 1} {
		body := "text=aide" + strings.Repeat("&", n-1)
		checkSlashCommandForm(t, body)
	}
}
