-- A delivery's outcome is recorded first and told in Slack after (its card,
-- a line in the card's thread, an alert when a person must act): catweete
-- stopped between the two leaves an outcome nobody was told of, and its post
-- short of its final state. told_status is the status last told, so that
-- catweete tells, at its next start, every outcome it had not.
ALTER TABLE deliveries ADD COLUMN told_status TEXT NOT NULL DEFAULT '';
-- What had ended before this column was told then.
UPDATE deliveries SET told_status = status WHERE status IN ('published', 'failed', 'unknown', 'canceled');
