"""workflows/importing."""
