"""Helpers for alert tests: registered devices, as an administrator registers them."""

from __future__ import annotations

from jiceng.triage.alerts import do_register_device


def register_devices(world, *device_ids: str, village=None):
    """Register each device in ``village`` (default: the world's last village) and return them."""
    village = village or world.villages[-1]
    return [do_register_device(world.users["admin"], device_id=d, name=f"摄像头{d}", area=village)[0] for d in device_ids]
