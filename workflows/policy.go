package workflows

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
)

// policy says who may approve: listed users, members of listed user groups,
// or anyone when nothing is listed. Group members are cached briefly, so a
// click does not wait on Slack, and a removal from the group still takes
// effect within the TTL.
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

func (p *policy) isApprover(ctx context.Context, userID string) (bool, error) {
	if userID == "" {
		return false, nil
	}
	if p.open() || p.users[userID] {
		return true, nil
	}
	for _, g := range p.groups {
		members, err := p.members(ctx, g)
		if err != nil {
			return false, err
		}
		if members[userID] {
			return true, nil
		}
	}
	return false, nil
}

func (p *policy) members(ctx context.Context, group string) (map[string]bool, error) {
	p.mu.Lock()
	cached, ok := p.cache[group]
	p.mu.Unlock()
	if ok && p.now().Sub(cached.fetched) < p.ttl {
		return cached.members, nil
	}
	ids, err := p.dir.GroupMembers(ctx, group)
	if err != nil {
		if ok {
			// Better a slightly stale list than no approvals at all while
			// Slack is unreachable.
			return cached.members, nil
		}
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

// Approvers returns the user ids and user-group ids allowed to approve; nil
// when anyone but the author may.
func (s *Service) Approvers() (users, groups []string) {
	for u := range s.policy.users {
		users = append(users, u)
	}
	return users, append([]string(nil), s.policy.groups...)
}

// IsApprover reports whether userID may approve posts (other than their own).
func (s *Service) IsApprover(ctx context.Context, userID string) (bool, error) {
	return s.policy.isApprover(ctx, userID)
}
