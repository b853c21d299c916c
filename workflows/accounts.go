package workflows

import (
	"context"
	"fmt"
	"sync"
	"time"

	"catweete/social"
	"catweete/storage"
)

// Profiler is a Publisher that can show its account: who it is, its
// audience, and by answering at all, that its token works.
type Profiler interface {
	Profile(ctx context.Context) (social.Profile, error)
}

// AccountStatus is one account as `/catweete accounts` shows it.
type AccountStatus struct {
	Account storage.Account
	Profile social.Profile
	// Err is why the network could not be asked, nil when it answered.
	Err error
}

// profileTimeout bounds each network's answer: one slow network must not
// hold the whole list.
const profileTimeout = 10 * time.Second

// AccountsReport asks every network, at once, about its account. A token
// refused marks the account (and is announced once); a token accepted
// clears the mark.
func (s *Service) AccountsReport(ctx context.Context) ([]AccountStatus, error) {
	stored, err := s.store.Accounts(ctx)
	if err != nil {
		return nil, fmt.Errorf("workflows: accounts: %w", err)
	}
	byID := make(map[int64]storage.Account, len(stored))
	for _, a := range stored {
		byID[a.ID] = a
	}
	out := make([]AccountStatus, len(s.accounts))
	var wg sync.WaitGroup
	for i, a := range s.accounts {
		out[i].Account = byID[a.ID]
		profiler, ok := a.Publisher.(Profiler)
		if !ok {
			continue
		}
		wg.Go(func() {
			callCtx, cancel := context.WithTimeout(ctx, profileTimeout)
			defer cancel()
			out[i].Profile, out[i].Err = profiler.Profile(callCtx)
			s.accountHealth(ctx, a, out[i].Err)
		})
	}
	wg.Wait()
	// Re-read: the calls may have changed an account's state.
	if stored, err = s.store.Accounts(ctx); err == nil {
		for _, a := range stored {
			byID[a.ID] = a
		}
		for i := range out {
			out[i].Account = byID[out[i].Account.ID]
		}
	}
	return out, nil
}
