"""What a company edits and what declares our data: the policy (``policy.d/*.toml``, validated
against the default's shape), one spec per register (``specs/*.toml``) and one spec per
controlled form (``forms/*.toml``).

Owns: loading and validating those TOML files.
May import: ``core`` and ``rules``.
"""
