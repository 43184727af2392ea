"""The `policykg` command line (placeholder until the CLI package lands: keep theirs at merge)."""
