"""Screening through the API: a proposal's runs and report (/api/v1/proposals/{id}/runs/,
…/report/), starting a check (…/check/), and the registries (/api/v1/registries/)."""
