"""Validate: raw trees checked by the JSON Schemas, then by rules across files → SiteConfig, Article, Annotation."""
