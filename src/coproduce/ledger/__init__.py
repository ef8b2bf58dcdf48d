"""The contributions ledger: time and resources given to an initiative in any of the four
stages, confirmed by a second party, valued and totalled."""
