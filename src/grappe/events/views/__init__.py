"""Views of the events app, split by audience: staff, public (signed links and feeds), portal, matchmaking."""
