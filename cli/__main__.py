"""`python -m policykg.cli`: the same as the `policykg` command."""

import sys

from policykg.cli.main import main

sys.exit(main())
