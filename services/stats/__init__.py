"""Stats: projections of all events into KOSTRA counters and the municipality's own numbers."""
