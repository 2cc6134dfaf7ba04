DROP TABLE waitlist_offers;
DROP TABLE waitlist_entries;
