-- SQLite only (its no-overlap triggers get a lower bound); the exclusion constraints on
-- PostgreSQL use a GiST index already. Kept so both backends have the same steps.
SELECT 1;
