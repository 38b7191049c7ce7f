"""Shared services on records: audit, timeline, notifications, attachments and versions."""
