"""A behavioural suite for the extractor: capabilities x templates x fills (CheckList style).

``fills`` holds the officials, countries and other actors; ``cases`` turns templates and fills
into cases; ``runner`` runs them through the public API and scores them per capability.
``tests/test_behaviour.py`` asserts the per-capability floors; ``scripts/behaviour.py`` prints
the table.
"""
