"""Participatory budgeting: pabulib files, greedy and Method of Equal Shares tallies (exact)."""
