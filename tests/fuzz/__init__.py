"""The fuzz of dlsip's public API: valid calls, and invalid calls derived from them.

``engine`` finds the public callables and calls them under a time limit and a memory
cap; ``kinds`` turns each valid argument into invalid ones by its kind; ``valid`` holds
the registry of valid calls (written in ``valid_layers``, ``valid_numpy`` and
``valid_torch``) and the allow-list; ``tests/test_fuzz.py`` runs them.
"""
