// Command catweete is a Slack bot for a team's social-media work: drafts,
// approvals, scheduled publishing and "alors ça tweete ?". This file only
// wires the parts together: configuration, storage, network clients, the
// workflow, the Slack bot, the dispatcher and the HTTP server.
package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"sync"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/robfig/cron/v3"
	"github.com/slack-go/slack"

	"catweete/bot"
	"catweete/commands"
	"catweete/config"
	"catweete/playground"
	"catweete/sealed"
	"catweete/social"
	"catweete/social/bluesky"
	"catweete/social/facebook"
	"catweete/social/linkedin"
	"catweete/social/mastodon"
	"catweete/social/sandbox"
	"catweete/social/x"
	"catweete/storage"
	"catweete/telemetry"
	"catweete/workflows"
)

// stopBudget is how long a stop may take in all: containers get 10 s
// between SIGTERM and SIGKILL.
const stopBudget = 8 * time.Second

// eventMemory is how long handled Slack event ids are kept: Slack retries
// within minutes, so a few days is plenty.
const eventMemory = 72 * time.Hour

// commandAckWait is how long a slash command's ack waits for its answer to
// carry it: most answers take milliseconds, and the 1.5 s left of Slack's
// 3 s cover the network and a busy machine.
const commandAckWait = 1500 * time.Millisecond

func main() {
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	if err := run(os.Args[1:], log); err != nil {
		fmt.Fprintln(os.Stderr, "catweete:", err)
		os.Exit(1)
	}
}

func run(args []string, log *slog.Logger) error {
	cfg, err := config.FromEnvironment()
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	command := "serve"
	if len(args) > 0 {
		command = args[0]
	}
	switch command {
	case "serve":
		return serve(ctx, cfg, log)
	case "migrate":
		store, err := storage.Open(ctx, cfg.DBPath)
		if err != nil {
			return err
		}
		defer store.Close()
		version, err := store.SchemaVersion(ctx)
		if err != nil {
			return err
		}
		fmt.Printf("catweete: %s is at schema version %d\n", cfg.DBPath, version)
		return nil
	case "healthcheck":
		return healthcheck(ctx, cfg.HTTPAddr)
	case "backup":
		if len(args) != 2 || args[1] == "" {
			return errors.New("usage: catweete backup <file>")
		}
		version, err := storage.BackupFile(ctx, cfg.DBPath, args[1])
		if err != nil {
			return err
		}
		fmt.Printf("catweete: backed %s (schema version %d) up to %s\n", cfg.DBPath, version, args[1])
		return nil
	case "help", "-h", "--help":
		fmt.Println("usage: catweete [serve|migrate|healthcheck|backup <file>]\n\nConfiguration comes from the environment: see README.md.")
		return nil
	}
	return fmt.Errorf("unknown command %q (want serve, migrate, healthcheck or backup)", command)
}

// healthcheck asks a running catweete on this machine whether it serves:
// the container's HEALTHCHECK, in an image that has no curl.
func healthcheck(ctx context.Context, addr string) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("CATWEETE_HTTP_ADDR: %w", err)
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+net.JoinHostPort(host, port)+"/healthz", nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("healthcheck: %s", resp.Status)
	}
	return nil
}

func serve(ctx context.Context, cfg config.Config, log *slog.Logger) error {
	// The mode is decided by what was configured, before the playground
	// fills the Slack configuration in.
	mode := cfg.Mode()
	var pgMode *playgroundMode // nil unless the playground stands in for Slack
	now := time.Now
	if mode == config.ModePlayground {
		var err error
		if pgMode, err = preparePlayground(&cfg, log); err != nil {
			return err
		}
		defer pgMode.listener.Close()
		now = pgMode.now
	}
	if len(cfg.Approvers) == 0 {
		log.Warn("CATWEETE_APPROVERS is empty: anyone but a post's author may approve it")
	}

	slots, err := workflows.ParseSlots(cfg.Slots)
	if err != nil {
		return fmt.Errorf("config: CATWEETE_SLOTS: %w", err)
	}

	// The operator hears it from the log, once, when the disk fills.
	store, err := storage.OpenWith(ctx, cfg.DBPath, storage.Options{Logger: log})
	if err != nil {
		return err
	}
	defer store.Close()
	ready, err := store.Readiness(ctx)
	if err != nil {
		return err
	}

	var playgroundNetwork *sandbox.Network
	if pgMode != nil {
		playgroundNetwork = pgMode.sandbox
	}
	// Tokens kept across restarts (a Bluesky session) are sealed under
	// CATWEETE_SECRET_KEY; without it they live in memory only.
	var sealer *sealed.Sealer
	if cfg.SecretKey.IsSet() {
		if sealer, err = sealed.New(cfg.SecretKey.Reveal()); err != nil {
			return fmt.Errorf("config: CATWEETE_SECRET_KEY: %w", err)
		}
	} else if cfg.Bluesky.Enabled() {
		log.Info("CATWEETE_SECRET_KEY is not set: Bluesky sessions are not kept across restarts, so each start logs in again")
	}
	accounts, err := buildAccounts(ctx, cfg, log, playgroundNetwork, store, sealer)
	if err != nil {
		return err
	}
	// What catweete measures of itself, served at GET /metrics: one
	// registry, built here and handed to whoever measures.
	registry := prometheus.NewRegistry()
	var networks []string
	for _, a := range accounts {
		if n := a.Publisher.Network(); !slices.Contains(networks, n) {
			networks = append(networks, n)
		}
	}
	metrics, err := telemetry.New(registry, telemetry.Config{Networks: networks, ErrorClasses: workflows.ErrorClasses()})
	if err != nil {
		return err
	}
	if err := telemetry.WatchDeliveries(registry, store, now); err != nil {
		return err
	}

	apiOptions := []slack.Option{
		slack.OptionAPIURL(cfg.SlackAPIURL),
		slack.OptionHTTPClient(&http.Client{Timeout: 15 * time.Second}),
	}
	if cfg.AppToken.IsSet() {
		apiOptions = append(apiOptions, slack.OptionAppLevelToken(cfg.AppToken.Reveal()))
	}
	api := slack.New(cfg.BotToken.Reveal(), apiOptions...)
	lang := commands.ParseLang(cfg.Lang)
	catalog := commands.NewCatalog()

	notifier, err := bot.NewNotifier(bot.NotifierConfig{
		API: api, Catalog: catalog, Lang: lang, ApprovalChannel: cfg.ApprovalChannel, Now: now, Logger: log,
	})
	if err != nil {
		return err
	}
	svc, err := workflows.New(ctx, workflows.Config{
		Store: store, Accounts: accounts, Notifier: notifier, Directory: notifier,
		Approvers: cfg.Approvers, ApprovalsRequired: cfg.ApprovalsRequired, Location: cfg.Location, Logger: log,
		Slots: slots, DisableUTM: !cfg.UTM, Now: now, Observer: metrics.Publishing,
	})
	if err != nil {
		return err
	}
	router, err := commands.New(commands.Config{
		Service: svc, Lang: lang, Command: cfg.Command, ApprovalChannel: cfg.ApprovalChannel, Zones: notifier, Logger: log,
	})
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte("ok\n")) })
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		// A probe answers within its own timeout: a database another
		// process holds locked is not ready either.
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := ready.Check(ctx); err != nil {
			log.Warn("not ready", "err", err)
			http.Error(w, "database unreachable", http.StatusServiceUnavailable)
			return
		}
		w.Write([]byte("ready\n"))
	})
	mux.Handle("GET /metrics", telemetry.Handler(registry, log))
	server := &http.Server{
		Addr:              cfg.HTTPAddr,
		Handler:           mux,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      10 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
	var wg sync.WaitGroup
	serveErr := make(chan error, 1)
	startServing := func(listener net.Listener) {
		wg.Go(func() {
			if err := server.Serve(listener); err != nil && !errors.Is(err, http.ErrServerClosed) {
				serveErr <- err
			}
		})
	}
	var pg *playground.Playground
	if pgMode != nil {
		// The playground is the bot's Slack: it serves before bot.New, whose
		// auth.test it answers; its page waits for the bot's routes.
		pg, err = playground.New(playground.Config{
			BaseURL: pgMode.baseURL, SigningSecret: pgMode.signingSecret, BotToken: cfg.BotToken.Reveal(),
			Command: cfg.Command, Sandbox: pgMode.sandbox, Now: now, Starting: true, Logger: log,
		})
		if err != nil {
			return err
		}
		pg.Routes(mux)
		server.RegisterOnShutdown(pg.Close)
		startServing(pgMode.listener)
	}

	slackBot, err := bot.New(ctx, bot.Config{
		API: api, Router: router, Notifier: notifier, Events: store, SigningSecret: cfg.SigningSecret.Reveal(), AppID: cfg.SlackAppID,
		Now: now, Logger: log, Requests: metrics.Slack, AckWait: commandAckWait,
	})
	if err != nil {
		server.Close()
		return err
	}
	if err := telemetry.WatchQueues(registry, slackBot.JobsWaiting, slackBot.ModalsWaiting); err != nil {
		server.Close()
		return err
	}
	if mode != config.ModeSocket {
		slackBot.Routes(mux)
	}
	listenAddr := cfg.HTTPAddr
	if pgMode == nil {
		listener, err := net.Listen("tcp", cfg.HTTPAddr)
		if err != nil {
			return fmt.Errorf("CATWEETE_HTTP_ADDR: %w", err)
		}
		listenAddr = listener.Addr().String()
		startServing(listener)
	}
	log.Info("catweete serving", "mode", mode.String(), "addr", listenAddr,
		"db", cfg.DBPath, "accounts", len(accounts), "zone", cfg.Location.String(), "lang", string(lang))
	if pg != nil {
		pg.Ready()
		fmt.Printf("catweete playground: open %s/\n", pgMode.baseURL)
	}
	wg.Go(func() {
		if err := svc.RunDispatcher(ctx); err != nil {
			log.Error("dispatcher stopped", "err", err)
		}
	})
	if mode == config.ModeSocket {
		wg.Go(func() { slackBot.RunSocketMode(ctx, api) }) //nolint:errcheck // returns nil when ctx ends
	}
	sweeps := cron.New(cron.WithLocation(cfg.Location))
	// The dispatcher sleeps until the next due time; this sweep is its
	// safety net, should a wake-up ever be missed.
	// In the playground they follow its clock, which may run fast.
	sweeps.AddFunc(pgMode.every(time.Minute), svc.Kick) //nolint:errcheck // a valid spec
	sweeps.AddFunc(pgMode.every(time.Minute), func() {  //nolint:errcheck // a valid spec
		if err := svc.Sweep(context.WithoutCancel(ctx)); err != nil {
			log.Error("sweep", "err", err)
		}
	})
	// The networks' figures: the query decides which posts are due (every
	// 15 minutes in their first day, then hourly, then daily).
	sweeps.AddFunc(pgMode.every(5*time.Minute), func() { //nolint:errcheck // a valid spec
		if err := svc.CollectMetrics(context.WithoutCancel(ctx)); err != nil {
			log.Warn("metrics collection incomplete", "err", err)
		}
	})
	sweeps.AddFunc(pgMode.every(time.Hour), func() { //nolint:errcheck // a valid spec
		if err := svc.CollectFollowers(context.WithoutCancel(ctx)); err != nil {
			log.Warn("followers collection incomplete", "err", err)
		}
	})
	sweeps.AddFunc("@every 1h", func() { //nolint:errcheck // a constant, valid spec
		if n, err := store.ForgetEvents(context.WithoutCancel(ctx), time.Now().Add(-eventMemory)); err != nil {
			log.Error("old events not forgotten", "err", err)
		} else if n > 0 {
			log.Info("old events forgotten", "count", n)
		}
	})
	// The daily digest, in the team's zone like every sweep.
	if cfg.DigestChannel != "" {
		if _, err := sweeps.AddFunc(cfg.DigestCron, slackBot.DigestJob(ctx, cfg.DigestChannel)); err != nil {
			return fmt.Errorf("CATWEETE_DIGEST_CRON: %w", err)
		}
	}
	sweeps.Start()
	// Each account's audience, measured now rather than in an hour: it is
	// the base of the reach rate of whatever goes out next.
	wg.Go(func() {
		if err := svc.CollectFollowers(ctx); err != nil {
			log.Warn("followers collection incomplete", "err", err)
		}
	})

	select {
	case <-ctx.Done():
	case err := <-serveErr:
		log.Error("http server failed", "err", err)
	}
	log.Info("stopping")
	stopCtx, cancel := context.WithTimeout(context.Background(), stopBudget)
	defer cancel()
	<-sweeps.Stop().Done()
	if err := server.Shutdown(stopCtx); err != nil {
		log.Warn("http server stop", "err", err)
	}
	if err := slackBot.Shutdown(stopCtx); err != nil {
		log.Warn("bot stop", "err", err)
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-stopCtx.Done():
		log.Warn("stopped before every task ended")
	}
	log.Info("stopped")
	return nil
}

// fingerprint names a credential without revealing it: the first bytes of
// its SHA-256.
func fingerprint(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:6])
}

// networkHTTPClient is the HTTP client of the Mastodon, X, LinkedIn and
// Facebook clients: nil (their own default) unless CATWEETE_NETWORK_TIMEOUT
// is set, and then their default with that timeout. Bluesky's client keeps
// its own, which follows the redirects of its reads.
func networkHTTPClient(timeout time.Duration) *http.Client {
	if timeout <= 0 {
		return nil
	}
	hc := social.DefaultHTTPClient(nil)
	hc.Timeout = timeout
	return hc
}

// buildAccounts creates a client for each configured network; with none,
// the sandbox network (fallback, or a new one if nil), so that catweete
// always has somewhere to publish. With a sealer, the Bluesky session is
// kept in store, sealed.
func buildAccounts(ctx context.Context, cfg config.Config, log *slog.Logger, fallback *sandbox.Network,
	store *storage.Store, sealer *sealed.Sealer) ([]workflows.AccountConfig, error) {
	var accounts []workflows.AccountConfig
	if cfg.Mastodon.Enabled() {
		client, err := mastodon.New(mastodon.Config{BaseURL: cfg.Mastodon.URL, Token: cfg.Mastodon.Token.Reveal(),
			HTTPClient: networkHTTPClient(cfg.NetworkTimeout)})
		if err != nil {
			return nil, fmt.Errorf("MASTODON_URL: %w", err)
		}
		// The instance's own limits, when it answers quickly; the defaults
		// (500 characters, 23 per link) otherwise.
		instanceCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
		if err := client.LoadInstance(instanceCtx); err != nil {
			log.Warn("mastodon instance limits unknown; using defaults", "err", err)
		}
		cancel()
		accounts = append(accounts, workflows.AccountConfig{Handle: cfg.Mastodon.URL, Publisher: client})
	}
	if cfg.Bluesky.Enabled() {
		var sessions bluesky.SessionStore
		if sealer != nil {
			sessions = newSealedSessions(store, sealer, cfg.Bluesky.Handle)
		}
		client, err := bluesky.New(bluesky.Config{
			PDSURL: cfg.Bluesky.PDSURL, AppViewURL: cfg.Bluesky.AppViewURL, Handle: cfg.Bluesky.Handle,
			AppPassword: cfg.Bluesky.AppPassword.Reveal(), Sessions: sessions, Logger: log,
		})
		if err != nil {
			return nil, fmt.Errorf("BLUESKY_HANDLE: %w", err)
		}
		accounts = append(accounts, workflows.AccountConfig{Handle: cfg.Bluesky.Handle, Publisher: client})
	}
	if cfg.X.Enabled() {
		client, err := x.New(x.Config{APIURL: cfg.X.APIURL, Token: cfg.X.AccessToken.Reveal(),
			HTTPClient: networkHTTPClient(cfg.NetworkTimeout)})
		if err != nil {
			return nil, fmt.Errorf("X_ACCESS_TOKEN: %w", err)
		}
		// The token names the account; its hash keys the account row, so
		// that no part of the token is stored.
		accounts = append(accounts, workflows.AccountConfig{Handle: "x:" + fingerprint(cfg.X.AccessToken.Reveal()), Publisher: client})
	}
	if cfg.LinkedIn.Enabled() {
		client, err := linkedin.New(linkedin.Config{
			APIURL: cfg.LinkedIn.APIURL, Token: cfg.LinkedIn.AccessToken.Reveal(), AuthorURN: cfg.LinkedIn.AuthorURN,
			Version: cfg.LinkedIn.Version, HTTPClient: networkHTTPClient(cfg.NetworkTimeout),
		})
		if err != nil {
			return nil, fmt.Errorf("LINKEDIN_AUTHOR_URN: %w", err)
		}
		accounts = append(accounts, workflows.AccountConfig{Handle: cfg.LinkedIn.AuthorURN, Publisher: client})
	}
	if cfg.Facebook.Enabled() {
		client, err := facebook.New(facebook.Config{
			GraphURL: cfg.Facebook.GraphURL, Version: cfg.Facebook.Version, PageID: cfg.Facebook.PageID,
			PageToken: cfg.Facebook.PageToken.Reveal(), HTTPClient: networkHTTPClient(cfg.NetworkTimeout),
		})
		if err != nil {
			return nil, fmt.Errorf("FACEBOOK_PAGE_ID: %w", err)
		}
		accounts = append(accounts, workflows.AccountConfig{Handle: cfg.Facebook.PageID, Publisher: client})
	}
	if len(accounts) == 0 {
		log.Info("no network configured: publishing to the sandbox network")
		if fallback == nil {
			fallback = sandbox.New(sandbox.Config{})
		}
		accounts = append(accounts, workflows.AccountConfig{Handle: "sandbox", Publisher: fallback})
	}
	return accounts, nil
}
