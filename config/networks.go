package config

import (
	"strings"
)

// A network is on when its credentials are set and off when none are; base
// URL overrides alone neither turn it on nor count as half configured, so a
// test harness can point every client at local servers and enable only some.

// MastodonConfig is one Mastodon account: MASTODON_URL and MASTODON_TOKEN.
type MastodonConfig struct {
	// URL is MASTODON_URL, the instance's base URL (e.g.
	// "https://mastodon.social"), without a trailing slash. There is no
	// default: every instance is its own server.
	URL string
	// Token is MASTODON_TOKEN (or _FILE), an access token with write:statuses.
	Token Secret
}

// Enabled reports whether the Mastodon account is configured.
func (m MastodonConfig) Enabled() bool { return m.URL != "" && m.Token.IsSet() }

// BlueskyConfig is one Bluesky account: BLUESKY_HANDLE, BLUESKY_APP_PASSWORD,
// BLUESKY_PDS_URL and BLUESKY_APPVIEW_URL.
type BlueskyConfig struct {
	// Handle is BLUESKY_HANDLE (e.g. "team.bsky.social" or a DID), without
	// the "@" people often type before it.
	Handle string
	// AppPassword is BLUESKY_APP_PASSWORD (or _FILE): an app password
	// (xxxx-xxxx-xxxx-xxxx), which can be revoked on its own, never the
	// account's password.
	AppPassword Secret
	// PDSURL is BLUESKY_PDS_URL, the account's server, without a trailing
	// slash; default "https://bsky.social".
	PDSURL string
	// AppViewURL is BLUESKY_APPVIEW_URL, where a post's counts and the
	// account's followers are read, without a trailing slash; default
	// "https://public.api.bsky.app" (Bluesky's public AppView). Tests point
	// it at a local server.
	AppViewURL string
}

// Enabled reports whether the Bluesky account is configured.
func (b BlueskyConfig) Enabled() bool { return b.Handle != "" && b.AppPassword.IsSet() }

// XConfig is one X account: X_ACCESS_TOKEN and X_API_URL.
type XConfig struct {
	// AccessToken is X_ACCESS_TOKEN (or _FILE), an OAuth 2.0 user token with
	// tweet.write.
	AccessToken Secret
	// APIURL is X_API_URL, without a trailing slash; default
	// "https://api.x.com".
	APIURL string
}

// Enabled reports whether the X account is configured.
func (x XConfig) Enabled() bool { return x.AccessToken.IsSet() }

// LinkedInConfig is one LinkedIn member or organization:
// LINKEDIN_ACCESS_TOKEN, LINKEDIN_AUTHOR_URN and LINKEDIN_API_URL.
type LinkedInConfig struct {
	// AccessToken is LINKEDIN_ACCESS_TOKEN (or _FILE).
	AccessToken Secret
	// AuthorURN is LINKEDIN_AUTHOR_URN, whom posts are published as:
	// "urn:li:person:…" or "urn:li:organization:…".
	AuthorURN string
	// APIURL is LINKEDIN_API_URL, without a trailing slash; default
	// "https://api.linkedin.com".
	APIURL string
	// Version is LINKEDIN_VERSION, the LinkedIn-Version header (YYYYMM);
	// empty: the client's default. LinkedIn retires versions after about
	// a year, so a deployment may need to move it on.
	Version string
}

// Enabled reports whether the LinkedIn account is configured.
func (l LinkedInConfig) Enabled() bool { return l.AccessToken.IsSet() && l.AuthorURN != "" }

// FacebookConfig is one Facebook Page: FACEBOOK_PAGE_ID, FACEBOOK_PAGE_TOKEN
// and FACEBOOK_GRAPH_URL.
type FacebookConfig struct {
	// PageID is FACEBOOK_PAGE_ID, the Page's numeric ID.
	PageID string
	// PageToken is FACEBOOK_PAGE_TOKEN (or _FILE), a Page access token.
	PageToken Secret
	// GraphURL is FACEBOOK_GRAPH_URL, without a trailing slash; default
	// "https://graph.facebook.com".
	GraphURL string
	// Version is FACEBOOK_GRAPH_VERSION ("v26.0"); empty: the client's
	// default.
	Version string
}

// Enabled reports whether the Facebook Page is configured.
func (f FacebookConfig) Enabled() bool { return f.PageID != "" && f.PageToken.IsSet() }

func (r *reader) mastodon() MastodonConfig {
	var m MastodonConfig
	m.URL = r.url(envMastodonURL, "", "https://mastodon.social")
	// The profile URL is what people copy; the API lives at the instance's root.
	if i := strings.Index(m.URL, "/@"); i >= 0 {
		r.fail(envMastodonURL, "%q is a profile URL (want the instance alone, %q)", m.URL, m.URL[:i])
	}
	var tokenVar string
	m.Token, tokenVar = r.secret(envMastodonToken)
	switch {
	case m.URL != "" && !m.Token.IsSet():
		r.pair(envMastodonURL, envMastodonToken, true)
	case m.URL == "" && m.Token.IsSet():
		r.pair(tokenVar, envMastodonURL, false)
	}
	return m
}

func (r *reader) bluesky() BlueskyConfig {
	var b BlueskyConfig
	b.Handle = strings.TrimPrefix(r.get(envBlueskyHandle), "@")
	if b.Handle != "" && !strings.HasPrefix(b.Handle, "did:") &&
		(!strings.Contains(b.Handle, ".") || strings.ContainsFunc(b.Handle, isSpace) || strings.Contains(b.Handle, "/")) {
		r.fail(envBlueskyHandle, "%q is not a handle (want a domain such as \"team.bsky.social\", or a DID)", b.Handle)
	}
	var passwordVar string
	b.AppPassword, passwordVar = r.secret(envBlueskyPassword)
	if b.AppPassword.IsSet() && !isAppPassword(b.AppPassword.Reveal()) {
		r.fail(passwordVar, "not an app password (want the xxxx-xxxx-xxxx-xxxx kind from Settings > Privacy and security > App passwords, never the account's password)")
	}
	b.PDSURL = r.url(envBlueskyPDSURL, defaultBlueskyPDSURL, defaultBlueskyPDSURL)
	b.AppViewURL = r.url(envBlueskyAppViewURL, defaultBlueskyAppViewURL, defaultBlueskyAppViewURL)
	switch {
	case b.Handle != "" && !b.AppPassword.IsSet():
		r.pair(envBlueskyHandle, envBlueskyPassword, true)
	case b.Handle == "" && b.AppPassword.IsSet():
		r.pair(passwordVar, envBlueskyHandle, false)
	}
	return b
}

// isAppPassword reports whether v has the shape of a Bluesky app password:
// four groups of four lower-case letters or digits. Refusing anything else
// keeps the account's main password, which cannot be revoked on its own and
// unlocks everything, out of the bot's environment.
func isAppPassword(v string) bool {
	groups := strings.Split(v, "-")
	if len(groups) != 4 {
		return false
	}
	for _, g := range groups {
		if len(g) != 4 {
			return false
		}
		for _, c := range g {
			if (c < 'a' || c > 'z') && (c < '0' || c > '9') {
				return false
			}
		}
	}
	return true
}

func (r *reader) x() XConfig {
	var x XConfig
	x.AccessToken, _ = r.secret(envXToken)
	x.APIURL = r.url(envXAPIURL, defaultXAPIURL, defaultXAPIURL)
	return x
}

func (r *reader) linkedIn() LinkedInConfig {
	var l LinkedInConfig
	var tokenVar string
	l.AccessToken, tokenVar = r.secret(envLinkedInToken)
	l.AuthorURN = r.get(envLinkedInAuthor)
	if l.AuthorURN != "" && !isLinkedInAuthor(l.AuthorURN) {
		r.fail(envLinkedInAuthor, "%q is not an author URN (want urn:li:person:… or urn:li:organization:…)", l.AuthorURN)
	}
	l.APIURL = r.url(envLinkedInAPIURL, defaultLinkedInAPIURL, defaultLinkedInAPIURL)
	l.Version = r.get(envLinkedInVersion)
	if l.Version != "" && (len(l.Version) != 6 || strings.Trim(l.Version, "0123456789") != "") {
		r.fail(envLinkedInVersion, "%q is not a LinkedIn API version (want YYYYMM, e.g. 202610)", l.Version)
	}
	switch {
	case l.AccessToken.IsSet() && l.AuthorURN == "":
		r.pair(tokenVar, envLinkedInAuthor, false)
	case !l.AccessToken.IsSet() && l.AuthorURN != "":
		r.pair(envLinkedInAuthor, envLinkedInToken, true)
	}
	return l
}

// isLinkedInAuthor accepts the two kinds of author the Posts API takes.
func isLinkedInAuthor(v string) bool {
	for _, prefix := range []string{"urn:li:person:", "urn:li:organization:"} {
		if id, ok := strings.CutPrefix(v, prefix); ok {
			return id != "" && !strings.ContainsFunc(id, isSpace) && !strings.Contains(id, ":")
		}
	}
	return false
}

func (r *reader) facebook() FacebookConfig {
	var f FacebookConfig
	f.PageID = r.get(envFacebookPageID)
	if f.PageID != "" && strings.Trim(f.PageID, "0123456789") != "" {
		r.fail(envFacebookPageID, "%q is not a Page ID (want the Page's numeric ID, from its About section)", f.PageID)
	}
	var tokenVar string
	f.PageToken, tokenVar = r.secret(envFacebookToken)
	f.GraphURL = r.url(envFacebookGraphURL, defaultFacebookGraphURL, defaultFacebookGraphURL)
	f.Version = r.get(envFacebookVersion)
	if v, ok := strings.CutPrefix(f.Version, "v"); f.Version != "" && (!ok || v == "" || strings.Trim(v, "0123456789.") != "") {
		r.fail(envFacebookVersion, "%q is not a Graph API version (want e.g. v26.0)", f.Version)
	}
	switch {
	case f.PageID != "" && !f.PageToken.IsSet():
		r.pair(envFacebookPageID, envFacebookToken, true)
	case f.PageID == "" && f.PageToken.IsSet():
		r.pair(tokenVar, envFacebookPageID, false)
	}
	return f
}
