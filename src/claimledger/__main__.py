"""``python -m claimledger``: the same as the ``claimledger`` command."""
import sys

from claimledger.cli import main

sys.exit(main())
