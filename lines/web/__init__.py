"""The operators' station screens (server-rendered, htmx for partial updates)."""
