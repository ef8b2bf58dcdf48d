"""The demo data set: initiatives modelled on the cases in the co-production literature."""
