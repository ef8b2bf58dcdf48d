"""People and the organisations they belong to."""
