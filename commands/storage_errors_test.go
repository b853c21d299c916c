package commands

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"catweete/storage"
	"catweete/workflows"
)

// A database that cannot take a write is not a bug: the person hears that
// nothing was saved and that trying again will do, and the log says why at
// Warn (the store itself tells the operator, once, of a full disk).
func TestErrorTextWhenTheDatabaseCannotWrite(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name   string
		err    error
		fr, en string
	}{
		{"Busy", fmt.Errorf("workflows: approve post 4: storage: begin: %w",
			errors.Join(storage.ErrBusy, errors.New("database is locked"))),
			"catweete est occupé à l'instant : rien n'a été enregistré, réessayez dans quelques secondes.",
			"catweete is busy right now: nothing was saved, try again in a few seconds."},
		{"Full", fmt.Errorf("workflows: draft: storage: insert post: %w",
			errors.Join(storage.ErrFull, errors.New("database or disk is full"))),
			"catweete ne peut rien enregistrer : son disque est plein. Rien n'a été modifié ; réessayez plus tard (ses administrateurs en sont avertis).",
			"catweete cannot save anything: its disk is full. Nothing was changed; try again later (its administrators have been alerted)."},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			logs := &syncBuffer{}
			r := newRouter(t, Config{Service: &workflows.Service{}, Logger: slogTo(logs)})
			for lang, want := range map[Lang]string{French: tt.fr, English: tt.en} {
				if got := r.ErrorText(context.Background(), lang, 4, tt.err); got != want {
					t.Errorf("%s: ErrorText = %q, want %q", lang, got, want)
				}
			}
			log := logs.String()
			if !strings.Contains(log, "level=WARN") || !strings.Contains(log, tt.err.Error()[len(tt.err.Error())-10:]) {
				t.Errorf("want one Warn line with the whole error; log:\n%s", log)
			}
			if strings.Contains(log, "level=ERROR") {
				t.Errorf("a database that cannot write logged as a bug:\n%s", log)
			}
		})
	}
}
