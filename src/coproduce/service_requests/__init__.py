"""Service requests: problems residents report (a broken light, a blocked alleyway) for
co-delivered action."""
