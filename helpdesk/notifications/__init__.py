"""In-app and e-mail notifications: one row per (event, person), never twice (dedup_key is unique)."""
