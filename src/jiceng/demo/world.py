"""Build a demo county: areas, grids, units and users of every role.

Used by ``jiceng seed-demo`` and by the test suite (with fewer townships), so
tests exercise the same registry a demo user sees. Idempotent: running it
again reuses what exists.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.db import transaction

from jiceng.accounts.models import Role, User
from jiceng.areas import codes
from jiceng.areas.models import Area, AreaLevel, Grid, GridSubUnit, SubUnitKind, Unit, UnitKind, UnitLevel
from jiceng.cases.config import load_config
from jiceng.people.models import TagKind
from jiceng.people.tagkinds import install_default_tag_kinds
from jiceng.programmes.models import PairingScheme
from jiceng.programmes.pairing import install_default_schemes

from . import names
from .geography import build_geography
from .texts import person_name, phone

DEMO_PASSWORD = "jiceng-demo-2026"
TOWNSHIP_UNIT_KINDS = ["township_office", "police_station", "judicial_office", "township_safety", "township_resources"]


@dataclass
class World:
    """Handles to what was built, for the case generator and tests."""

    county: Area
    townships: list[Area] = field(default_factory=list)
    villages: list[Area] = field(default_factory=list)
    grids_by_village: dict[str, list[Grid]] = field(default_factory=dict)
    units: dict[tuple[str, str], Unit] = field(default_factory=dict)  # (kind, area code) -> unit
    users: dict[str, User] = field(default_factory=dict)  # username -> user

    def unit(self, kind: str, area_code: str) -> Unit:
        return self.units[(kind, area_code)]


def _village_names(rng: random.Random, count: int, community: bool) -> list[str]:
    out: list[str] = []
    while len(out) < count:
        if community:
            name = rng.choice(names.COMMUNITY_WORDS) + rng.choice(["", "路", "街", "园"]) + "社区"
        else:
            name = rng.choice(names.PLACE_HEADS) + rng.choice(names.PLACE_TAILS) + "村"
        if name not in out:
            out.append(name)
    return out


def _area(code: str, name: str, level: str, parent: Area | None) -> Area:
    area = Area(code=code, name=name, level=level, parent=parent)
    area.full_clean()
    existing = Area.objects.filter(code=code).first()
    if existing:
        return existing
    area.save(force_insert=True)
    return area


def _unit(world: World, kind: str, area: Area, name: str, level: str) -> Unit:
    code = f"{kind}-{area.code}"
    unit, _ = Unit.objects.get_or_create(code=code, defaults={"name": name, "kind_id": kind, "level": level, "area": area})
    world.units[(kind, area.code)] = unit
    return unit


def _user(world: World, username: str, role: str, real_name: str, scope: Area | None, units: list[Unit], password_hash: str, rng: random.Random) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username, role=role, real_name=real_name, scope_area=scope, phone=phone(rng), password=password_hash,
                    is_staff=role == Role.ADMIN, is_superuser=role == Role.ADMIN)
        user.save()
        if units:
            user.units.set(units)
    world.users[username] = user
    return user


@transaction.atomic
def build_world(seed: int = 1, townships: int | None = None, villages_per_township: tuple[int, int] = (6, 12)) -> World:
    """Create (or reuse) the demo county 零陵区 with its registry and users."""
    load_config()
    # The defaults their migrations install, again (idempotent): a flushed database (`jiceng flush`,
    # transactional tests) has lost them.
    install_default_tag_kinds(TagKind)
    install_default_schemes(PairingScheme)
    rng = random.Random(seed)
    pw = make_password(DEMO_PASSWORD)
    province = _area(names.PROVINCE[0], names.PROVINCE[1], AreaLevel.PROVINCE, None)
    prefecture = _area(names.PREFECTURE[0], names.PREFECTURE[1], AreaLevel.PREFECTURE, province)
    county = _area(names.COUNTY[0], names.COUNTY[1], AreaLevel.COUNTY, prefecture)
    world = World(county=county)
    kinds = {k.code: k for k in UnitKind.objects.all()}
    for kind in kinds.values():
        if kind.level == UnitLevel.COUNTY:
            _unit(world, kind.code, county, kind.name, UnitLevel.COUNTY)
    _user(world, "admin", Role.ADMIN, "系统管理员", None, [], pw, rng)
    _user(world, "leader", Role.SUPERVISOR, "区委政法委书记", county, [], pw, rng)
    _user(world, "auditor", Role.AUDITOR, "区纪委监督员", county, [], pw, rng)
    for kind in kinds.values():
        if kind.level == UnitLevel.COUNTY:
            _user(world, f"county-{kind.code}", Role.COUNTY_HANDLER, f"{kind.name}办件员", None, [world.unit(kind.code, county.code)], pw, rng)
    # The county's dispatch centre (区社会治理中心): accepts, dispatches to departments, closes and
    # return-visits county-level cases. Its own random stream keeps everyone else's demo data as it was.
    if ("command_center", county.code) in world.units:
        _user(world, "county-centre", Role.DISPATCH_CENTRE, "区社会治理中心调度员", county, [world.unit("command_center", county.code)], pw,
              random.Random(seed * 7919 + 1))

    for digits, tname in names.TOWNSHIPS[: townships or len(names.TOWNSHIPS)]:
        tcode = county.code[:6] + digits + "000"
        township = _area(tcode, tname, AreaLevel.TOWNSHIP, county)
        world.townships.append(township)
        t_units = []
        for kind in TOWNSHIP_UNIT_KINDS:
            label = kinds[kind].name.replace("乡镇（街道）", "")
            t_units.append(_unit(world, kind, township, f"{tname}{label}", UnitLevel.TOWNSHIP))
        _user(world, f"tz-{digits}", Role.TOWNSHIP_STAFF, f"{tname}综治专干", township, t_units, pw, rng)
        _user(world, f"tz-{digits}-leader", Role.SUPERVISOR, f"{tname}党委副书记", township, [], pw, rng)
        community = codes.township_kind(tcode) == "街道"
        count = rng.randint(*villages_per_township)
        for i, vname in enumerate(_village_names(rng, count, community), start=1):
            vcode = tcode[:9] + (f"{i:03d}" if community else f"{200 + i:03d}")
            village = _area(vcode, vname, AreaLevel.VILLAGE, township)
            world.villages.append(village)
            committee = _unit(world, "village_committee", village, vname + ("居委会" if community else "村委会"), UnitLevel.VILLAGE)
            _user(world, f"cun-{vcode}", Role.VILLAGE_STAFF, f"{vname}主任", village, [committee], pw, rng)
            grids = []
            for g in range(1, rng.randint(2, 4) + 1):
                grid, _ = Grid.objects.get_or_create(code=f"{vcode}{g:03d}", defaults={"name": f"{vname}第{g}网格", "area": village})
                grids.append(grid)
                worker = _user(world, f"grid-{grid.code}", Role.GRID_WORKER, person_name(rng), village, [], pw, rng)
                grid.workers.add(worker)
                kind = SubUnitKind.BUILDING if community else SubUnitKind.VILLAGER_GROUP
                for s in range(1, 3):
                    label = f"{s}栋" if community else f"第{(g - 1) * 2 + s}村民小组"
                    GridSubUnit.objects.get_or_create(grid=grid, name=label, defaults={"kind": kind})
            world.grids_by_village[vcode] = grids
    for r in range(1, 21):
        _user(world, f"resident-{r}", Role.RESIDENT, person_name(rng), None, [], pw, rng)
    build_geography(world, seed)
    return world


DEMO_DEVICES = (("CAM", "camera", "校园周界摄像头"), ("FIRE", "camera", "林区烟火识别摄像头"), ("SW", "sensor", "水位监测点"))


def register_demo_devices(world: World) -> int:
    """One camera or sensor per village (CAM-, FIRE-, SW- plus the village code), as a county's camera platform would have them."""
    from jiceng.triage.alerts import do_register_device
    from jiceng.triage.models import Device

    admin = world.users["admin"]
    made = 0
    for i, village in enumerate(world.villages):
        prefix, kind, name = DEMO_DEVICES[i % len(DEMO_DEVICES)]
        device_id = f"{prefix}-{village.code}"
        if not Device.objects.filter(device_id=device_id).exists():
            do_register_device(admin, device_id=device_id, name=f"{village.name}{name}", area=village, kind=kind)
            made += 1
    return made
