"""The price table: on-demand SageMaker hosting prices, shipped as data.

The operator never fetches prices: the table in prices/default.yaml is the default,
and a user's file in the same shape (a path, or a ConfigMap mounted as a file)
replaces its entries one by one. The plan/ layer takes a PriceTable as an argument.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

DEFAULT_FILE = Path(__file__).with_name("prices") / "default.yaml"

Price = Annotated[float, Field(ge=0)]


class _PriceModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class ServerlessPrices(_PriceModel):
    per_gb_second: Annotated[Price, Field(alias="perGBSecond")]  # compute while a request runs
    per_request: Annotated[Price, Field(alias="perRequest")]
    provisioned_per_gb_second: Annotated[Price, Field(alias="provisionedPerGBSecond")] = 0.0  # kept warm, always


class RegionPrices(_PriceModel):
    instances: dict[str, Price] = {}  # instance type -> USD per instance-hour
    serverless: ServerlessPrices | None = None


class PriceTable(_PriceModel):
    source: str
    currency: str = "USD"
    hours_per_month: Annotated[float, Field(alias="hoursPerMonth", gt=0)] = 730.0
    regions: dict[str, RegionPrices]

    def instance_hourly(self, region: str, instance_type: str) -> float | None:
        prices = self.regions.get(region)
        return prices.instances.get(instance_type) if prices else None

    def serverless(self, region: str) -> ServerlessPrices | None:
        prices = self.regions.get(region)
        return prices.serverless if prices else None

    def instance_types(self, region: str) -> list[str]:
        prices = self.regions.get(region)
        return sorted(prices.instances) if prices else []


class PriceFileError(ValueError):
    """A price file that cannot be read; the message names the file and the entry."""


def _read(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text())
    except OSError as error:
        raise PriceFileError(f"{path}: cannot read: {error.strerror or error}") from None
    except yaml.YAMLError as error:
        raise PriceFileError(f"{path}: not valid YAML: {error}") from None
    if not isinstance(data, dict):
        raise PriceFileError(f"{path}: expected a mapping with 'regions', got {type(data).__name__}")
    return data


def _merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """Mappings merge key by key, anything else is replaced."""
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def load_prices(override: str | Path | None = None) -> PriceTable:
    """The shipped table, with the entries of `override` (a YAML file) put over it."""
    data = _read(DEFAULT_FILE)
    if override is not None:
        path = Path(override)
        extra = _read(path)
        data = _merge(data, extra)
        if "source" not in extra:
            data["source"] = f"{data['source']}; overridden by {path}"
    try:
        return PriceTable.model_validate(data)
    except ValidationError as error:
        first = error.errors(include_url=False)[0]
        where = ".".join(str(p) for p in first["loc"])
        raise PriceFileError(f"{override or DEFAULT_FILE}: {where}: {first['msg']}") from None
