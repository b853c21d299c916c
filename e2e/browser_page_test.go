package e2e

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserPage checks the playground page alone, against pgFake: how it
// draws Block Kit and mrkdwn, whom it shows ephemeral messages to, what it
// posts for a click, a confirm dialog, a thread reply, a shortcut, and how a
// modal collects its values, shows the errors the bot returns under the
// right block, and closes. The real server is not needed for it.
func TestBrowserPage(t *testing.T) {
	t.Parallel()
	needChromium(t)
	now := time.Now().Unix()
	ts := func(n int) string { return jsonNumber(now-600+int64(n)*60) + ".000100" }
	card := map[string]any{
		"channel": "CAPPROVALS", "ts": ts(2), "user": "UBOT", "text": "Post n°7", "reply_count": 1,
		"blocks": []any{
			map[string]any{"type": "header", "text": map[string]any{"type": "plain_text", "text": "Post n°7 — en attente d'approbation"}},
			map[string]any{"type": "section", "text": map[string]any{"type": "plain_text", "text": "Un texte *tel quel* <pas un lien>"}},
			map[string]any{"type": "section", "fields": []any{
				map[string]any{"type": "mrkdwn", "text": "*Auteur·ice*\n<@UAUTHOR>"},
				map[string]any{"type": "mrkdwn", "text": "*Quand*\ndès l'approbation"},
				map[string]any{"type": "mrkdwn", "text": "*État*\nen attente"},
				map[string]any{"type": "mrkdwn", "text": "*Approbations*\n0/1"},
			}},
			map[string]any{"type": "context", "block_id": "accounts", "elements": []any{map[string]any{"type": "mrkdwn", "text": "*Comptes* : Sandbox 40/500"}}},
			map[string]any{"type": "divider"},
			map[string]any{"type": "image", "image_url": "/pg/files/F1", "alt_text": "un graphique", "title": map[string]any{"type": "plain_text", "text": "Portée"}},
			map[string]any{"type": "actions", "block_id": "card_actions", "elements": []any{
				map[string]any{"type": "button", "action_id": "approve", "value": "7:1", "style": "primary", "text": map[string]any{"type": "plain_text", "text": "Approuver"}},
				map[string]any{"type": "button", "action_id": "request_changes", "value": "7:1", "text": map[string]any{"type": "plain_text", "text": "Demander des modifications"}},
				map[string]any{"type": "button", "action_id": "cancel_post", "value": "7:1", "style": "danger", "text": map[string]any{"type": "plain_text", "text": "Annuler le post"},
					"confirm": map[string]any{
						"title":   map[string]any{"type": "plain_text", "text": "Vous êtes sûr·e ?"},
						"text":    map[string]any{"type": "plain_text", "text": "Le post n°7 ne sera pas publié."},
						"confirm": map[string]any{"type": "plain_text", "text": "Oui, annuler"},
						"deny":    map[string]any{"type": "plain_text", "text": "Non"},
					}},
			}},
		},
	}
	state := map[string]any{
		"users": []any{
			map[string]any{"id": "UAUTHOR", "name": "Camille (autrice)"},
			map[string]any{"id": "UAPPROVER1", "name": "Sam (approbateur)"},
			map[string]any{"id": "UAPPROVER2", "name": "Léa (approbatrice)"},
			map[string]any{"id": "UCOLLEAGUE", "name": "Alex (collègue)"},
		},
		"channels": []any{
			map[string]any{"id": "CGENERAL", "name": "general"},
			map[string]any{"id": "CAPPROVALS", "name": "approbations"},
		},
		"messages": []any{
			map[string]any{"channel": "CAPPROVALS", "ts": ts(1), "user": "UAUTHOR",
				"text": "Bonjour <@UAPPROVER1> &amp; <#CAPPROVALS> : *gras* _italique_ ~barré~ `x < y` &lt;b&gt;pas du HTML&lt;/b&gt; <https://example.org/a?b=1&amp;c=2|un lien> snake_case_name voir https://example.com/x_y_z.\n&gt; une citation\n> et la suite"},
			card,
			map[string]any{"channel": "CAPPROVALS", "ts": ts(3), "user": "UBOT", "text": "Seulement pour Camille", "ephemeral_for": "UAUTHOR"},
			map[string]any{"channel": "CAPPROVALS", "ts": ts(4), "user": "UBOT", "text": "Seulement pour Alex", "ephemeral_for": "UCOLLEAGUE"},
			map[string]any{"channel": "CAPPROVALS", "ts": ts(5), "user": "UBOT", "thread_ts": ts(2), "text": "La courbe de la semaine",
				"files": []any{map[string]any{"id": "F1", "title": "portee.png", "url": "/pg/files/F1"}}},
		},
		"views": []any{},
	}
	fake := newPGFake(t, state)
	p := openPage(t, fake.srv.URL+"/")
	p.switchUser("UAUTHOR")
	p.openChannel("CAPPROVALS")

	t.Run("Mrkdwn", func(t *testing.T) {
		got := evalJS[map[string]any](p, "the first message", `(() => {
			const m = document.querySelector('#messages .message[data-ts="`+ts(1)+`"] .message-text');
			return {html: m.innerHTML, text: m.innerText,
				link: m.querySelector('a[href^="https://example.org"]')?.getAttribute('href') || '',
				bare: m.querySelector('a[href^="https://example.com"]')?.getAttribute('href') || '',
				mention: m.querySelector('.mention[data-user-id="UAPPROVER1"]')?.textContent || '',
				channel: m.querySelector('[data-channel-link="CAPPROVALS"]')?.textContent || '',
				quote: m.querySelector('blockquote')?.innerText || ''};
		})()`)
		html, text := got["html"].(string), got["text"].(string)
		for _, want := range []string{"<b>gras</b>", "<i>italique</i>", "<s>barré</s>", "<code>x &lt; y</code>", "&lt;b&gt;pas du HTML&lt;/b&gt;"} {
			if !strings.Contains(html, want) {
				t.Errorf("the message's HTML lacks %q:\n%s", want, html)
			}
		}
		if strings.Contains(html, "<i>case</i>") {
			t.Errorf("snake_case_name was put in italics:\n%s", html)
		}
		for _, want := range []string{"Bonjour @Sam (approbateur) & #approbations", "un lien", "snake_case_name"} {
			if !strings.Contains(text, want) {
				t.Errorf("the message reads %q, want it to hold %q", text, want)
			}
		}
		if got["link"] != "https://example.org/a?b=1&c=2" {
			t.Errorf("link href = %q", got["link"])
		}
		if got["bare"] != "https://example.com/x_y_z" {
			t.Errorf("bare address linked to %q, want https://example.com/x_y_z (without the sentence's period)", got["bare"])
		}
		if got["mention"] != "@Sam (approbateur)" || got["channel"] != "#approbations" {
			t.Errorf("mention %q, channel %q", got["mention"], got["channel"])
		}
		if q := got["quote"].(string); !strings.Contains(q, "une citation") || !strings.Contains(q, "et la suite") {
			t.Errorf("quote = %q", q)
		}
	})

	t.Run("BlockKit", func(t *testing.T) {
		card := `#messages .message[data-ts="` + ts(2) + `"]`
		got := evalJS[map[string]any](p, "the card", `(() => {
			const m = document.querySelector('`+card+`');
			return {header: m.querySelector('.bk-header').textContent,
				plain: m.querySelector('.bk-section-text.is-plain').innerText,
				fields: m.querySelectorAll('.bk-field').length,
				author: m.querySelector('.bk-field .mention')?.textContent || '',
				context: m.querySelector('.bk-context').innerText,
				dividers: m.querySelectorAll('.bk-divider').length,
				image: m.querySelector('.bk-image img')?.getAttribute('src') || '',
				primary: m.querySelector('button[data-action-id="approve"]').dataset.style,
				danger: m.querySelector('button[data-action-id="cancel_post"]').dataset.style,
				replies: m.querySelector('.reply-count')?.textContent || '',
				app: m.querySelector('.app-badge')?.textContent || ''};
		})()`)
		want := map[string]any{"header": "Post n°7 — en attente d'approbation", "plain": "Un texte *tel quel* <pas un lien>",
			"fields": 4.0, "author": "@Camille (autrice)", "context": "Comptes : Sandbox 40/500", "dividers": 1.0, "image": "/pg/files/F1",
			"primary": "primary", "danger": "danger", "replies": "1 réponse", "app": "APP"}
		for k, w := range want {
			if got[k] != w {
				t.Errorf("%s = %#v, want %#v", k, got[k], w)
			}
		}
	})

	t.Run("Ephemeral", func(t *testing.T) {
		got := evalJS[[]string](p, "ephemeral messages", `[...document.querySelectorAll('#messages .message[data-ephemeral="true"]')].map(m => m.innerText)`)
		if len(got) != 1 || !strings.Contains(got[0], "Seulement pour Camille") || !strings.Contains(got[0], "Visible uniquement par vous") {
			t.Errorf("Camille sees the ephemeral messages %q, want only hers, marked «Visible uniquement par vous»", got)
		}
	})
	p.shot("card-and-mrkdwn")

	t.Run("ButtonsAndConfirm", func(t *testing.T) {
		card := `#messages .message[data-ts="` + ts(2) + `"]`
		p.do("click Approve", 5*time.Second, chromedp.Click(chromedp.CSS(card+` button[data-action-id="approve"]`)))
		a := waitPost(t, fake, "/pg/action", 1)
		want := map[string]any{"user": "UAUTHOR", "channel": "CAPPROVALS", "message_ts": ts(2), "block_id": "card_actions",
			"action_id": "approve", "value": "7:1", "view_id": ""}
		checkBody(t, "the click on Approve", a, want)

		p.do("click Cancel, then deny", 5*time.Second,
			chromedp.Click(chromedp.CSS(card+` button[data-action-id="cancel_post"]`)),
			chromedp.WaitVisible(chromedp.CSS(`.confirm-dialog`)))
		dialog := evalJS[string](p, "the confirm dialog", `document.querySelector('.confirm-dialog').innerText`)
		for _, w := range []string{"Vous êtes sûr·e ?", "Le post n°7 ne sera pas publié.", "Oui, annuler", "Non"} {
			if !strings.Contains(dialog, w) {
				t.Errorf("the confirm dialog reads %q, want %q in it", dialog, w)
			}
		}
		p.shot("confirm")
		p.do("deny", 5*time.Second, chromedp.Click(chromedp.CSS(`.confirm-dialog [data-role="deny"]`)),
			chromedp.WaitNotPresent(chromedp.CSS(`.confirm-dialog`)))
		time.Sleep(300 * time.Millisecond)
		if n := len(fake.postsTo("/pg/action")); n != 1 {
			t.Fatalf("after «Non», %d clicks were posted, want still 1", n)
		}
		p.do("confirm", 5*time.Second,
			chromedp.Click(chromedp.CSS(card+` button[data-action-id="cancel_post"]`)),
			chromedp.Click(chromedp.CSS(`.confirm-dialog [data-role="confirm"]`)))
		a = waitPost(t, fake, "/pg/action", 2)
		if a["action_id"] != "cancel_post" {
			t.Errorf("after «Oui, annuler», posted %v", a)
		}
	})

	t.Run("ThreadAndFiles", func(t *testing.T) {
		card := `#messages .message[data-ts="` + ts(2) + `"]`
		p.do("open the thread", 5*time.Second,
			chromedp.Click(chromedp.CSS(card+` .reply-count`)),
			chromedp.WaitVisible(chromedp.CSS(`.thread-pane .msg-file img`)))
		w := pollJS[float64](p, "the chart loaded", 5*time.Second, `document.querySelector('.thread-pane .msg-file img[src="/pg/files/F1"]')?.naturalWidth`)
		if w != 160 {
			t.Errorf("the chart is %v px wide, want 160", w)
		}
		p.typeAndEnter("#thread-composer", "Merci !")
		checkBody(t, "the reply in the thread", waitPost(t, fake, "/pg/send", 1),
			map[string]any{"user": "UAUTHOR", "channel": "CAPPROVALS", "text": "Merci !", "thread_ts": ts(2)})
		if v := evalJS[string](p, "the thread composer", `document.querySelector('#thread-composer').value`); v != "" {
			t.Errorf("the thread composer holds %q after Enter, want it empty", v)
		}
		p.shot("thread")
	})

	t.Run("Composer", func(t *testing.T) {
		p.typeAndEnter("#composer", "/catweete aide")
		checkBody(t, "the slash command", waitPost(t, fake, "/pg/send", 2),
			map[string]any{"user": "UAUTHOR", "channel": "CAPPROVALS", "text": "/catweete aide", "thread_ts": ""})
		if v := evalJS[string](p, "the composer", `document.querySelector('#composer').value`); v != "" {
			t.Errorf("the composer holds %q after Enter, want it empty", v)
		}
	})

	t.Run("Shortcut", func(t *testing.T) {
		msg := `#messages .message[data-ts="` + ts(1) + `"]`
		p.hover(msg)
		p.do("use the shortcut", 5*time.Second, chromedp.Click(chromedp.CSS(msg+` .msg-shortcut`)))
		checkBody(t, "the shortcut", waitPost(t, fake, "/pg/shortcut", 1),
			map[string]any{"user": "UAUTHOR", "channel": "CAPPROVALS", "message_ts": ts(1)})
	})

	t.Run("Modal", func(t *testing.T) {
		view := map[string]any{
			"type": "modal", "callback_id": "catweete_draft",
			"title":  map[string]any{"type": "plain_text", "text": "Nouveau post"},
			"submit": map[string]any{"type": "plain_text", "text": "Envoyer"},
			"close":  map[string]any{"type": "plain_text", "text": "Annuler"},
			"blocks": []any{
				map[string]any{"type": "input", "block_id": "text", "label": map[string]any{"type": "plain_text", "text": "Texte"},
					"hint":    map[string]any{"type": "plain_text", "text": "Ce qui sera publié, tel quel."},
					"element": map[string]any{"type": "plain_text_input", "action_id": "text_input", "multiline": true, "initial_value": "Bonjour le monde"}},
				map[string]any{"type": "input", "block_id": "accounts", "label": map[string]any{"type": "plain_text", "text": "Comptes"},
					"element": map[string]any{"type": "multi_static_select", "action_id": "accounts_input",
						"options":         []any{option("1", "Sandbox"), option("2", "Mastodon"), option("3", "Bluesky")},
						"initial_options": []any{option("1", "Sandbox"), option("3", "Bluesky")}}},
				map[string]any{"type": "input", "block_id": "network", "label": map[string]any{"type": "plain_text", "text": "Réseau"},
					"element": map[string]any{"type": "static_select", "action_id": "network_input",
						"options": []any{option("x", "X"), option("li", "LinkedIn")}}},
				map[string]any{"type": "input", "block_id": "when", "optional": true, "label": map[string]any{"type": "plain_text", "text": "Quand"},
					"hint":    map[string]any{"type": "plain_text", "text": "Vide : dès l'approbation."},
					"element": map[string]any{"type": "datetimepicker", "action_id": "when_input"}},
				map[string]any{"type": "input", "block_id": "tag", "optional": true, "label": map[string]any{"type": "plain_text", "text": "Campagne"},
					"element": map[string]any{"type": "plain_text_input", "action_id": "tag_input"}},
			},
		}
		fake.emit(map[string]any{"type": "view", "view": map[string]any{"id": "V1", "user": "UAUTHOR", "view": view}})
		p.do("the modal opens", 5*time.Second, chromedp.WaitVisible(chromedp.CSS(`.modal[data-view-id="V1"]`)))
		got := evalJS[map[string]any](p, "the modal", `(() => {
			const m = document.querySelector('.modal[data-view-id="V1"]');
			return {title: m.querySelector('.modal-title').textContent, submit: m.querySelector('.modal-submit').textContent,
				close: m.querySelector('.modal-close').textContent, text: m.querySelector('textarea[data-action-id="text_input"]').value,
				checked: [...m.querySelectorAll('[data-action-id="accounts_input"] input:checked')].map(c => c.value).join(','),
				optional: m.querySelector('.bk-block[data-block-id="when"] .bk-optional')?.textContent || '',
				hint: m.querySelector('.bk-block[data-block-id="text"] .bk-hint').textContent,
				picker: m.querySelector('.bk-block[data-block-id="when"] input').type};
		})()`)
		want := map[string]any{"title": "Nouveau post", "submit": "Envoyer", "close": "Annuler", "text": "Bonjour le monde",
			"checked": "1,3", "optional": " (facultatif)", "hint": "Ce qui sera publié, tel quel.", "picker": "datetime-local"}
		for k, w := range want {
			if got[k] != w {
				t.Errorf("modal %s = %#v, want %#v", k, got[k], w)
			}
		}
		p.shot("modal")

		// A required field left empty is refused in the page, as Slack does.
		p.do("submit with the network unset", 5*time.Second,
			chromedp.Click(chromedp.CSS(`.modal-submit`)),
			chromedp.WaitVisible(chromedp.CSS(`.bk-block[data-block-id="network"] .bk-input-error`)))
		if n := len(fake.postsTo("/pg/submit")); n != 0 {
			t.Fatalf("an incomplete modal was posted %d times", n)
		}

		// The bot refuses the text: its error shows under the text block,
		// and what was typed stays.
		fake.setSubmit(func(map[string]any) any {
			return map[string]any{"ok": false, "errors": map[string]any{"text": "Trop long pour X : 301/280."}}
		})
		when := time.Date(2031, 3, 4, 9, 30, 0, 0, time.Local)
		p.do("fill the modal and submit", 5*time.Second,
			chromedp.SetValue(chromedp.CSS(`select[data-action-id="network_input"]`), "li"),
			chromedp.SetValue(chromedp.CSS(`input[data-action-id="when_input"]`), when.Format("2006-01-02T15:04")),
			chromedp.Click(chromedp.CSS(`.modal-submit`)),
			chromedp.WaitVisible(chromedp.CSS(`.bk-block[data-block-id="text"] .bk-input-error`)))
		sub := waitPost(t, fake, "/pg/submit", 1)
		values, _ := json.Marshal(sub["values"])
		wantValues := `{"accounts":{"accounts_input":{"selected_options":[{"text":{"text":"Sandbox","type":"plain_text"},"value":"1"},{"text":{"text":"Bluesky","type":"plain_text"},"value":"3"}],"type":"multi_static_select"}},` +
			`"network":{"network_input":{"selected_option":{"text":{"text":"LinkedIn","type":"plain_text"},"value":"li"},"type":"static_select"}},` +
			`"tag":{"tag_input":{"type":"plain_text_input","value":null}},` +
			`"text":{"text_input":{"type":"plain_text_input","value":"Bonjour le monde"}},` +
			`"when":{"when_input":{"selected_date_time":` + jsonNumber(when.Unix()) + `,"type":"datetimepicker"}}}`
		if string(values) != wantValues {
			t.Errorf("submitted values\n got %s\nwant %s", values, wantValues)
		}
		if sub["user"] != "UAUTHOR" || sub["view_id"] != "V1" {
			t.Errorf("submitted by %v for %v, want UAUTHOR for V1", sub["user"], sub["view_id"])
		}
		errText := evalJS[string](p, "the error", `document.querySelector('.bk-block[data-block-id="text"] .bk-input-error').textContent`)
		if errText != "Trop long pour X : 301/280." {
			t.Errorf("the error under the text reads %q", errText)
		}
		if other := evalJS[int](p, "other errors", `[...document.querySelectorAll('.bk-input-error:not([hidden])')].length`); other != 1 {
			t.Errorf("%d errors shown, want only the text's", other)
		}
		p.shot("modal-error")

		fake.setSubmit(nil)
		p.do("submit again", 5*time.Second,
			chromedp.Click(chromedp.CSS(`.modal-submit`)),
			chromedp.WaitNotPresent(chromedp.CSS(`.modal[data-view-id="V1"]`)))
	})

	t.Run("ViewsPerUser", func(t *testing.T) {
		view := map[string]any{"type": "modal", "title": map[string]any{"type": "plain_text", "text": "Pourquoi ?"},
			"submit": map[string]any{"type": "plain_text", "text": "Envoyer"},
			"blocks": []any{map[string]any{"type": "input", "block_id": "reason", "label": map[string]any{"type": "plain_text", "text": "Raison"},
				"element": map[string]any{"type": "plain_text_input", "action_id": "reason_input"}}}}
		fake.emit(map[string]any{"type": "view", "view": map[string]any{"id": "V2", "user": "UAPPROVER1", "view": view}})
		time.Sleep(300 * time.Millisecond)
		if n := evalJS[int](p, "modals", `document.querySelectorAll('.modal').length`); n != 0 {
			t.Errorf("Camille sees %d modals opened for Sam", n)
		}
		p.switchUser("UAPPROVER1")
		p.do("Sam sees his modal, and closes it", 5*time.Second,
			chromedp.WaitVisible(chromedp.CSS(`.modal[data-view-id="V2"]`)),
			chromedp.Click(chromedp.CSS(`.modal[data-view-id="V2"] .modal-close`)),
			chromedp.WaitNotPresent(chromedp.CSS(`.modal`)))
		checkBody(t, "the close", waitPost(t, fake, "/pg/close", 1), map[string]any{"user": "UAPPROVER1", "view_id": "V2"})
		if n := evalJS[int](p, "ephemeral", `document.querySelectorAll('#messages .message[data-ephemeral="true"]').length`); n != 0 {
			t.Errorf("Sam sees %d of Camille's ephemeral messages", n)
		}

		fake.emit(map[string]any{"type": "view", "view": map[string]any{"id": "V3", "user": "UAPPROVER1", "view": view}})
		p.do("a view opened", 5*time.Second, chromedp.WaitVisible(chromedp.CSS(`.modal[data-view-id="V3"]`)))
		fake.emit(map[string]any{"type": "view_closed", "id": "V3", "user": "UAPPROVER1"})
		p.do("then closed by the server", 5*time.Second, chromedp.WaitNotPresent(chromedp.CSS(`.modal`)))
	})

	t.Run("LiveUpdates", func(t *testing.T) {
		updated := map[string]any{}
		for k, v := range card {
			updated[k] = v
		}
		updated["edited"] = true
		updated["blocks"] = []any{map[string]any{"type": "header", "text": map[string]any{"type": "plain_text", "text": "Post n°7 — publié"}}}
		before := evalJS[int](p, "messages", `document.querySelectorAll('#messages .message').length`)
		fake.emit(map[string]any{"type": "message", "message": updated})
		fake.emit(map[string]any{"type": "message", "message": map[string]any{"channel": "CGENERAL", "ts": ts(6), "user": "UCOLLEAGUE", "text": "coucou"}})
		fake.emit(map[string]any{"type": "error", "text": "chat.postMessage: channel_not_found"})
		card := `#messages .message[data-ts="` + ts(2) + `"]`
		pollJS[bool](p, "the card updated in place", 5*time.Second, `document.querySelector('`+card+` .bk-header')?.textContent === 'Post n°7 — publié' &&
			!document.querySelector('`+card+` button[data-action-id]') && !!document.querySelector('`+card+` .message-edited')`)
		if after := evalJS[int](p, "messages", `document.querySelectorAll('#messages .message').length`); after != before {
			t.Errorf("%d messages before the update, %d after: want the same", before, after)
		}
		pollJS[bool](p, "#general marked unread", 5*time.Second, `document.querySelector('.channel-item[data-channel-id="CGENERAL"]').classList.contains('unread')`)
		banner := pollJS[string](p, "the bot's error in the banner", 5*time.Second, `document.querySelector('#error-banner:not([hidden]) .error-item[data-source="bot"]')?.innerText`)
		if !strings.Contains(banner, "channel_not_found") {
			t.Errorf("the banner reads %q", banner)
		}
		p.shot("live-updates")
	})

	t.Run("Network", func(t *testing.T) {
		fake.setNetwork([]any{map[string]any{"id": "sbx-1", "url": "http://localhost/sandbox/posts/sbx-1", "text": "Le playground tweete !",
			"published_at": time.Now().UTC().Format(time.RFC3339),
			"metrics":      map[string]any{"impressions": 1200, "reach": 800, "likes": 31, "reposts": 4, "replies": 2, "clicks": 17}}})
		p.do("open the network tab", 5*time.Second, chromedp.Click(chromedp.ID("network-tab")))
		text := pollJS[string](p, "the post in the network tab", 10*time.Second, `document.querySelector('.network-post[data-post-id="sbx-1"]')?.innerText`)
		for _, w := range []string{"Le playground tweete !", "1\u202f200 Impressions", "800 Portée", "31 J’aime", "17 Clics", "/sandbox/posts/sbx-1"} {
			if !strings.Contains(text, w) {
				t.Errorf("the network post reads %q, want %q in it", text, w)
			}
		}
		p.shot("network")
	})
	p.mu.Lock()
	problems := p.problems
	p.mu.Unlock()
	for _, pr := range problems {
		t.Errorf("the page logged: %s", pr)
	}
}

func option(value, text string) map[string]any {
	return map[string]any{"text": map[string]any{"type": "plain_text", "text": text}, "value": value}
}

func jsonNumber(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// waitPost waits for the n-th POST the page made to path.
func waitPost(t *testing.T, f *pgFake, path string, n int) map[string]any {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		if posts := f.postsTo(path); len(posts) >= n {
			return posts[n-1]
		}
		if time.Now().After(deadline) {
			t.Fatalf("the page did not POST %s %d time(s) within 5 s", path, n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func checkBody(t *testing.T, what string, got, want map[string]any) {
	t.Helper()
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s: %s = %#v, want %#v (body %v)", what, k, got[k], w, got)
		}
	}
}
