"""`python -m kueport ...` runs the `kueport` command."""

import sys

from kueport.cli import main

if __name__ == "__main__":
    sys.exit(main())
