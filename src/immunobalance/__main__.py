"""``python -m immunobalance`` is the same as the ``immunobalance`` entry point."""

from immunobalance.cli import main

if __name__ == "__main__":
    main()
