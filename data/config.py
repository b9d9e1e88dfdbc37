"""Where things live and which units report: the one home of paths and unit configuration."""
from __future__ import annotations

import os
import tomllib
import unicodedata
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
CONFIG_DIR = Path(os.environ.get("FAZHI_CONFIG", ROOT / "config"))
TZ = ZoneInfo("Asia/Shanghai")
TOWN = "全镇"
UNIT_SUFFIXES = ("村委会", "村")


def db_path(override: str | os.PathLike | None = None) -> Path:
    """The database file: --db, else $FAZHI_DB, else ~/.local/share/fazhi/fazhi.duckdb (outside git)."""
    if override:
        return Path(override)
    env = os.environ.get("FAZHI_DB")
    if env:
        return Path(env)
    return Path.home() / ".local" / "share" / "fazhi" / "fazhi.duckdb"


def originals_dir(db: Path) -> Path:
    """Uploaded originals are kept beside the database, named by their SHA-256."""
    return db.parent / (db.stem + "-originals")


@dataclass(frozen=True)
class Unit:
    code: str
    name: str
    kind: str  # "village" | "department"
    township: str
    households: int | None = None


@dataclass(frozen=True)
class Units:
    townships: dict[str, str]  # code -> name
    units: tuple[Unit, ...]

    def of_kind(self, kind: str | None) -> list[Unit]:
        return [u for u in self.units if kind is None or u.kind == kind]

    def by_code(self, code: str) -> Unit:
        return next(u for u in self.units if u.code == code)

    def by_name(self, name: str) -> Unit:
        return next(u for u in self.units if u.name == name)

    def match(self, text: str, kind: str | None = None) -> list[Unit]:
        """Units whose name equals text after folding (SPEC §2); more than one means ambiguous."""
        found = self._index.get(unit_key(text), ())
        return [u for u in found if kind is None or u.kind == kind]

    @cached_property
    def _index(self) -> dict[str, tuple[Unit, ...]]:
        index: dict[str, list[Unit]] = {}
        for u in self.units:
            index.setdefault(unit_key(u.name), []).append(u)
        return {k: tuple(v) for k, v in index.items()}


def fold(text: str) -> str:
    """Full-width to half-width and all white space removed."""
    return "".join(unicodedata.normalize("NFKC", text).split())


def unit_key(name: str) -> str:
    key = fold(name)
    for suffix in UNIT_SUFFIXES:
        if key.endswith(suffix) and len(key) > len(suffix):
            return key[: -len(suffix)]
    return key


@lru_cache(maxsize=4)
def _load_units(path: Path, mtime: float) -> Units:
    with open(path, "rb") as f:
        raw = tomllib.load(f)
    townships = {t["code"]: t["name"] for t in raw.get("townships", [])}
    units = []
    for entry in raw.get("units", []):
        unit = Unit(
            code=str(entry["code"]),
            name=str(entry["name"]).strip(),
            kind=entry["kind"],
            township=entry.get("township") or next(iter(townships)),
            households=entry.get("households"),
        )
        if unit.kind not in ("village", "department"):
            raise ValueError(f"{path}: 单位 {unit.name} 的 kind 必须是 village 或 department")
        if unit.township not in townships:
            raise ValueError(f"{path}: 单位 {unit.name} 所属乡镇 {unit.township} 未配置")
        units.append(unit)
    codes = [u.code for u in units]
    if len(set(codes)) != len(codes):
        raise ValueError(f"{path}: 单位代码重复")
    return Units(townships=townships, units=tuple(units))


def load_units(path: Path | None = None) -> Units:
    """The configured reporting units, reloaded when the administrator edits the file."""
    path = Path(path or CONFIG_DIR / "units.toml")
    return _load_units(path, path.stat().st_mtime)
