"""Build: the stages put together (the plan, one article's path through them, workers, the cache, the staging folder)."""
