"""``python -m fasterapi`` is the ``fasterapi`` command."""

import sys

from .cli import main

sys.exit(main())
