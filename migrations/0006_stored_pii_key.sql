-- The key of the contact-email HMAC when PII_HASH_KEY is not set (issue 10 item 7). Only the demo and the
-- test suite may run so (loadConfig refuses a missing key everywhere else, and no key is written in the
-- source): they generate a random key once per database and keep it here, so hashes stay comparable
-- within one database and differ between two. One row at most.
CREATE TABLE stored_pii_key (
  id          smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),
  key         text NOT NULL CHECK (length(key) >= 32),
  created_at  timestamptz NOT NULL DEFAULT now()
);
