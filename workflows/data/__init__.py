"""Package data: the agency directory (agencies.toml)."""
