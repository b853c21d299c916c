package bot

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// zoneTTL is how long a person's zone is trusted: people travel, but not
// between two commands.
const zoneTTL = time.Hour

// zoneCache remembers each person's time zone from users.info.
type zoneCache struct {
	mu    sync.Mutex
	zones map[string]cachedZone
}

type cachedZone struct {
	loc     *time.Location
	fetched time.Time
}

// UserLocation returns the person's own time zone (users.info's tz), so
// that "demain 9h30" means their 9:30.
func (n *Notifier) UserLocation(ctx context.Context, userID string) (*time.Location, error) {
	now := n.now()
	n.zones.mu.Lock()
	cached, ok := n.zones.zones[userID]
	n.zones.mu.Unlock()
	if ok && now.Sub(cached.fetched) < zoneTTL {
		return cached.loc, nil
	}
	user, err := n.api.GetUserInfoContext(ctx, userID)
	if err != nil {
		return nil, fmt.Errorf("bot: users.info %s: %w", userID, err)
	}
	if user.TZ == "" {
		return nil, fmt.Errorf("bot: users.info %s: no time zone", userID)
	}
	loc, err := time.LoadLocation(user.TZ)
	if err != nil {
		return nil, fmt.Errorf("bot: users.info %s: zone %q: %w", userID, user.TZ, err)
	}
	n.zones.mu.Lock()
	if n.zones.zones == nil {
		n.zones.zones = make(map[string]cachedZone)
	}
	n.zones.zones[userID] = cachedZone{loc: loc, fetched: now}
	n.zones.mu.Unlock()
	return loc, nil
}
