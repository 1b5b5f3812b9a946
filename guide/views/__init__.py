"""Guide pages: `public` (the published guide, for everyone)."""
