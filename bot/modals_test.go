package bot

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"catweete/commands"
)

// checkModal checks what every modal must be: a modal, with this callback
// id, a title Slack accepts, buttons, at most 100 blocks, metadata that
// reads back as meta, and JSON that renders.
func checkModal(t *testing.T, view slack.ModalViewRequest, callbackID string, meta modalMeta) {
	t.Helper()
	if view.Type != slack.VTModal || view.CallbackID != callbackID {
		t.Errorf("type %q callback %q, want modal %q", view.Type, view.CallbackID, callbackID)
	}
	for what, text := range map[string]*slack.TextBlockObject{"title": view.Title, "submit": view.Submit, "close": view.Close} {
		if text == nil || text.Type != slack.PlainTextType || text.Text == "" || strings.HasPrefix(text.Text, "modal.") {
			t.Errorf("%s = %+v, want plain text from the catalog", what, text)
			continue
		}
		if n := utf8.RuneCountInString(text.Text); n > 24 {
			t.Errorf("%s %q is %d characters, limit 24", what, text.Text, n)
		}
	}
	if n := len(view.Blocks.BlockSet); n == 0 || n > 100 {
		t.Errorf("%d blocks", n)
	}
	if len(view.PrivateMetadata) > 3000 {
		t.Errorf("private_metadata is %d characters, limit 3000", len(view.PrivateMetadata))
	}
	got, err := decodeMeta(view.PrivateMetadata)
	if err != nil || got != meta {
		t.Errorf("private_metadata %q reads back as %+v (%v), want %+v", view.PrivateMetadata, got, err, meta)
	}
	raw, err := json.Marshal(view)
	if err != nil {
		t.Fatalf("json.Marshal(view): %v", err)
	}
	var back slack.View
	if err := json.Unmarshal(raw, &back); err != nil || back.CallbackID != callbackID || len(back.Blocks.BlockSet) != len(view.Blocks.BlockSet) {
		t.Errorf("view does not read back: %v", err)
	}
}

func inputBlock(t *testing.T, view slack.ModalViewRequest, blockID string) *slack.InputBlock {
	t.Helper()
	for _, b := range view.Blocks.BlockSet {
		if in, ok := b.(*slack.InputBlock); ok && in.BlockID == blockID {
			return in
		}
	}
	t.Fatalf("no input block %q", blockID)
	return nil
}

func TestModals(t *testing.T) {
	t.Parallel()
	for _, lang := range []commands.Lang{commands.French, commands.English} {
		t.Run(string(lang), func(t *testing.T) {
			t.Parallel()
			f := setup(t, func(o *setupOptions) { o.lang = lang })

			t.Run("Draft", func(t *testing.T) {
				meta := modalMeta{UserID: "U1", Channel: "C1"}
				view := f.bot.draftModal(meta, "Notre site est en ligne !")
				checkModal(t, view, CallbackDraft, meta)
				text := inputBlock(t, view, blockText).Element.(*slack.PlainTextInputBlockElement)
				if text.ActionID != inputText || text.InitialValue != "Notre site est en ligne !" || !text.Multiline || text.MaxLength != 3000 {
					t.Errorf("text input %+v", text)
				}
				accounts := inputBlock(t, view, blockAccounts).Element.(*slack.MultiSelectBlockElement)
				if accounts.ActionID != inputAccounts || accounts.Type != slack.MultiOptTypeStatic {
					t.Errorf("accounts element %s %q", accounts.Type, accounts.ActionID)
				}
				var want []string
				for _, a := range f.router.Accounts() {
					want = append(want, strconv.FormatInt(a.ID, 10)+"="+a.DisplayName)
				}
				values := func(opts []*slack.OptionBlockObject) string {
					var s []string
					for _, o := range opts {
						s = append(s, o.Value+"="+o.Text.Text)
					}
					return strings.Join(s, ",")
				}
				if len(want) != 2 || values(accounts.Options) != strings.Join(want, ",") || values(accounts.InitialOptions) != strings.Join(want, ",") {
					t.Errorf("accounts offered %q, ticked %q; want every account (%q) offered and ticked",
						values(accounts.Options), values(accounts.InitialOptions), want)
				}
				when := inputBlock(t, view, blockWhen)
				if !when.Optional || when.Element.(*slack.DateTimePickerBlockElement).ActionID != inputWhen {
					t.Errorf("when block %+v", when)
				}
			})

			t.Run("DraftWithALongText", func(t *testing.T) {
				meta := modalMeta{UserID: "U1"}
				view := f.bot.draftModal(meta, strings.Repeat("é", 10_000))
				checkModal(t, view, CallbackDraft, meta)
				text := inputBlock(t, view, blockText).Element.(*slack.PlainTextInputBlockElement)
				if n := utf8.RuneCountInString(text.InitialValue); n > 3000 {
					t.Errorf("initial value is %d characters, limit 3000", n)
				}
			})

			t.Run("Edit", func(t *testing.T) {
				meta := modalMeta{UserID: "UAUTHOR", Channel: "C1", PostID: 7, Version: 2}
				view := f.bot.editModal(meta, "Texte <actuel> & complet")
				checkModal(t, view, CallbackEdit, meta)
				if len(view.Blocks.BlockSet) != 1 {
					t.Errorf("%d blocks, want the text alone", len(view.Blocks.BlockSet))
				}
				text := inputBlock(t, view, blockText).Element.(*slack.PlainTextInputBlockElement)
				if text.InitialValue != "Texte <actuel> & complet" {
					t.Errorf("initial value %q, want the post's text as is (plain text is not mrkdwn)", text.InitialValue)
				}
			})

			for _, decision := range []string{decisionReject, decisionChange} {
				t.Run("Reason/"+decision, func(t *testing.T) {
					meta := modalMeta{UserID: "U2", Channel: "C1", PostID: 7, Version: 2, Decision: decision}
					view := f.bot.reasonModal(meta)
					checkModal(t, view, CallbackReason, meta)
					wantTitle := map[string]map[commands.Lang]string{
						decisionReject: {commands.French: "Rejeter le post", commands.English: "Reject the post"},
						decisionChange: {commands.French: "Demander des modifs", commands.English: "Request changes"},
					}[decision][lang]
					if view.Title.Text != wantTitle {
						t.Errorf("title %q, want %q", view.Title.Text, wantTitle)
					}
					reason := inputBlock(t, view, blockReason)
					if reason.Optional || reason.Element.(*slack.PlainTextInputBlockElement).ActionID != inputReason {
						t.Errorf("reason block %+v", reason)
					}
				})
			}
		})
	}
}

func TestModalMeta(t *testing.T) {
	t.Parallel()
	for _, m := range []modalMeta{
		{},
		{UserID: "U1"},
		{UserID: "U1", Channel: "C1", PostID: 1 << 53, Version: 99, Decision: decisionChange},
		{UserID: `U"1\`, Channel: "C<1>&"},
	} {
		if got, err := decodeMeta(m.encode()); err != nil || got != m {
			t.Errorf("%+v → %q → %+v, %v", m, m.encode(), got, err)
		}
	}
	for _, bad := range []string{"", "{", "null x", `{"p":"one"}`} {
		if _, err := decodeMeta(bad); err == nil {
			t.Errorf("decodeMeta(%q) accepted", bad)
		}
	}
}
