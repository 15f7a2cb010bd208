"""Lists whose items are unique by some of their fields, the API server's way.

`ListMap("name")` on a list field becomes `x-kubernetes-list-type: map` keyed by
`name` in the CRD: the API server refuses a repeated key with "Duplicate value" at
the repeated item (`spec.models[1]`), at no CEL cost. The Python twin refuses the
same items with the same words.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic_core import PydanticCustomError, core_schema

DUPLICATE_ERROR = "list_map_duplicate"


@dataclass(frozen=True)
class ListMap:
    keys: tuple[str, ...]

    def __init__(self, *keys: str):
        object.__setattr__(self, "keys", keys)

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        return core_schema.no_info_after_validator_function(self._refuse_duplicates, handler(source))

    def __get_pydantic_json_schema__(self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler) -> dict:
        out = handler(schema)
        out["x-kubernetes-list-type"] = "map"
        out["x-kubernetes-list-map-keys"] = list(self.keys)
        return out

    def _key(self, item: BaseModel) -> dict[str, Any]:
        by_alias = {info.alias or name: name for name, info in type(item).model_fields.items()}
        return {key: getattr(item, by_alias[key]) for key in self.keys}

    def _refuse_duplicates(self, items: list[BaseModel]) -> list[BaseModel]:
        seen: set[str] = set()
        repeated: list[tuple[int, str]] = []
        for index, item in enumerate(items):
            key = json.dumps(self._key(item), separators=(",", ":"), sort_keys=True)
            if key in seen:
                repeated.append((index, key))
            seen.add(key)
        if repeated:
            raise PydanticCustomError(
                DUPLICATE_ERROR, "Duplicate value: {value}",
                {"value": repeated[0][1], "indexes": [index for index, _ in repeated]},
            )
        return items
