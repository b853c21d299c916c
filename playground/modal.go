package playground

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The messages Slack's client shows next to a field before anything is
// sent; the playground's page is French first, like catweete.
const (
	msgRequired = "Ce champ est obligatoire."
	msgTooLong  = "%d caractères au plus."
	msgTooShort = "%d caractères au moins."
	msgNoOption = "Choix inconnu : %s"
)

// pageValue is one field's value as the page sends it (API.md):
// {"type", "value" | "selected_options":[{"value"}] | "selected_option":{"value"}
// | "selected_date_time": unix}.
type pageValue struct {
	Value           *string                  `json:"value"`
	SelectedOption  *struct{ Value string }  `json:"selected_option"`
	SelectedOptions []struct{ Value string } `json:"selected_options"`
	DateTime        *json.Number             `json:"selected_date_time"`
	Date            *string                  `json:"selected_date"`
	Time            *string                  `json:"selected_time"`
	User            *string                  `json:"selected_user"`
	Users           []string                 `json:"selected_users"`
	Conversation    *string                  `json:"selected_conversation"`
	Channel         *string                  `json:"selected_channel"`
}

// stateValues builds a submitted modal's state.values, as Slack sends them:
// every input block, with the page's value, or the field's initial value
// when the page sent none (the field was left as it was drawn). Fields a
// person must fill and did not, or filled beyond their limits, are returned
// as errors by block id, as Slack's client shows them.
func stateValues(blocks []any, given map[string]map[string]json.RawMessage) (map[string]any, map[string]string) {
	values := map[string]any{}
	errs := map[string]string{}
	for _, b := range blocks {
		block, _ := b.(map[string]any)
		if block == nil || block["type"] != "input" {
			continue
		}
		blockID, _ := block["block_id"].(string)
		el, _ := block["element"].(map[string]any)
		if el == nil {
			continue
		}
		actionID, _ := el["action_id"].(string)
		raw, sent := given[blockID][actionID]
		var pv pageValue
		if sent {
			if err := json.Unmarshal(raw, &pv); err != nil {
				errs[blockID] = "valeur illisible : " + err.Error()
				continue
			}
		}
		entry, filled, problem := fieldValue(el, pv, sent)
		optional, _ := block["optional"].(bool)
		switch {
		case problem != "":
			errs[blockID] = problem
		case !filled && !optional:
			errs[blockID] = msgRequired
		}
		values[blockID] = map[string]any{actionID: entry}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return values, nil
}

// fieldValue is one element's entry in state.values, whether it holds
// something, and what is wrong with it.
func fieldValue(el map[string]any, pv pageValue, sent bool) (map[string]any, bool, string) {
	typ, _ := el["type"].(string)
	entry := map[string]any{"type": typ}
	switch typ {
	case "plain_text_input", "email_text_input", "url_text_input", "number_input":
		text, _ := el["initial_value"].(string)
		if sent {
			text = ""
			if pv.Value != nil {
				text = *pv.Value
			}
		}
		entry["value"] = nilIfEmpty(text)
		n := utf8.RuneCountInString(text)
		if max, ok := el["max_length"].(float64); ok && n > int(max) {
			return entry, true, fmt.Sprintf(msgTooLong, int(max))
		}
		if min, ok := el["min_length"].(float64); ok && n > 0 && n < int(min) {
			return entry, true, fmt.Sprintf(msgTooShort, int(min))
		}
		return entry, strings.TrimSpace(text) != "", ""
	case "static_select", "radio_buttons", "external_select":
		chosen, _ := el["initial_option"].(map[string]any)
		if sent {
			chosen = nil
			value := ""
			if pv.SelectedOption != nil {
				value = pv.SelectedOption.Value
			} else if pv.Value != nil {
				value = *pv.Value
			}
			if value != "" {
				o, found := option(el, value)
				if !found {
					return entry, true, fmt.Sprintf(msgNoOption, value)
				}
				chosen = o
			}
		}
		if chosen == nil {
			entry["selected_option"] = nil
			return entry, false, ""
		}
		entry["selected_option"] = chosen
		return entry, true, ""
	case "multi_static_select", "checkboxes", "multi_external_select":
		chosen, _ := el["initial_options"].([]any)
		if sent {
			chosen = []any{}
			for _, s := range pv.SelectedOptions {
				o, found := option(el, s.Value)
				if !found {
					return entry, true, fmt.Sprintf(msgNoOption, s.Value)
				}
				chosen = append(chosen, o)
			}
		}
		if chosen == nil {
			chosen = []any{}
		}
		entry["selected_options"] = chosen
		return entry, len(chosen) > 0, ""
	case "datetimepicker":
		var at any
		if initial, ok := el["initial_date_time"].(float64); ok {
			at = int64(initial)
		}
		if sent {
			at = nil
			if pv.DateTime != nil {
				n, err := strconv.ParseInt(pv.DateTime.String(), 10, 64)
				if err != nil {
					return entry, true, "date illisible : " + pv.DateTime.String()
				}
				at = n
			}
		}
		entry["selected_date_time"] = at
		return entry, at != nil, ""
	case "datepicker":
		return stringEntry(entry, "selected_date", el["initial_date"], pv.Date, sent)
	case "timepicker":
		return stringEntry(entry, "selected_time", el["initial_time"], pv.Time, sent)
	case "users_select":
		return stringEntry(entry, "selected_user", el["initial_user"], pv.User, sent)
	case "conversations_select":
		return stringEntry(entry, "selected_conversation", el["initial_conversation"], pv.Conversation, sent)
	case "channels_select":
		return stringEntry(entry, "selected_channel", el["initial_channel"], pv.Channel, sent)
	case "multi_users_select":
		users := pv.Users
		if !sent {
			for _, u := range asList(el["initial_users"]) {
				if s, ok := u.(string); ok {
					users = append(users, s)
				}
			}
		}
		if users == nil {
			users = []string{}
		}
		entry["selected_users"] = users
		return entry, len(users) > 0, ""
	default:
		if pv.Value != nil {
			entry["value"] = *pv.Value
		}
		return entry, pv.Value != nil && *pv.Value != "", ""
	}
}

func stringEntry(entry map[string]any, field string, initial any, given *string, sent bool) (map[string]any, bool, string) {
	s, _ := initial.(string)
	if sent {
		s = ""
		if given != nil {
			s = *given
		}
	}
	entry[field] = nilIfEmpty(s)
	return entry, s != "", ""
}

func asList(v any) []any { l, _ := v.([]any); return l }
