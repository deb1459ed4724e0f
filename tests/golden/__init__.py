"""Golden tests: each case is an app and the files FasterAPI must generate for it."""
