"""Services: the rules and queries of each resource. No Request, no templates."""
