"""Proposals through the API (/api/v1/proposals/…), with the pages' rules and form."""
