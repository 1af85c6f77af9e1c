"""Command line entry point; see bot/cli/__init__.py."""

from bot.cli import main

if __name__ == "__main__":
    main()
