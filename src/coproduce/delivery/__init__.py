"""Co-delivery: tasks and shifts that citizens sign up for alongside professionals, waiting
lists, requirements, calendar feeds, reminders and the map."""
