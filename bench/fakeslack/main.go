// Command fakeslack is the Slack that catweete's load test runs against: a
// Web API that answers, as Slack documents them, the methods catweete and
// the Bolt peer call, a sink for response_urls, and counters the load
// generator reads to tell how many answers each request got.
//
// It listens on loopback only and keeps its counters in memory.
//
//	fakeslack -addr 127.0.0.1:18700
//
// Routes:
//
//	POST /api/<method>           the Web API (form or JSON bodies)
//	POST /response/<tag>[/...]   a response_url; counted per tag
//	GET  /bench/stats            every counter, as JSON
//	GET  /bench/threads?from=&to= the answers in the threads of the load
//	                             generator's mentions, by event number
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	if err := run(os.Args[1:], log); err != nil {
		fmt.Fprintln(os.Stderr, "fakeslack:", err)
		os.Exit(1)
	}
}

func run(args []string, log *slog.Logger) error {
	fs := flag.NewFlagSet("fakeslack", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:18700", "listen address (loopback)")
	token := fs.String("token", "", "the bot token to accept; if empty, any token (FAKESLACK_TOKEN also sets it)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *token == "" {
		*token = os.Getenv("FAKESLACK_TOKEN")
	}
	host, _, err := net.SplitHostPort(*addr)
	if err != nil {
		return fmt.Errorf("-addr: %w", err)
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("-addr %s: the fake Slack listens on loopback only", *addr)
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	listener, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	server := &http.Server{
		Handler:           newFake(*token).routes(),
		ReadHeaderTimeout: 5 * time.Second,
		IdleTimeout:       120 * time.Second,
	}
	serveErr := make(chan error, 1)
	go func() { serveErr <- server.Serve(listener) }()
	log.Info("fake Slack serving", "addr", listener.Addr().String())
	select {
	case <-ctx.Done():
	case err := <-serveErr:
		if !errors.Is(err, http.ErrServerClosed) {
			return err
		}
	}
	stopCtx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	return server.Shutdown(stopCtx)
}
