"""The registry of places: administrative areas, grids and responsible units."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from . import codes
from .codes import Level


class GeoFields(models.Model):
    """Optional geography of an area or grid: a WGS-84 centroid and a GeoJSON boundary.

    The boundary is stored as GeoJSON (``Polygon`` or ``MultiPolygon``, longitude first)
    in a JSON column, so SQLite and PostgreSQL hold it the same way without PostGIS;
    ``jiceng.areas.geo`` builds its spatial index from it in memory.
    """

    centroid_lat = models.FloatField(_("centroid latitude"), null=True, blank=True)
    centroid_lon = models.FloatField(_("centroid longitude"), null=True, blank=True)
    boundary = models.JSONField(_("boundary (GeoJSON)"), null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def centroid(self) -> tuple[float, float] | None:
        """(lat, lon) in WGS-84, or None."""
        if self.centroid_lat is None or self.centroid_lon is None:
            return None
        return (self.centroid_lat, self.centroid_lon)


class AreaLevel(models.TextChoices):
    PROVINCE = "province", _("Province")
    PREFECTURE = "prefecture", _("Prefecture")
    COUNTY = "county", _("County")
    TOWNSHIP = "township", _("Township")
    VILLAGE = "village", _("Village / community")


def subtree_q(field: str, code_prefix: str) -> Q:
    """Q matching rows whose 12-digit code ``field`` lies under ``code_prefix``.

    One indexed range scan: ``field >= low AND field < high``.
    """
    low, high = codes.subtree_bounds(code_prefix)
    return Q(**{f"{field}__gte": low, f"{field}__lt": high})


def subtrees_q(field: str, code_prefixes: Iterable[str]) -> Q:
    """Q matching rows whose code ``field`` lies under any of ``code_prefixes``: one range per prefix, OR-ed;
    no prefixes match nothing. The one way the access modules (cases, people, programmes) turn a user's areas
    into a filter."""
    q = Q(pk__in=[])
    for prefix in code_prefixes:
        q |= subtree_q(field, prefix)
    return q


def in_subtrees(code: str | None, code_prefixes: Iterable[str]) -> bool:
    """Whether the area ``code`` lies under any of ``code_prefixes`` (the check :func:`subtrees_q` makes, in Python)."""
    return bool(code) and any(code.startswith(prefix) for prefix in code_prefixes)


class Area(GeoFields):
    """An administrative division keyed by its 12-digit statistical code."""

    code = models.CharField(_("division code"), max_length=12, primary_key=True)
    name = models.CharField(_("name"), max_length=64)
    level = models.CharField(_("level"), max_length=12, choices=AreaLevel.choices, db_index=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    code_version = models.CharField(_("code version"), max_length=8, default="2023", help_text=_("Year of the statistical division code list"))

    class Meta:
        ordering = ["code"]
        verbose_name = _("area")
        verbose_name_plural = _("areas")

    def __str__(self) -> str:
        return self.name

    @property
    def level_enum(self) -> Level:
        return Level.from_key(self.level)

    @property
    def prefix(self) -> str:
        """Significant code prefix shared with every descendant."""
        return self.code[: self.level_enum.value]

    def clean(self) -> None:
        try:
            codes.check_format(self.code)
            codes.check_code(self.code, Level.from_key(self.level), self.parent_id)
        except (codes.CodeError, ValueError) as exc:
            raise ValidationError({"code": str(exc)}) from exc

    def subtree(self) -> models.QuerySet["Area"]:
        """This area and everything under it, as one indexed range query."""
        return Area.objects.filter(subtree_q("code", self.prefix))

    def ancestor(self, level: Level) -> "Area | None":
        if self.level_enum.value < level.value:
            return None
        return Area.objects.filter(code=codes.ancestor_code(self.code, level)).first()

    def ancestors(self) -> list["Area"]:
        """From the province down to the parent."""
        wanted = [codes.ancestor_code(self.code, lvl) for lvl in codes.LEVEL_ORDER if lvl.value < self.level_enum.value]
        by_code = {a.code: a for a in Area.objects.filter(code__in=wanted)}
        return [by_code[c] for c in wanted if c in by_code]

    def full_name(self) -> str:
        return "".join(a.name for a in self.ancestors() if a.level_enum.value >= Level.COUNTY.value) + self.name


class Grid(GeoFields):
    """A grid (网格) inside a village or community, patrolled by grid workers."""

    code = models.CharField(_("grid code"), max_length=16, unique=True)
    name = models.CharField(_("name"), max_length=64)
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="grids", verbose_name=_("village / community"))
    workers = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="grids", verbose_name=_("grid workers"))

    class Meta:
        ordering = ["code"]
        verbose_name = _("grid")
        verbose_name_plural = _("grids")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.area_id and self.area.level != AreaLevel.VILLAGE:
            raise ValidationError({"area": _("A grid must belong to a village or community.")})
        if self.area_id and self.code and not self.code.startswith(self.area_id):
            raise ValidationError({"code": _("A grid code starts with its village code.")})


class Landmark(models.Model):
    """A place people name in addresses (村部, 小学, 桥, 市场 …), for address matching.

    ``aliases`` are other names for the same place (村委会 for 村部). The point is
    WGS-84 and optional: a landmark still helps match addresses without one.
    """

    name = models.CharField(_("name"), max_length=64)
    aliases = models.JSONField(_("other names"), default=list, blank=True)
    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="landmarks", verbose_name=_("village / community"))
    grid = models.ForeignKey(Grid, null=True, blank=True, on_delete=models.SET_NULL, related_name="landmarks", verbose_name=_("grid"))
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    lon = models.FloatField(_("longitude"), null=True, blank=True)

    class Meta:
        ordering = ["area_id", "name"]
        unique_together = [("area", "name")]
        verbose_name = _("landmark")
        verbose_name_plural = _("landmarks")

    def __str__(self) -> str:
        return self.name

    def names(self) -> list[str]:
        return [self.name, *[a for a in self.aliases if a]]

    def clean(self) -> None:
        if self.area_id and self.area.level != AreaLevel.VILLAGE:
            raise ValidationError({"area": _("A landmark must belong to a village or community.")})
        if self.grid_id and self.area_id and self.grid.area_id != self.area_id:
            raise ValidationError({"grid": _("The grid belongs to another village.")})


class GeoStamp(models.Model):
    """One row whose token changes whenever geography is written.

    Every process keeps its spatial index in memory and compares this token (one
    primary-key read) before using it, so a ``load-geo`` run in another process is
    seen at the next lookup. A random token rather than a counter: a rolled-back
    transaction cannot leave two different geographies with the same stamp.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    token = models.CharField(max_length=32)
    changed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("geography version")


class SubUnitKind(models.TextChoices):
    BUILDING = "building", _("Building (楼栋)")
    VILLAGER_GROUP = "group", _("Villager group (村民小组)")


class GridSubUnit(models.Model):
    """An optional sub-unit of a grid: a building or a villager group."""

    grid = models.ForeignKey(Grid, on_delete=models.CASCADE, related_name="subunits")
    kind = models.CharField(_("kind"), max_length=12, choices=SubUnitKind.choices)
    name = models.CharField(_("name"), max_length=64)

    class Meta:
        ordering = ["grid", "name"]
        unique_together = [("grid", "name")]
        verbose_name = _("grid sub-unit")
        verbose_name_plural = _("grid sub-units")

    def __str__(self) -> str:
        return f"{self.grid.name}·{self.name}"


class UnitLevel(models.TextChoices):
    """The three tiers a case moves through: 小事不出村、大事不出乡镇、难事不出县."""

    VILLAGE = "village", _("Village")
    TOWNSHIP = "township", _("Township")
    COUNTY = "county", _("County")


LEVEL_RANK = {UnitLevel.VILLAGE: 1, UnitLevel.TOWNSHIP: 2, UnitLevel.COUNTY: 3}
NEXT_LEVEL = {UnitLevel.VILLAGE: UnitLevel.TOWNSHIP, UnitLevel.TOWNSHIP: UnitLevel.COUNTY}
AREA_LEVEL_FOR_UNIT_LEVEL = {UnitLevel.VILLAGE: Level.VILLAGE, UnitLevel.TOWNSHIP: Level.TOWNSHIP, UnitLevel.COUNTY: Level.COUNTY}


class UnitKind(models.Model):
    """A kind of responsible unit (村委会, 派出所, 民政局 …), named in the case configuration."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=64)
    level = models.CharField(_("level"), max_length=12, choices=UnitLevel.choices)

    class Meta:
        ordering = ["level", "code"]
        verbose_name = _("unit kind")
        verbose_name_plural = _("unit kinds")

    def __str__(self) -> str:
        return self.name


class Unit(models.Model):
    """A responsible unit (责任单位) that handles cases at one level for one area."""

    code = models.SlugField(_("unit code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=64)
    kind = models.ForeignKey(UnitKind, to_field="code", db_column="kind", on_delete=models.PROTECT, related_name="units", verbose_name=_("kind"))
    level = models.CharField(_("level"), max_length=12, choices=UnitLevel.choices)
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="units", verbose_name=_("area served"))
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["area_id", "name"]
        indexes = [models.Index(fields=["kind", "area"])]
        verbose_name = _("unit")
        verbose_name_plural = _("units")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.area_id and self.level:
            if self.kind_id and self.kind.level != self.level:
                raise ValidationError({"kind": _("The unit kind belongs to another level.")})
            wanted = AREA_LEVEL_FOR_UNIT_LEVEL[UnitLevel(self.level)]
            if self.area.level_enum is not wanted:
                raise ValidationError({"area": _("A %(level)s unit must serve an area of that level.") % {"level": self.get_level_display()}})
