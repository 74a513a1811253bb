-- Fencing: every claim of a day carries a token of its own, and confirm, release, abandon and pause act only
-- while the row still holds the caller's token, so a worker whose lease ran out cannot touch a newer claim.
-- first_claimed_at is when the day was first claimed: the look-up for an earlier post reads back to it.
-- Rows from before this migration get no token (no live worker holds one) and a start two days back.
ALTER TABLE deliveries ADD COLUMN claim_token TEXT;

ALTER TABLE deliveries ADD COLUMN first_claimed_at BIGINT;

UPDATE deliveries SET first_claimed_at = lease_until - 172800 WHERE first_claimed_at IS NULL;
