"""Search: the Pagefind bundles, one per shard of the archive, written and checked file by file."""
