"""The timebank: people exchange help, one hour for one hour, on double-entry accounts."""
