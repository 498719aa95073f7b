"""Clients for the external APIs (Windsurf analytics, Microsoft Graph), speaking their real shapes."""
