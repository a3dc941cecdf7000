"""Criteria frameworks, assessments, eligibility decisions and the intervention's status."""
