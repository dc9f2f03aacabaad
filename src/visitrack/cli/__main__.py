"""``python -m visitrack.cli``: the same as the ``visitrack`` command."""

import sys

from visitrack.cli import main

sys.exit(main())
