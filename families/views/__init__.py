"""Family pages, split by workflow: finding families, family records, and members."""
