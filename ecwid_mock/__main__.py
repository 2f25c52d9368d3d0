"""``python -m ecwid_mock``: the same as the ``ecwid-mock`` command."""

import sys

from ._cli import main

sys.exit(main())
