"""Approximate IRL estimators in tabular form, measured against the exact answers."""
