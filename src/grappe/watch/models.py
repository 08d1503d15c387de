"""Models of the watch app."""
