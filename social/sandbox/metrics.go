package sandbox

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"time"

	"catweete/social"
)

const (
	// Followers is the sandbox account's audience, fixed so that reach
	// rates in the playground are easy to check by hand.
	Followers = 1240
	// Handle is the sandbox account's name.
	Handle = "catweete (sandbox)"
	// growthPeriod is how long a sandbox post keeps gaining figures; after
	// it they stay put, as a real post's mostly do after its first day.
	growthPeriod = 24 * time.Hour
)

// Metrics returns synthetic figures for the post remoteID, as if the network
// had counted them: every figure is Known, so the playground exercises every
// part of catweete's summaries (engagements, engagement rate, reach rate).
//
// They are deterministic: the same post at the same age always gets the same
// figures. The post's ID picks its final figures (300 to 2,999 impressions;
// reach 55–85 % of impressions; likes, reposts, replies, quotes, clicks and
// saves at plausible rates), and the time since publication, on the
// Network's clock, how much of them is reached: they grow fast at first,
// reach their final values after a day, then stay there. No figure ever
// decreases, and Reach never exceeds Impressions.
//
// The sandbox keeps its posts in memory: a post it did not publish (or
// published before catweete restarted) is a Permanent *social.Error, and a
// canceled or expired ctx a Transient one.
func (n *Network) Metrics(ctx context.Context, remoteID string) (social.Metrics, error) {
	if err := canceled(ctx, "metrics"); err != nil {
		return social.Metrics{}, err
	}
	post, ok := n.post(remoteID)
	if !ok {
		return social.Metrics{}, fmt.Errorf("metrics: %w", &social.Error{
			Network: social.NetworkSandbox,
			Class:   social.Permanent,
			Message: fmt.Sprintf("the sandbox has no post %q (it forgets its posts when catweete restarts)", remoteID),
		})
	}
	return syntheticMetrics(post.ID, n.nowFunc().Sub(post.PublishedAt)), nil
}

// Profile returns the sandbox account: Handle, the sandbox's base URL and
// Followers. A canceled or expired ctx is a Transient *social.Error.
func (n *Network) Profile(ctx context.Context) (social.Profile, error) {
	if err := canceled(ctx, "profile"); err != nil {
		return social.Profile{}, err
	}
	return social.Profile{Handle: Handle, URL: n.baseURL, Followers: social.Known(Followers)}, nil
}

// post returns the published post with the given ID.
func (n *Network) post(id string) (Post, bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	for _, p := range n.posts {
		if p.ID == id {
			return p, true
		}
	}
	return Post{}, false
}

// syntheticMetrics returns the figures of the post id at the given age.
func syntheticMetrics(id string, age time.Duration) social.Metrics {
	sum := sha256.Sum256([]byte("catweete sandbox metrics\x00" + id))
	pick := func(i int, lo, hi uint64) uint64 { // a number in [lo, hi], from 2 bytes of the hash
		return lo + uint64(binary.BigEndian.Uint16(sum[2*i:]))%(hi-lo+1)
	}
	impressions := pick(0, 300, 2999)
	final := struct{ reach, likes, reposts, replies, quotes, clicks, saves uint64 }{
		reach:   impressions * pick(1, 55, 85) / 100,
		likes:   impressions * pick(2, 15, 60) / 1000,
		reposts: impressions * pick(3, 2, 12) / 1000,
		replies: impressions * pick(4, 1, 8) / 1000,
		quotes:  impressions * pick(5, 0, 3) / 1000,
		clicks:  impressions * pick(6, 5, 30) / 1000,
		saves:   impressions * pick(7, 1, 10) / 1000,
	}
	g := growth(age)
	at := func(v uint64) social.Count { return social.Known(int64(v * g / growthScale)) }
	return social.Metrics{
		Impressions: at(impressions),
		Reach:       at(final.reach),
		Likes:       at(final.likes),
		Reposts:     at(final.reposts),
		Replies:     at(final.replies),
		Quotes:      at(final.quotes),
		Clicks:      at(final.clicks),
		Saves:       at(final.saves),
	}
}

// growthScale is growth's 100 %.
const growthScale = 1_000_000

// growth returns the share of its final figures a post has reached at age,
// out of growthScale: 1 − (1 − t)³ for t = age / growthPeriod, so 0 at
// publication, about 58 % after 6 hours, 88 % after 12, then all of it from
// 24 hours on. It uses integers only, so every platform computes the same
// figures.
func growth(age time.Duration) uint64 {
	if age <= 0 {
		return 0
	}
	if age >= growthPeriod {
		return growthScale
	}
	// left = 1 − t, in millionths; in milliseconds, so nothing overflows.
	left := uint64((growthPeriod - age).Milliseconds()) * growthScale / uint64(growthPeriod.Milliseconds())
	return growthScale - left*left/growthScale*left/growthScale
}
