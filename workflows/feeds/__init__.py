"""Calendar feeds: what a feed selects, its events, the built calendar, its cache and its links."""
