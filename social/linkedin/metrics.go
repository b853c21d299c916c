package linkedin

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"catweete/social"
)

// shareStatistics is the part of an organizationalEntityShareStatistics
// answer that Metrics reads
// (https://learn.microsoft.com/en-us/linkedin/marketing/community-management/organizations/share-statistics).
type shareStatistics struct {
	Elements []struct {
		TotalShareStatistics struct {
			ImpressionCount        *int64 `json:"impressionCount"`
			UniqueImpressionsCount *int64 `json:"uniqueImpressionsCount"`
			LikeCount              *int64 `json:"likeCount"`
			CommentCount           *int64 `json:"commentCount"`
			ShareCount             *int64 `json:"shareCount"`
			ClickCount             *int64 `json:"clickCount"`
		} `json:"totalShareStatistics"`
	} `json:"elements"`
}

// socialActions is the part of a socialActions answer that Metrics reads
// (https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/network-update-social-actions).
type socialActions struct {
	LikesSummary struct {
		TotalLikes           *int64 `json:"totalLikes"`
		AggregatedTotalLikes *int64 `json:"aggregatedTotalLikes"`
	} `json:"likesSummary"`
	CommentsSummary struct {
		TotalFirstLevelComments *int64 `json:"totalFirstLevelComments"`
		AggregatedTotalComments *int64 `json:"aggregatedTotalComments"`
	} `json:"commentsSummary"`
}

// Metrics returns what LinkedIn says of the post remoteID (its URN, as
// Publish returned it).
//
// For an organization author it reads the post's lifetime organic
// statistics (GET /rest/organizationalEntityShareStatistics with
// shares=List(…) or ugcPosts=List(…), permission rw_organization_admin):
// impressions, unique impressions (Reach), likes, comments (Replies),
// reshares (Reposts) and clicks. LinkedIn leaves out a post "with no actions
// or impressions": that is reported as zeros, which is what it means.
//
// For a member author LinkedIn gives no impressions to third parties: it
// reads GET /rest/socialActions/{urn}, likes and comments only; the other
// figures stay unknown.
//
// Failures are *social.Error, classified as Publish's are; a remoteID that is
// not a post URN is Permanent without a request.
func (c *Client) Metrics(ctx context.Context, remoteID string) (social.Metrics, error) {
	m := postURNRE.FindStringSubmatch(remoteID)
	if m == nil {
		return social.Metrics{}, fmt.Errorf("metrics: %w", c.refuse("the post id is not a LinkedIn post URN"))
	}
	if !c.org {
		return c.memberMetrics(ctx, remoteID)
	}
	var param string
	switch m[1] {
	case "share":
		param = "shares"
	case "ugcPost":
		param = "ugcPosts"
	default:
		return social.Metrics{}, fmt.Errorf("metrics: %w", c.refuse("LinkedIn gives statistics for share and ugcPost URNs only, not "+remoteID))
	}
	path := "/rest/organizationalEntityShareStatistics?q=organizationalEntity&organizationalEntity=" +
		escapeURN(c.author) + "&" + param + "=List(" + escapeURN(remoteID) + ")"
	var st shareStatistics
	if err := c.get(ctx, path, &st); err != nil {
		return social.Metrics{}, fmt.Errorf("metrics: %w", err)
	}
	if len(st.Elements) == 0 {
		zero := social.Known(0)
		return social.Metrics{Impressions: zero, Reach: zero, Likes: zero, Replies: zero, Reposts: zero, Clicks: zero}, nil
	}
	t := st.Elements[0].TotalShareStatistics
	return social.Metrics{
		Impressions: count(t.ImpressionCount),
		Reach:       count(t.UniqueImpressionsCount),
		Likes:       count(t.LikeCount),
		Replies:     count(t.CommentCount),
		Reposts:     count(t.ShareCount),
		Clicks:      count(t.ClickCount),
	}, nil
}

// memberMetrics reads the likes and comments of a member's post.
func (c *Client) memberMetrics(ctx context.Context, urn string) (social.Metrics, error) {
	var sa socialActions
	if err := c.get(ctx, "/rest/socialActions/"+escapeURN(urn), &sa); err != nil {
		return social.Metrics{}, fmt.Errorf("metrics: %w", err)
	}
	return social.Metrics{
		Likes:   firstKnown(sa.LikesSummary.AggregatedTotalLikes, sa.LikesSummary.TotalLikes),
		Replies: firstKnown(sa.CommentsSummary.AggregatedTotalComments, sa.CommentsSummary.TotalFirstLevelComments),
	}, nil
}

// count turns a figure LinkedIn may leave out into a social.Count.
func count(v *int64) social.Count {
	if v == nil {
		return social.Count{}
	}
	return social.Known(*v)
}

// firstKnown returns the first figure LinkedIn gave.
func firstKnown(vs ...*int64) social.Count {
	for _, v := range vs {
		if v != nil {
			return social.Known(*v)
		}
	}
	return social.Count{}
}

// Profile returns the author as LinkedIn shows it, and checks the token.
//
// For an organization: followers from GET /rest/networkSizes/{urn}?edgeType=COMPANY_FOLLOWED_BY_MEMBER
// (firstDegreeSize), and its name and page from GET /rest/organizations/{id}
// (localizedName, vanityName). The name is a nicety: when LinkedIn refuses it
// (Permanent), the handle is the URN and the link uses the numeric id.
//
// For a member: the name from GET /v2/userinfo (scopes openid and profile),
// whose sub must be the id in LINKEDIN_AUTHOR_URN, so that a token of the
// wrong member is caught before it publishes anything. LinkedIn gives no
// follower count for a member to such a token: Followers is unknown.
func (c *Client) Profile(ctx context.Context) (social.Profile, error) {
	if !c.org {
		return c.memberProfile(ctx)
	}
	var size struct {
		FirstDegreeSize *int64 `json:"firstDegreeSize"`
	}
	if err := c.get(ctx, "/rest/networkSizes/"+escapeURN(c.author)+"?edgeType=COMPANY_FOLLOWED_BY_MEMBER", &size); err != nil {
		return social.Profile{}, fmt.Errorf("profile: %w", err)
	}
	p := social.Profile{
		Handle:    c.author,
		URL:       "https://www.linkedin.com/company/" + c.id + "/",
		Followers: count(size.FirstDegreeSize),
	}
	var org struct {
		LocalizedName string `json:"localizedName"`
		VanityName    string `json:"vanityName"`
	}
	err := c.get(ctx, "/rest/organizations/"+c.id, &org)
	var se *social.Error
	switch {
	case err == nil:
		if name := strings.TrimSpace(org.LocalizedName); name != "" {
			p.Handle = name
		}
		if v := strings.TrimSpace(org.VanityName); v != "" && !strings.ContainsAny(v, "/?#% ") {
			p.URL = "https://www.linkedin.com/company/" + v + "/"
		}
	case errors.As(err, &se) && se.Class == social.Permanent:
		// Keep the URN: the follower count already proved the token.
	default:
		return social.Profile{}, fmt.Errorf("profile: %w", err)
	}
	return p, nil
}

// memberProfile reads the member's name through OpenID Connect.
func (c *Client) memberProfile(ctx context.Context) (social.Profile, error) {
	var ui struct {
		Sub  string `json:"sub"`
		Name string `json:"name"`
	}
	if err := c.get(ctx, "/v2/userinfo", &ui); err != nil {
		return social.Profile{}, fmt.Errorf("profile: %w", err)
	}
	if ui.Sub != c.id {
		return social.Profile{}, fmt.Errorf("profile: %w", &social.Error{
			Network: social.NetworkLinkedIn,
			Class:   social.Permanent,
			Status:  200,
			Message: c.clean(fmt.Sprintf("the token belongs to member %q, not to LINKEDIN_AUTHOR_URN %s", ui.Sub, c.author)),
		})
	}
	handle := strings.TrimSpace(ui.Name)
	if handle == "" {
		handle = c.author
	}
	return social.Profile{Handle: handle}, nil
}
