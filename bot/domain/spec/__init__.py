"""Product specifications in Chinese from the buyer's words, and the checks on machine
translations of them."""
