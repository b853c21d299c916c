package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Post is a row of posts: what the team wants to say and where it stands.
type Post struct {
	ID       int64
	Text     string
	AuthorID string
	Status   string
	// Version is bumped by every edit of the text; approvals bind to it.
	Version int
	// PublishAt is the time asked for; zero means as soon as approved.
	PublishAt     time.Time
	OriginChannel string
	// CardChannel and CardTS locate the approval card once it is posted.
	CardChannel string
	CardTS      string
	// NudgedAt is when the approvers were reminded of the post, once.
	NudgedAt  time.Time
	CreatedAt time.Time
	UpdatedAt time.Time
}

const postColumns = `id, text, author_id, status, version, publish_at, origin_channel,
	card_channel, card_ts, nudged_at, created_at, updated_at`

func scanPost(row interface{ Scan(...any) error }) (Post, error) {
	var (
		p                    Post
		publishAt, nudgedAt  sql.NullInt64
		createdAt, updatedAt int64
	)
	err := row.Scan(&p.ID, &p.Text, &p.AuthorID, &p.Status, &p.Version, &publishAt, &p.OriginChannel,
		&p.CardChannel, &p.CardTS, &nudgedAt, &createdAt, &updatedAt)
	if err != nil {
		return Post{}, err
	}
	p.PublishAt = fromNullUnix(publishAt)
	p.NudgedAt = fromNullUnix(nudgedAt)
	p.CreatedAt = fromUnix(createdAt)
	p.UpdatedAt = fromUnix(updatedAt)
	return p, nil
}

// InsertPost stores a new post and returns its id. CreatedAt is used for
// both timestamps.
func (q queries) InsertPost(ctx context.Context, p Post) (int64, error) {
	if p.Version == 0 {
		p.Version = 1
	}
	res, err := q.db.ExecContext(ctx, `INSERT INTO posts
		(text, author_id, status, version, publish_at, origin_channel, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		p.Text, p.AuthorID, p.Status, p.Version, nullUnix(p.PublishAt), p.OriginChannel,
		unix(p.CreatedAt), unix(p.CreatedAt))
	if err != nil {
		return 0, fmt.Errorf("storage: insert post: %w", err)
	}
	return res.LastInsertId()
}

// Post returns the post with this id.
func (q queries) Post(ctx context.Context, id int64) (Post, error) {
	p, err := scanPost(q.db.QueryRowContext(ctx, `SELECT `+postColumns+` FROM posts WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Post{}, fmt.Errorf("storage: post %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return Post{}, fmt.Errorf("storage: post %d: %w", id, err)
	}
	return p, nil
}

// PostsByStatus returns the posts in any of these states, oldest first.
func (q queries) PostsByStatus(ctx context.Context, limit int, statuses ...string) ([]Post, error) {
	if len(statuses) == 0 {
		return nil, nil
	}
	in, args := inList(statuses, limit)
	posts, err := scanPosts(q.db.QueryContext(ctx, `SELECT `+postColumns+` FROM posts
		WHERE status IN `+in+`
		ORDER BY created_at, id LIMIT ?`, args...))
	if err != nil {
		return nil, fmt.Errorf("storage: posts by status: %w", err)
	}
	return posts, nil
}

// TransitionPost moves a post from one state to another, only if it is
// still in state from at this version: of two writers racing, one wins and
// the other gets ErrConflict.
func (q queries) TransitionPost(ctx context.Context, id int64, from string, version int, to string, at time.Time) error {
	err := oneRow(q.db.ExecContext(ctx, `UPDATE posts SET status = ?, updated_at = ?
		WHERE id = ? AND status = ? AND version = ?`, to, unix(at), id, from, version))
	if err != nil {
		return fmt.Errorf("storage: post %d %s→%s: %w", id, from, to, err)
	}
	return nil
}

// ReviseText replaces a post's text, bumps its version and sets its state,
// guarded like TransitionPost. It returns the new version.
func (q queries) ReviseText(ctx context.Context, id int64, from string, version int, text, to string, at time.Time) (int, error) {
	err := oneRow(q.db.ExecContext(ctx, `UPDATE posts SET text = ?, status = ?, version = version + 1, updated_at = ?
		WHERE id = ? AND status = ? AND version = ?`, text, to, unix(at), id, from, version))
	if err != nil {
		return 0, fmt.Errorf("storage: revise post %d: %w", id, err)
	}
	return version + 1, nil
}

// SetPostCard records where the post's approval card is.
func (q queries) SetPostCard(ctx context.Context, id int64, channel, ts string) error {
	err := oneRow(q.db.ExecContext(ctx, `UPDATE posts SET card_channel = ?, card_ts = ? WHERE id = ?`, channel, ts, id))
	if errors.Is(err, ErrConflict) {
		err = ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("storage: post %d card: %w", id, err)
	}
	return nil
}

// scanPosts reads every row of a posts query.
func scanPosts(rows *sql.Rows, err error) ([]Post, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var posts []Post
	for rows.Next() {
		p, err := scanPost(rows)
		if err != nil {
			return nil, err
		}
		posts = append(posts, p)
	}
	return posts, rows.Err()
}

// SetPublishAt changes the time asked for a post that has not started
// publishing (zero: as soon as approved). It returns ErrConflict when the
// post is no longer in one of the states given.
func (q queries) SetPublishAt(ctx context.Context, id int64, publishAt time.Time, at time.Time, states ...string) error {
	in, args := inList(states)
	args = append([]any{nullUnix(publishAt), unix(at), id}, args...)
	err := oneRow(q.db.ExecContext(ctx, `UPDATE posts SET publish_at = ?, nudged_at = NULL, updated_at = ?
		WHERE id = ? AND status IN `+in, args...))
	if err != nil {
		return fmt.Errorf("storage: post %d publish time: %w", id, err)
	}
	return nil
}

// PostsToNudge returns the pending posts due at or before `before` whose
// approvers were not reminded yet.
func (q queries) PostsToNudge(ctx context.Context, before time.Time) ([]Post, error) {
	posts, err := scanPosts(q.db.QueryContext(ctx, `SELECT `+postColumns+` FROM posts
		WHERE status = 'pending' AND publish_at IS NOT NULL AND publish_at <= ? AND nudged_at IS NULL
		ORDER BY publish_at, id`, unix(before)))
	if err != nil {
		return nil, fmt.Errorf("storage: posts to nudge: %w", err)
	}
	return posts, nil
}

// MarkNudged records that a post's approvers were reminded. It reports
// false when they already were: the reminder goes out once.
func (q queries) MarkNudged(ctx context.Context, id int64, at time.Time) (bool, error) {
	err := oneRow(q.db.ExecContext(ctx, `UPDATE posts SET nudged_at = ? WHERE id = ? AND nudged_at IS NULL`, unix(at), id))
	if errors.Is(err, ErrConflict) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("storage: post %d nudged: %w", id, err)
	}
	return true, nil
}

// PostsSince returns the posts created at or after since in any of these
// states, newest first.
func (q queries) PostsSince(ctx context.Context, since time.Time, limit int, states ...string) ([]Post, error) {
	in, args := inList(states)
	args = append([]any{unix(since)}, append(args, limit)...)
	// "+status" keeps SQLite on posts_by_created: with the status index it
	// would sort every post of the table.
	posts, err := scanPosts(q.db.QueryContext(ctx, `SELECT `+postColumns+` FROM posts
		WHERE created_at >= ? AND +status IN `+in+` ORDER BY created_at DESC, id DESC LIMIT ?`, args...))
	if err != nil {
		return nil, fmt.Errorf("storage: posts since %s: %w", since.Format(time.RFC3339), err)
	}
	return posts, nil
}

// PostsWithoutCard returns the posts still in play whose approval card
// could not be posted.
func (q queries) PostsWithoutCard(ctx context.Context, limit int) ([]Post, error) {
	posts, err := scanPosts(q.db.QueryContext(ctx, `SELECT `+postColumns+` FROM posts
		WHERE card_ts = '' AND status IN ('pending', 'changes_requested', 'approved', 'publishing')
		ORDER BY id LIMIT ?`, limit))
	if err != nil {
		return nil, fmt.Errorf("storage: posts without card: %w", err)
	}
	return posts, nil
}
