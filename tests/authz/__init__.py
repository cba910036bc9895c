"""The authorization matrix: one RouteCase per registered route, a world of two subtrees."""
