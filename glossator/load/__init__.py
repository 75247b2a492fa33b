"""Load: the archive's files (site.yaml, articles, annotation files) read safely into raw YAML trees with positions."""
