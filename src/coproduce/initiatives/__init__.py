"""Initiatives: the co-production arrangement around a public service, its phases and people."""
