"""Placement: providers and units, matching, the stay\x27s life cycle and live capacity."""
