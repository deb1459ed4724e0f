"""Apps for end-to-end tests that are not differential (timing, concurrency, lifecycle)."""
