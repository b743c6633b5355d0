-- The records an item holds (the elements of its data when that is an array, else 1; 0 for a
-- failed item), written with the item: a fan-out job's result sums them over every attempt without
-- reading each item's data again. Items stored before this migration count 0.
ALTER TABLE harrier.job_items ADD COLUMN records integer NOT NULL DEFAULT 0;
