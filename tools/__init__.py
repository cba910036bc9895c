"""Development tools: message catalogue extraction and checks (see docs/i18n.md)."""
