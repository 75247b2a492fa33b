"""Build: the stages put together (the plan, one article's path through them, workers, cache, staging)."""
