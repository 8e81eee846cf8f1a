"""The sandbox's metadata mirror: the sandbox's users have no metadata, so it keeps the last writes here."""

from __future__ import annotations

# Saleor user global ID -> the (private) metadata the mirror set on it, as Saleor would hold it.
PRIVATE_METADATA: dict[str, dict[str, str]] = {}
METADATA: dict[str, dict[str, str]] = {}


class SandboxMetadataMirror:
    def write(self, segments: dict[str, list[str]]) -> None:
        for user_id, slugs in segments.items():
            PRIVATE_METADATA.setdefault(user_id, {})["crm_segments"] = ",".join(slugs)

    def write_consent(self, user_id: str, key: str, consent: bool) -> None:
        METADATA.setdefault(user_id, {})[key] = "true" if consent else "false"
