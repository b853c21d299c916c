package workflows

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
)

// ErrApproversUnavailable: the members of an approvers' user group could
// not be fetched when a person acted, so the decision was not taken. A
// decision never rests on a list that may be stale: whoever was removed
// from the group must not approve in the meantime.
var ErrApproversUnavailable = errors.New("approvers could not be checked")

// policy says who may approve: listed users, members of listed user groups,
// or anyone when nothing is listed.
//
// A decision (approve, reject, request changes, and the other acts that
// need an approver) asks Slack for the groups' members at that moment:
// someone removed from a group can no longer decide, and when Slack does
// not answer the act is refused rather than taken on an old list. What is
// only shown (the Home tab's "waiting for you") reads the members through
// a short cache, so that opening a tab does not wait on Slack, and falls
// back to the last list known when Slack is unreachable.
type policy struct {
	users  map[string]bool
	groups []string
	dir    Directory
	ttl    time.Duration
	now    func() time.Time

	mu    sync.Mutex
	cache map[string]groupMembers
}

type groupMembers struct {
	members map[string]bool
	fetched time.Time
}

func newPolicy(approvers []string, dir Directory, ttl time.Duration, now func() time.Time) (*policy, error) {
	p := &policy{users: make(map[string]bool), dir: dir, ttl: ttl, now: now, cache: make(map[string]groupMembers)}
	for _, a := range approvers {
		a = strings.TrimSpace(a)
		switch {
		case a == "":
		case strings.HasPrefix(a, "S"):
			p.groups = append(p.groups, a)
		default:
			p.users[a] = true
		}
	}
	if len(p.groups) > 0 && dir == nil {
		return nil, errors.New("workflows: approvers list a user group but no Directory was given")
	}
	return p, nil
}

// open reports whether anyone may approve.
func (p *policy) open() bool { return len(p.users) == 0 && len(p.groups) == 0 }

// isApprover decides whether userID may act as an approver now, with the
// groups' members as Slack gives them at this moment. A group that cannot
// be fetched makes the answer ErrApproversUnavailable, unless userID is
// found in another group or among the listed users.
func (p *policy) isApprover(ctx context.Context, userID string) (bool, error) {
	return p.check(ctx, userID, p.fresh)
}

// mayApprove is isApprover for what is only shown: group members come from
// the cache while it is young, and from the last list known when Slack
// does not answer.
func (p *policy) mayApprove(ctx context.Context, userID string) (bool, error) {
	return p.check(ctx, userID, p.cached)
}

func (p *policy) check(ctx context.Context, userID string, members func(context.Context, string) (map[string]bool, error)) (bool, error) {
	if userID == "" {
		return false, nil
	}
	if p.open() || p.users[userID] {
		return true, nil
	}
	var errs []error
	for _, g := range p.groups {
		m, err := members(ctx, g)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if m[userID] {
			return true, nil
		}
	}
	if len(errs) > 0 {
		return false, fmt.Errorf("%w: %w", ErrApproversUnavailable, errors.Join(errs...))
	}
	return false, nil
}

// fresh asks Slack for group's members, and keeps the answer for what is
// only shown.
func (p *policy) fresh(ctx context.Context, group string) (map[string]bool, error) {
	ids, err := p.dir.GroupMembers(ctx, group)
	if err != nil {
		return nil, fmt.Errorf("user group %s: %w", group, err)
	}
	members := make(map[string]bool, len(ids))
	for _, id := range ids {
		members[id] = true
	}
	p.mu.Lock()
	p.cache[group] = groupMembers{members: members, fetched: p.now()}
	p.mu.Unlock()
	return members, nil
}

// cached returns group's members from the cache while it is younger than
// the TTL, else from Slack; when Slack does not answer, the last list
// known is better than an empty tab.
func (p *policy) cached(ctx context.Context, group string) (map[string]bool, error) {
	p.mu.Lock()
	c, ok := p.cache[group]
	p.mu.Unlock()
	if ok && p.now().Sub(c.fetched) < p.ttl {
		return c.members, nil
	}
	members, err := p.fresh(ctx, group)
	if err != nil && ok {
		return c.members, nil
	}
	return members, err
}

// Approvers returns the user ids and user-group ids allowed to approve; nil
// when anyone but the author may.
func (s *Service) Approvers() (users, groups []string) {
	for u := range s.policy.users {
		users = append(users, u)
	}
	return users, append([]string(nil), s.policy.groups...)
}

// IsApprover reports whether userID may approve posts (other than their
// own), for what is shown to them: the members of approvers' user groups
// may come from a cache a minute old. Every decision checks again with
// Slack at the moment it is taken.
func (s *Service) IsApprover(ctx context.Context, userID string) (bool, error) {
	return s.policy.mayApprove(ctx, userID)
}
