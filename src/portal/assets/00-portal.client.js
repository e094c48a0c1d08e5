// Progressive enhancement of the citizen portal. Every page works without this script.
