"""`annexbot demo`: the bundled plan played for a few weeks against the sandbox, offline."""
