"""Exports: the annotations as data (W3C Web Annotations, the data dump, ClaimReview), per article and merged."""
