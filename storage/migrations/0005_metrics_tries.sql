-- A network that fails to answer is asked again next round, but after the
-- posts whose turn it is: the time of the last try, answered or not, orders
-- the collection, so that one failing network cannot fill every batch.
ALTER TABLE deliveries ADD COLUMN metrics_tried_at INTEGER;
