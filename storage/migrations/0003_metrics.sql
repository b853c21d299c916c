-- Numbers: what each network says of each published post, as snapshots
-- never overwritten, and each account's audience over time. A NULL figure
-- is one the network does not give: never a zero.

CREATE TABLE metric_snapshots (
    id          INTEGER PRIMARY KEY,
    delivery_id INTEGER NOT NULL REFERENCES deliveries (id),
    at          INTEGER NOT NULL,
    impressions INTEGER,
    reach       INTEGER,
    likes       INTEGER,
    reposts     INTEGER,
    replies     INTEGER,
    quotes      INTEGER,
    clicks      INTEGER,
    saves       INTEGER
);
CREATE INDEX metric_snapshots_by_delivery ON metric_snapshots (delivery_id, at);

CREATE TABLE follower_snapshots (
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    at         INTEGER NOT NULL,
    followers  INTEGER NOT NULL,
    PRIMARY KEY (account_id, at)
) WITHOUT ROWID;

-- The latest snapshot is copied onto its delivery, so that a summary over
-- thousands of posts reads one row per post, not the whole history.
ALTER TABLE deliveries ADD COLUMN metrics_at INTEGER;
ALTER TABLE deliveries ADD COLUMN m_impressions INTEGER;
ALTER TABLE deliveries ADD COLUMN m_reach INTEGER;
ALTER TABLE deliveries ADD COLUMN m_likes INTEGER;
ALTER TABLE deliveries ADD COLUMN m_reposts INTEGER;
ALTER TABLE deliveries ADD COLUMN m_replies INTEGER;
ALTER TABLE deliveries ADD COLUMN m_quotes INTEGER;
ALTER TABLE deliveries ADD COLUMN m_clicks INTEGER;
ALTER TABLE deliveries ADD COLUMN m_saves INTEGER;
-- The audience when the post went out: the base of its reach rate.
ALTER TABLE deliveries ADD COLUMN followers_at_publish INTEGER;
-- When the post's take-off was announced, once.
ALTER TABLE deliveries ADD COLUMN shouted_at INTEGER;

CREATE INDEX deliveries_published ON deliveries (status, published_at);
