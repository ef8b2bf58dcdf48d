"""Co-delivery: tasks and shifts, the contributions ledger, the timebank, service requests."""
