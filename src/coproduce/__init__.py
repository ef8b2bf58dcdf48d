"""Coproduce: a shared space to commission, design, deliver and assess public services together."""
