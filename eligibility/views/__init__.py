"""Eligibility pages: assessing a family and its decision, status moves, the overview."""
