"""``jiceng load-geo FILE.geojson``: boundaries, centroids and landmarks, all or nothing."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from jiceng.areas.geodata import GeoDataError, load_geojson


class Command(BaseCommand):
    help = "Load area and grid boundaries, centroids and landmarks from a GeoJSON FeatureCollection (see docs/geography.md)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="GeoJSON FeatureCollection, UTF-8")

    def handle(self, *args, **opts):
        path = Path(opts["file"])
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise CommandError(_("Cannot read %(file)s: %(error)s") % {"file": path, "error": exc.strerror}) from None
        try:
            report = load_geojson(raw)
        except GeoDataError as exc:
            lines = [_("%(file)s was not loaded; nothing was written:") % {"file": path}, *exc.errors]
            raise CommandError("\n".join(lines)) from None
        self.stdout.write(self.style.SUCCESS(_("Loaded %(areas)d areas, %(grids)d grids and %(landmarks)d landmarks.")
                                             % {"areas": report.areas, "grids": report.grids, "landmarks": report.landmarks}))
