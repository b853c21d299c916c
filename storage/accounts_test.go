package storage

import (
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

func TestUpsertAccount(t *testing.T) {
	t.Parallel()

	t.Run("SecondUpsertKeepsIdAndCreationAndUpdatesTheName", func(t *testing.T) {
		t.Parallel()
		s := setup(t)
		first, err := s.UpsertAccount(t.Context(), Account{Network: "mastodon", Handle: "@catweete@example.social", DisplayName: "Catweete", CreatedAt: t0})
		if err != nil {
			t.Fatalf("UpsertAccount: %v", err)
		}
		if first.ID == 0 || !first.CreatedAt.Equal(t0) {
			t.Errorf("first upsert = %+v", first)
		}
		second, err := s.UpsertAccount(t.Context(), Account{Network: "mastodon", Handle: "@catweete@example.social", DisplayName: "Ça tweete", CreatedAt: t0.Add(time.Hour)})
		if err != nil {
			t.Fatalf("UpsertAccount again: %v", err)
		}
		want := Account{ID: first.ID, Network: "mastodon", Handle: "@catweete@example.social", DisplayName: "Ça tweete", State: AccountOK, CreatedAt: t0}
		if second != want {
			t.Errorf("second upsert = %+v, want %+v", second, want)
		}
		all, err := s.Accounts(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(all, []Account{want}) {
			t.Errorf("Accounts = %+v, want [%+v]", all, want)
		}
	})

	t.Run("SameHandleOnAnotherNetworkIsAnotherAccount", func(t *testing.T) {
		t.Parallel()
		s := setup(t)
		x := newAccount(t, s.queries, "x", "catweete")
		bsky := newAccount(t, s.queries, "bluesky", "catweete")
		if x.ID == bsky.ID {
			t.Errorf("x and bluesky accounts share id %d", x.ID)
		}
	})

	t.Run("IdsStayStableAcrossRestarts", func(t *testing.T) {
		t.Parallel()
		path := filepath.Join(t.TempDir(), "catweete.db")
		handles := []Account{
			{Network: "mastodon", Handle: "@catweete@example.social"},
			{Network: "bluesky", Handle: "catweete.bsky.social"},
			{Network: "x", Handle: "catweete"},
		}
		ids := map[string]int64{}
		s := openFile(t, path)
		for _, a := range handles {
			got := newAccount(t, s.queries, a.Network, a.Handle)
			ids[a.Network] = got.ID
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}

		// On the next start the configuration lists them in another order,
		// and one more.
		s = openFile(t, path)
		for i := len(handles) - 1; i >= 0; i-- {
			a := handles[i]
			if got := newAccount(t, s.queries, a.Network, a.Handle); got.ID != ids[a.Network] {
				t.Errorf("%s account id = %d after restart, want %d", a.Network, got.ID, ids[a.Network])
			}
		}
		linkedin := newAccount(t, s.queries, "linkedin", "urn:li:organization:1")
		all, err := s.Accounts(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, a := range all {
			got = append(got, a.Network)
		}
		if want := []string{"mastodon", "bluesky", "x", "linkedin"}; !reflect.DeepEqual(got, want) {
			t.Errorf("Accounts in id order = %v, want %v", got, want)
		}
		for _, id := range ids {
			if linkedin.ID == id {
				t.Errorf("new account reuses id %d", id)
			}
		}
	})
}

func TestSetAccountState(t *testing.T) {
	t.Parallel()
	s := setup(t)
	a, err := s.UpsertAccount(t.Context(), Account{Network: "x", Handle: "@brand", CreatedAt: t0})
	if err != nil {
		t.Fatal(err)
	}
	for i, tt := range []struct {
		state   string
		changed bool
	}{
		{AccountRejected, true}, {AccountRejected, false}, {AccountOK, true}, {AccountOK, false},
	} {
		changed, err := s.SetAccountState(t.Context(), a.ID, tt.state, "Unauthorized", t0.Add(time.Duration(i)*time.Minute))
		if err != nil || changed != tt.changed {
			t.Fatalf("step %d: SetAccountState(%s) = %v, %v; want changed %v", i, tt.state, changed, err, tt.changed)
		}
	}
	all, _ := s.Accounts(t.Context())
	if all[0].State != AccountOK || all[0].StateDetail != "Unauthorized" || !all[0].StateChangedAt.Equal(t0.Add(2*time.Minute)) {
		t.Fatalf("account %+v", all[0])
	}
}
