// Package e2e drives the built catweete binary from the outside, as Slack
// and Mastodon would: signed HTTP requests in, Web API and Mastodon API calls
// out, recorded by local fakes. Its tests are in *_test.go files; this file
// only gives the directory a package.
package e2e
