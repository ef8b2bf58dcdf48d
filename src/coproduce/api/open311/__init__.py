"""Open311 GeoReport v2 over service requests, in JSON or XML."""
