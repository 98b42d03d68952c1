"""Providers have an e-mail address for requisitions (the providers import's `provider_email`); the adequacy
rules get proper codes (`inadequate_own_bath` … instead of `inadequate_<Norwegian label>`) in the soft rules a
stay's justification covers.

Revision ID: placement_0006
"""

from kit.migrations import execute_script

revision = "placement_0006"
down_revision = "placement_0005"
branch_labels = None
depends_on = None

RENAMED = {"inadequate_eget bad": "inadequate_own_bath", "inadequate_mulighet til å lage mat": "inadequate_cooking",
           "inadequate_vaskemulighet": "inadequate_laundry", "inadequate_besøk": "inadequate_visits"}


def _rename(pairs: dict[str, str]) -> str:
    return "\n".join(f"UPDATE stays SET justified_rules = array_replace(justified_rules, '{old}', '{new}') "  # noqa: S608 - constants
                     f"WHERE '{old}' = ANY(justified_rules);" for old, new in pairs.items())


def upgrade() -> None:
    execute_script("ALTER TABLE providers ADD COLUMN email text;\n" + _rename(RENAMED))


def downgrade() -> None:
    execute_script(_rename({new: old for old, new in RENAMED.items()}) + "\nALTER TABLE providers DROP COLUMN email;")
