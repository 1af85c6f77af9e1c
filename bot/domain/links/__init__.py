"""What a pasted link really is: a 1688 offer, shop or share link, another platform, an
agent link, or a lookalike."""
