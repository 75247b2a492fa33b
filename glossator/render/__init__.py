"""Render: every page of the site as text, through Jinja (autoescaped everywhere)."""
