"""Providers have an e-mail address for requisitions (the providers import's `provider_email`); the adequacy
rules get proper codes (`inadequate_own_bath` … instead of `inadequate_<Norwegian label>`) in the soft rules a
stay's justification covers; a history import run (checked once, written in chunks in the background) keeps its
progress where every process can read it.

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


RUNS = """
CREATE TABLE import_runs (
    id               uuid        PRIMARY KEY,
    office_id        text,                        -- an office leader's run (their office's rows), NULL an admin's
    file_name        text        NOT NULL DEFAULT '',
    rows             integer     NOT NULL,
    to_write         integer     NOT NULL,        -- new stays the check found
    written          integer     NOT NULL DEFAULT 0,
    already_imported integer     NOT NULL DEFAULT 0,
    rejected_count   integer     NOT NULL DEFAULT 0,
    rejected         jsonb       NOT NULL DEFAULT '[]',  -- the first bad rows: line, reason, field
    status           text        NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'done', 'failed')),
    error            text,
    started_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    finished_at      timestamptz
);
CREATE INDEX import_runs_started ON import_runs (started_at DESC);
"""


def upgrade() -> None:
    execute_script("ALTER TABLE providers ADD COLUMN email text;\n" + _rename(RENAMED) + RUNS)


def downgrade() -> None:
    execute_script("DROP TABLE import_runs;\n" + _rename({new: old for old, new in RENAMED.items()})
                   + "\nALTER TABLE providers DROP COLUMN email;")
