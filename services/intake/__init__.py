"""Intake: households, applications and decisions (§ 27). The only service that holds personal data."""
