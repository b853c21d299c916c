-- Instants are INTEGER seconds since the Unix epoch, in UTC.

-- accounts are the brand's accounts on each network. Their tokens stay in the
-- environment: nothing secret is stored here.
CREATE TABLE accounts (
    id           INTEGER PRIMARY KEY,
    network      TEXT    NOT NULL,
    handle       TEXT    NOT NULL,
    display_name TEXT    NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL,
    UNIQUE (network, handle)
);

-- posts are what the team wants to say, and where each stands in approval.
CREATE TABLE posts (
    id             INTEGER PRIMARY KEY,
    text           TEXT    NOT NULL,
    author_id      TEXT    NOT NULL,
    status         TEXT    NOT NULL CHECK (status IN ('draft', 'pending', 'changes_requested',
                       'approved', 'rejected', 'canceled', 'publishing', 'published', 'partial', 'failed')),
    version        INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    publish_at     INTEGER,          -- asked-for time; NULL: as soon as approved
    origin_channel TEXT    NOT NULL DEFAULT '',
    card_channel   TEXT    NOT NULL DEFAULT '',
    card_ts        TEXT    NOT NULL DEFAULT '',
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
);
CREATE INDEX posts_by_status ON posts (status, updated_at);

-- deliveries are one post on one account. The idempotency key is chosen once,
-- before the first attempt, so that every retry carries the same one.
CREATE TABLE deliveries (
    id              INTEGER PRIMARY KEY,
    post_id         INTEGER NOT NULL REFERENCES posts (id),
    account_id      INTEGER NOT NULL REFERENCES accounts (id),
    status          TEXT    NOT NULL CHECK (status IN ('waiting', 'scheduled', 'publishing',
                        'published', 'failed', 'unknown', 'canceled')),
    idempotency_key TEXT    NOT NULL UNIQUE,
    due_at          INTEGER,          -- when it should go out
    next_attempt_at INTEGER,          -- when the dispatcher may try (due_at, or later after a failure)
    attempts        INTEGER NOT NULL DEFAULT 0,
    lease_until     INTEGER,          -- while publishing: the claim's expiry
    remote_id       TEXT    NOT NULL DEFAULT '',
    remote_url      TEXT    NOT NULL DEFAULT '',
    last_error      TEXT    NOT NULL DEFAULT '',
    published_at    INTEGER,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    UNIQUE (post_id, account_id)
);
CREATE INDEX deliveries_due ON deliveries (status, next_attempt_at);

-- approvals bind to a version of the post: editing the text starts afresh.
CREATE TABLE approvals (
    post_id     INTEGER NOT NULL REFERENCES posts (id),
    version     INTEGER NOT NULL,
    user_id     TEXT    NOT NULL,
    approved_at INTEGER NOT NULL,
    PRIMARY KEY (post_id, version, user_id)
) WITHOUT ROWID;

-- audit_log keeps who did what to which post, and why; never updated.
CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    post_id     INTEGER NOT NULL REFERENCES posts (id),
    actor_id    TEXT    NOT NULL,
    action      TEXT    NOT NULL,
    from_status TEXT    NOT NULL,
    to_status   TEXT    NOT NULL,
    version     INTEGER NOT NULL,
    reason      TEXT    NOT NULL DEFAULT '',
    at          INTEGER NOT NULL
);
CREATE INDEX audit_log_by_post ON audit_log (post_id, id);

-- seen_events remembers Slack's event ids, so a retried event is handled once.
CREATE TABLE seen_events (
    event_id TEXT    PRIMARY KEY,
    seen_at  INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX seen_events_by_age ON seen_events (seen_at);
