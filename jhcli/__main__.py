"""``python -m jhcli``: the same program as the ``jh`` command."""

from jhcli.cli import main

if __name__ == "__main__":
    main()
