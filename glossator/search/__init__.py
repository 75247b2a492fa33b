"""Search: Pagefind run on each shard of the archive, the shards merged into the site's one bundle,
every file checked."""
