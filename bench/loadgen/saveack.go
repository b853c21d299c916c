package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"time"
)

// saveAck sends one signed /catweete help to the server and writes the
// body of its ack to cfg.saveAck, so that the verifier can answer the
// load test with the very bytes catweete answers (verifier -answer). An
// ack that is not a 200 carrying a message is refused: the file would
// then stand for an answer catweete does not give.
func saveAck(ctx context.Context, cfg config) error {
	l := &loadRun{
		cfg:  cfg,
		fake: fakeSlack{baseURL: cfg.fakeURL},
		tag:  fmt.Sprintf("%s-%d", cfg.kind, time.Now().UnixNano()),
	}
	c := newClient(cfg, 1)
	status, body, err := c.post(ctx, newSigner(cfg.secret), l.build(1))
	if err != nil {
		return fmt.Errorf("-save-ack: %w", err)
	}
	if status != http.StatusOK {
		return fmt.Errorf("-save-ack: %s%s answered %d", cfg.baseURL, cfg.path, status)
	}
	if classifyAck(body, c.busy) != ackMessage {
		return fmt.Errorf("-save-ack: %s%s acked help without its message (%d bytes)", cfg.baseURL, cfg.path, len(body))
	}
	if err := os.WriteFile(cfg.saveAck, body, 0o600); err != nil {
		return fmt.Errorf("-save-ack: %w", err)
	}
	return nil
}
