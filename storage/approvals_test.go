package storage

import (
	"reflect"
	"testing"
	"time"

	"github.com/mattn/go-sqlite3"
)

func TestInsertApproval(t *testing.T) {
	t.Parallel()

	t.Run("DoubleClickCountsOnce", func(t *testing.T) {
		t.Parallel()
		s := setup(t)
		p := newPost(t, s.queries, Post{})
		a := Approval{PostID: p.ID, Version: 1, UserID: "U0APPROVER", ApprovedAt: t0}
		added, err := s.InsertApproval(t.Context(), a)
		if err != nil || !added {
			t.Fatalf("first InsertApproval = %v, %v; want true, nil", added, err)
		}
		a.ApprovedAt = t0.Add(time.Second)
		added, err = s.InsertApproval(t.Context(), a)
		if err != nil || added {
			t.Fatalf("second InsertApproval = %v, %v; want false, nil", added, err)
		}
		got, err := s.Approvals(t.Context(), p.ID, 1)
		if err != nil {
			t.Fatal(err)
		}
		want := []Approval{{PostID: p.ID, Version: 1, UserID: "U0APPROVER", ApprovedAt: t0}}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("Approvals = %+v, want %+v (the first click's time)", got, want)
		}
	})

	t.Run("ApprovalOfAMissingPostIsRefused", func(t *testing.T) {
		t.Parallel()
		s := setup(t)
		_, err := s.InsertApproval(t.Context(), Approval{PostID: 4242, Version: 1, UserID: "U0APPROVER", ApprovedAt: t0})
		if !isConstraint(err, sqlite3.ErrConstraintForeignKey) {
			t.Errorf("InsertApproval of post 4242 = %v, want a FOREIGN KEY constraint error", err)
		}
	})
}

func TestApprovals(t *testing.T) {
	t.Parallel()

	t.Run("ListsOneVersionsApprovalsInOrder", func(t *testing.T) {
		t.Parallel()
		s := setup(t)
		p := newPost(t, s.queries, Post{})
		other := newPost(t, s.queries, Post{Text: "autre"})
		for _, a := range []Approval{
			{PostID: p.ID, Version: 2, UserID: "U0ZOE", ApprovedAt: t0.Add(time.Minute)},
			{PostID: p.ID, Version: 1, UserID: "U0OLD", ApprovedAt: t0.Add(-time.Hour)},
			{PostID: p.ID, Version: 2, UserID: "U0BOB", ApprovedAt: t0.Add(time.Minute)},
			{PostID: p.ID, Version: 2, UserID: "U0ZED", ApprovedAt: t0},
			{PostID: other.ID, Version: 2, UserID: "U0ELSE", ApprovedAt: t0},
		} {
			if _, err := s.InsertApproval(t.Context(), a); err != nil {
				t.Fatal(err)
			}
		}
		got, err := s.Approvals(t.Context(), p.ID, 2)
		if err != nil {
			t.Fatalf("Approvals: %v", err)
		}
		want := []Approval{
			{PostID: p.ID, Version: 2, UserID: "U0ZED", ApprovedAt: t0},
			{PostID: p.ID, Version: 2, UserID: "U0BOB", ApprovedAt: t0.Add(time.Minute)},
			{PostID: p.ID, Version: 2, UserID: "U0ZOE", ApprovedAt: t0.Add(time.Minute)},
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("Approvals(version 2) =\n%+v\nwant\n%+v", got, want)
		}
		got, err = s.Approvals(t.Context(), p.ID, 3)
		if err != nil || len(got) != 0 {
			t.Errorf("Approvals(version 3) = %+v, %v; want none", got, err)
		}
	})

	t.Run("TheSameApproverMayApproveEachVersion", func(t *testing.T) {
		t.Parallel()
		s := setup(t)
		p := newPost(t, s.queries, Post{})
		for v := 1; v <= 2; v++ {
			added, err := s.InsertApproval(t.Context(), Approval{PostID: p.ID, Version: v, UserID: "U0APPROVER", ApprovedAt: t0})
			if err != nil || !added {
				t.Errorf("InsertApproval(version %d) = %v, %v; want true, nil", v, added, err)
			}
		}
	})
}

func TestCurrentApprovals(t *testing.T) {
	t.Parallel()
	s := setup(t)
	revised := newPost(t, s.queries, Post{})
	version, err := s.ReviseText(t.Context(), revised.ID, "pending", revised.Version, "Texte revu", "pending", t0)
	if err != nil {
		t.Fatal(err)
	}
	plain := newPost(t, s.queries, Post{Text: "autre"})
	none := newPost(t, s.queries, Post{Text: "personne"})
	unasked := newPost(t, s.queries, Post{Text: "pas demandé"})
	for _, a := range []Approval{
		{PostID: revised.ID, Version: revised.Version, UserID: "U0BEFORE", ApprovedAt: t0}, // an older version's
		{PostID: revised.ID, Version: version, UserID: "U0ZOE", ApprovedAt: t0.Add(time.Minute)},
		{PostID: revised.ID, Version: version, UserID: "U0ANN", ApprovedAt: t0.Add(2 * time.Minute)},
		{PostID: plain.ID, Version: plain.Version, UserID: "U0BOB", ApprovedAt: t0},
		{PostID: unasked.ID, Version: unasked.Version, UserID: "U0ELSE", ApprovedAt: t0},
	} {
		if _, err := s.InsertApproval(t.Context(), a); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.CurrentApprovals(t.Context(), []int64{revised.ID, plain.ID, none.ID})
	if err != nil {
		t.Fatalf("CurrentApprovals: %v", err)
	}
	want := map[int64][]Approval{
		revised.ID: {
			{PostID: revised.ID, Version: version, UserID: "U0ZOE", ApprovedAt: t0.Add(time.Minute)},
			{PostID: revised.ID, Version: version, UserID: "U0ANN", ApprovedAt: t0.Add(2 * time.Minute)},
		},
		plain.ID: {{PostID: plain.ID, Version: plain.Version, UserID: "U0BOB", ApprovedAt: t0}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("CurrentApprovals =\n%+v\nwant\n%+v", got, want)
	}
	if got, err := s.CurrentApprovals(t.Context(), nil); err != nil || len(got) != 0 {
		t.Errorf("CurrentApprovals(none) = %+v, %v; want empty", got, err)
	}
}
