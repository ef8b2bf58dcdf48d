"""Append-only, hash-chained audit log that every service writes to; it imports no other app."""
