"""`python -m qms`: the same CLI as the `qms` script."""

from qms.cli import main

if __name__ == "__main__":
    main()
