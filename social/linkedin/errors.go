package linkedin

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"

	"catweete/social"
)

// errorBody is LinkedIn's error answer
// (https://learn.microsoft.com/en-us/linkedin/shared/api-guide/concepts/error-handling),
// e.g. for a duplicate post:
//
//	{"errorDetailType":"com.linkedin.common.error.BadRequest",
//	 "message":"com.linkedin.content.common.exception.BadRequestResponseException: Content is a duplicate of urn:li:share:7141138937766391808",
//	 "errorDetails":{"inputErrors":[{"description":"Duplicate post is detected","input":{},"code":"DUPLICATE_POST"}]},
//	 "status":422}
type errorBody struct {
	Status       int    `json:"status"`
	Code         string `json:"code"`
	Message      string `json:"message"`
	ErrorDetails struct {
		InputErrors []struct {
			Code        string `json:"code"`
			Description string `json:"description"`
		} `json:"inputErrors"`
	} `json:"errorDetails"`
}

var (
	// javaPrefixRE matches the exception class LinkedIn puts before some
	// messages ("com.linkedin.….BadRequestResponseException: "), which
	// means nothing to the person reading the alert.
	javaPrefixRE = regexp.MustCompile(`^(?:[a-z][a-z0-9_]*\.)+[A-Za-z0-9_$]*Exception:\s*`)
	// existingRE finds the post a duplicate refers to.
	existingRE = regexp.MustCompile(`urn:li:(?:share|ugcPost|activity):[0-9]+`)
)

// statusError classifies a non-2xx answer as social.StatusError does, with
// LinkedIn's own signals: a duplicate post is Duplicate, naming the existing
// post, and a 426 says which setting to change.
func (c *Client) statusError(resp *http.Response, body []byte) *social.Error {
	code := resp.StatusCode
	var eb errorBody
	parsed := json.Unmarshal(body, &eb) == nil
	e := social.StatusError(resp, social.NetworkLinkedIn, words(eb, parsed),
		"check LINKEDIN_API_URL", c.nowFunc(), c.token)
	switch {
	case parsed && isDuplicate(code, eb):
		e.Class = social.Duplicate
		if urn := existingRE.FindString(eb.Message); urn != "" {
			e.Existing = published(urn)
		}
	case code == http.StatusUpgradeRequired: // 426 NONEXISTENT_VERSION
		e.Message = c.clean(fmt.Sprintf("%s: LinkedIn no longer serves API version %s; set LINKEDIN_VERSION to a recent YYYYMM", e.Message, c.version))
	}
	return e
}

// isDuplicate reports whether LinkedIn refused the post as an exact
// duplicate of a recent one: 422 (409 before October 2020) with the
// DUPLICATE_POST code, or the "Content is a duplicate of …" message.
func isDuplicate(status int, eb errorBody) bool {
	if status != http.StatusUnprocessableEntity && status != http.StatusConflict {
		return false
	}
	if eb.Code == "DUPLICATE_POST" {
		return true
	}
	for _, ie := range eb.ErrorDetails.InputErrors {
		if ie.Code == "DUPLICATE_POST" {
			return true
		}
	}
	return strings.Contains(eb.Message, "is a duplicate of urn:li:")
}

// words returns LinkedIn's own words about a failure: its message without
// the Java exception class, else its error code; "" when the body is not
// LinkedIn's error JSON (an HTML page from a proxy).
func words(eb errorBody, parsed bool) string {
	msg := ""
	if parsed {
		msg = strings.TrimSpace(javaPrefixRE.ReplaceAllString(strings.TrimSpace(eb.Message), ""))
		if msg == "" {
			for _, ie := range eb.ErrorDetails.InputErrors {
				if msg = strings.TrimSpace(ie.Description); msg != "" {
					break
				}
			}
		}
		if eb.Code != "" && !strings.Contains(msg, eb.Code) {
			if msg == "" {
				msg = eb.Code
			} else {
				msg = eb.Code + ": " + msg
			}
		}
	}
	return msg
}

// clean makes a server-supplied text safe and short enough for Slack.
func (c *Client) clean(s string) string {
	return social.CleanMessage(s, c.token)
}
