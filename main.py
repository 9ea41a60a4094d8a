"""Run initviz from a source checkout: `python main.py [PROJECT.json]`, the same as `initviz`."""
import sys

from initviz.cli import main

if __name__ == "__main__":
    sys.exit(main())
