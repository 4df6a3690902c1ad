"""The ``newsdesk`` command line."""
