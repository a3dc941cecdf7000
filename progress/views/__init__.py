"""Family Progress Data pages: what is due, a family's return, completeness, reference data."""
