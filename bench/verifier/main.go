// Command verifier is the limit in catweete's load test: the least a Slack
// app must do with a request, which is to read its body and check Slack's
// signature with slack-go's SecretsVerifier. It answers 200 with an empty
// body, or 401. Its HTTP server has catweete's timeouts (main.go), so that
// the two differ only in what they do with a request.
//
// With -answer, a verified request is answered with that file's bytes as
// a JSON body instead, as catweete answers /catweete help in its ack: the
// limit then pays what sending that answer costs, and nothing else.
//
//	SLACK_SIGNING_SECRET=… verifier -addr 127.0.0.1:18701
//	SLACK_SIGNING_SECRET=… verifier -addr 127.0.0.1:18704 -answer help-ack.json
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/slack-go/slack"
)

// maxBody is catweete's own bound on a request body.
const maxBody = 1 << 20

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "verifier:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("verifier", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:18701", "listen address")
	answerFile := fs.String("answer", "", "a JSON file sent as the body of every verified request's 200 (default: an empty body)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var answer []byte
	if *answerFile != "" {
		var err error
		if answer, err = loadAnswer(*answerFile); err != nil {
			return err
		}
	}
	secret := os.Getenv("SLACK_SIGNING_SECRET")
	if secret == "" {
		return errors.New("SLACK_SIGNING_SECRET is empty")
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	listener, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	server := &http.Server{
		Handler:           verified(secret, answer),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      10 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
	serveErr := make(chan error, 1)
	go func() { serveErr <- server.Serve(listener) }()
	fmt.Fprintln(os.Stderr, "verifier: serving on", listener.Addr())
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

// loadAnswer reads the -answer file once, before serving: a file that is
// empty or not JSON would not be the ack it stands for, and the figures
// would then measure something else.
func loadAnswer(path string) ([]byte, error) {
	answer, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("-answer: %w", err)
	}
	if len(answer) == 0 || !json.Valid(answer) {
		return nil, fmt.Errorf("-answer: %s is not a JSON body", path)
	}
	return answer, nil
}

// verified answers every POST: 200 when Slack's signature holds, 401
// otherwise. The 200 carries answer as its JSON body, or nothing when
// answer is nil.
func verified(secret string, answer []byte) http.Handler {
	contentLength := strconv.Itoa(len(answer))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
		if err != nil {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		sv, err := slack.NewSecretsVerifier(r.Header, secret)
		if err == nil {
			_, err = sv.Write(body)
		}
		if err == nil {
			err = sv.Ensure()
		}
		if err != nil {
			http.Error(w, "invalid signature", http.StatusUnauthorized)
			return
		}
		if answer == nil {
			w.WriteHeader(http.StatusOK)
			return
		}
		// Headers as catweete sends its ack: with the length known, a body
		// over net/http's 2 KiB buffer goes out in one write, not as chunks.
		h := w.Header()
		h.Set("Content-Type", "application/json")
		h.Set("Content-Length", contentLength)
		w.WriteHeader(http.StatusOK)
		w.Write(answer) //nolint:errcheck // the client hung up: nothing to do
	})
}
