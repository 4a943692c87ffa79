"""Browser tests of the learner runtime (a package, so that its one Chromium closes
before other test folders start a Playwright of their own)."""
