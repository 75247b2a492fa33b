"""Validate: raw trees checked against the JSON Schemas, then the rules across files → SiteConfig, Article, Annotation."""
