"""``python -m ecwid_mock.locust --path``: where the bundled locustfile is.

(``ecwid-mock load`` finds the same file without importing Locust.)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m ecwid_mock.locust", description="The bundled Ecwid webhook locustfile."
    )
    parser.add_argument("--path", action="store_true", help="print the locustfile's path")
    args = parser.parse_args(argv)
    if not args.path:
        parser.print_help()
        return 2
    print(Path(__file__).with_name("locustfile.py"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
