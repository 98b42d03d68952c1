"""Billing: requisitions (rekvisisjoner) and supplier-invoice reconciliation."""
