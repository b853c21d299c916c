package social

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestBaseURL(t *testing.T) {
	t.Parallel()
	required := URLSetting{Network: "mastodon", Name: "the instance URL (MASTODON_URL)", Example: "https://mastodon.social", SecretSetting: "MASTODON_TOKEN"}
	defaulted := URLSetting{Network: "bluesky", Name: "the AppView URL", Default: "https://public.api.bsky.app"}
	tests := []struct {
		name    string
		raw     string
		s       URLSetting
		want    string
		wantErr string // "" means BaseURL must succeed
	}{
		{"TrailingSlashesAreDropped", " https://mastodon.social// ", required, "https://mastodon.social", ""},
		{"PathPrefixIsKept", "http://localhost:3000/masto/", required, "http://localhost:3000/masto", ""},
		{"EmptyMeansDefault", "  ", defaulted, "https://public.api.bsky.app", ""},
		{"EmptyWithoutDefault", "", required, "", "mastodon: the instance URL (MASTODON_URL) is required"},
		{"Relative", "mastodon.social", required, "", "mastodon: the instance URL (MASTODON_URL) must be an absolute http or https URL, such as https://mastodon.social"},
		{"OtherScheme", "ftp://bsky.example", defaulted, "", "bluesky: the AppView URL must be an absolute http or https URL, such as https://public.api.bsky.app"},
		{"Credentials", "https://me:hunter2@mastodon.social", required, "", "mastodon: the instance URL (MASTODON_URL) must not hold credentials: put the token in MASTODON_TOKEN"},
		{"CredentialsWithoutSecretSetting", "https://me:hunter2@bsky.example", defaulted, "", "bluesky: the AppView URL must not hold credentials"},
		{"Query", "https://mastodon.social/?token=hunter2", required, "", "mastodon: the instance URL (MASTODON_URL) must not have a query or a fragment"},
		{"Fragment", "https://mastodon.social/#hunter2", required, "", "mastodon: the instance URL (MASTODON_URL) must not have a query or a fragment"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := BaseURL(tt.raw, tt.s)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Errorf("BaseURL(%q) = %q, %v; want the error %q", tt.raw, got, err, tt.wantErr)
				}
				if err != nil && strings.Contains(err.Error(), "hunter2") {
					t.Errorf("err = %v echoes the value", err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("BaseURL(%q) = %q, %v; want %q", tt.raw, got, err, tt.want)
			}
		})
	}
}

func TestCheckToken(t *testing.T) {
	t.Parallel()
	const name = "the access token (X_ACCESS_TOKEN)"
	tests := []struct {
		raw, want, wantErr string
	}{
		{"abc\n", "abc", ""},
		{" \t", "", "x: the access token (X_ACCESS_TOKEN) is required"},
		{"Bearer hunter2", "", "x: the access token (X_ACCESS_TOKEN) contains spaces or control characters"},
		{"hunter2\x00", "", "x: the access token (X_ACCESS_TOKEN) contains spaces or control characters"},
		{"hunter2\u00a0x", "", "x: the access token (X_ACCESS_TOKEN) contains spaces or control characters"},
	}
	for _, tt := range tests {
		got, err := CheckToken(tt.raw, "x", name)
		if tt.wantErr != "" {
			if err == nil || err.Error() != tt.wantErr {
				t.Errorf("CheckToken(%q) = %q, %v; want the error %q", tt.raw, got, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("CheckToken(%q) = %q, %v; want %q", tt.raw, got, err, tt.want)
		}
	}
}

func TestDefaultHTTPClient(t *testing.T) {
	t.Parallel()
	hc := &http.Client{}
	if DefaultHTTPClient(hc) != hc {
		t.Error("DefaultHTTPClient replaced the given client")
	}
	c := DefaultHTTPClient(nil)
	if c.Timeout != DefaultTimeout {
		t.Errorf("Timeout = %v, want %v", c.Timeout, DefaultTimeout)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/there" {
			t.Errorf("the client followed a %s redirect", r.Method)
		}
		http.Redirect(w, r, "/there", http.StatusFound)
	}))
	t.Cleanup(srv.Close)
	for _, method := range []string{http.MethodGet, http.MethodPost} {
		req, _ := http.NewRequest(method, srv.URL+"/here", nil)
		resp, err := c.Do(req)
		if err != nil {
			t.Fatalf("%s: %v", method, err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != "/there" {
			t.Errorf("%s: status %d, Location %q; want the redirect itself", method, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
}
