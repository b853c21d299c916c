-- What a crash must not make up about a delivery.
--
-- called_attempt is the attempt whose network call has started, written just
-- before the call: a delivery left in publishing whose attempt never called
-- (it was claimed, and waited for its account's turn) reached no network, and
-- is simply sent again, on any network.
ALTER TABLE deliveries ADD COLUMN called_attempt INTEGER NOT NULL DEFAULT 0;
-- unsure is set once a call got no clear answer (none, or one cut short), or
-- was cut by a crash: the network may hold the post, whatever later attempts
-- hear. Running out of attempts then leaves the delivery unknown, for a
-- person to check, rather than failed.
ALTER TABLE deliveries ADD COLUMN unsure INTEGER NOT NULL DEFAULT 0 CHECK (unsure IN (0, 1));
-- Rows from before: what is in flight may have called, and what waits after
-- an error may have reached the network.
UPDATE deliveries SET called_attempt = attempts WHERE status = 'publishing';
UPDATE deliveries SET unsure = 1 WHERE status IN ('scheduled', 'publishing') AND last_error != '';
