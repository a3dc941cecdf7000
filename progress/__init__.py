"""Family Progress Data: six-monthly periods, measures and each family's return."""
