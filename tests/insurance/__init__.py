"""Tests for the pure-Python medical protection engine (no Django needed)."""
