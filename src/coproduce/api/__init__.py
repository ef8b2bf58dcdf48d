"""APIs over the services, for scripts and other systems: Open311 GeoReport v2 today."""
