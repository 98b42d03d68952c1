"""Providers' full model (agreement period, target groups, limits, address), inspections, decisions'
extensions, stays' office, group and warnings, and stay extensions.

Revision ID: placement_0002
"""

from kit.migrations import execute_script

revision = "placement_0002"
down_revision = "placement_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    execute_script("""
    ALTER TABLE providers
        ADD COLUMN slug text,
        ADD COLUMN address text NOT NULL DEFAULT '',
        ADD COLUMN agreement_valid_from date,
        ADD COLUMN agreement_valid_to date,
        ADD COLUMN target_groups text[] NOT NULL DEFAULT '{}',
        ADD COLUMN limit_sex text CHECK (limit_sex IN ('women_only', 'men_and_non_binary_only')),
        ADD COLUMN limit_min_age integer,
        ADD COLUMN limit_max_age integer,
        ADD COLUMN substance_free boolean NOT NULL DEFAULT false,
        ADD COLUMN changed_at timestamptz NOT NULL DEFAULT now(),
        ADD CONSTRAINT providers_kind CHECK (kind IN ('municipal', 'non_profit', 'private')),
        ADD CONSTRAINT providers_agreement_kind
            CHECK (agreement_kind IN ('framework', 'quality', 'operating', 'municipal', 'none'));
    CREATE UNIQUE INDEX providers_orgnr ON providers (orgnr);
    ALTER TABLE units ADD COLUMN slug text;
    CREATE INDEX units_provider ON units (provider_id);
    CREATE TABLE inspections (
        id            uuid PRIMARY KEY,
        provider_id   uuid NOT NULL REFERENCES providers(id),
        inspected_on  date NOT NULL,
        result        text NOT NULL CHECK (result IN ('approved', 'remarks', 'failed')),
        next_due      date NOT NULL CHECK (next_due > inspected_on),
        checklist     jsonb NOT NULL DEFAULT '{}',
        recorded_at   timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX inspections_provider ON inspections (provider_id, inspected_on DESC);
    ALTER TABLE decisions
        ADD COLUMN extends_decision_id uuid,
        ADD COLUMN conditions jsonb NOT NULL DEFAULT '[]',
        ADD COLUMN recorded_at timestamptz NOT NULL DEFAULT now();
    ALTER TABLE stays
        ADD COLUMN office_id text,
        ADD COLUMN municipality text,
        ADD COLUMN substance_group boolean NOT NULL DEFAULT false,
        ADD COLUMN moved_from_stay_id uuid REFERENCES stays(id),
        ADD COLUMN warnings jsonb NOT NULL DEFAULT '[]',
        ADD CONSTRAINT stays_destination CHECK (destination IS NULL OR destination IN (
            'municipal_rental', 'private_rental', 'own_home', 'institution', 'other_municipality', 'other',
            'unknown', 'moved_to_other_provider'));
    UPDATE stays s SET office_id = d.office_id, municipality = d.municipality
        FROM decisions d WHERE d.decision_id = s.decision_id;
    ALTER TABLE stays ALTER COLUMN office_id SET NOT NULL, ALTER COLUMN municipality SET NOT NULL;
    CREATE INDEX stays_household ON stays (household_id);
    CREATE TABLE stay_extensions (
        id                     uuid PRIMARY KEY,
        stay_id                uuid NOT NULL REFERENCES stays(id),
        decision_id            uuid NOT NULL REFERENCES decisions(decision_id),
        previous_authorised_to date NOT NULL,
        authorised_to          date NOT NULL CHECK (authorised_to > previous_authorised_to),
        extended_at            timestamptz NOT NULL
    );
    CREATE INDEX stay_extensions_stay ON stay_extensions (stay_id);
    """)


def downgrade() -> None:
    execute_script("""
    DROP TABLE stay_extensions; DROP TABLE inspections;
    ALTER TABLE stays DROP COLUMN office_id, DROP COLUMN municipality, DROP COLUMN substance_group,
        DROP COLUMN moved_from_stay_id, DROP COLUMN warnings, DROP CONSTRAINT stays_destination;
    DROP INDEX stays_household;
    ALTER TABLE decisions DROP COLUMN extends_decision_id, DROP COLUMN conditions, DROP COLUMN recorded_at;
    ALTER TABLE units DROP COLUMN slug;
    DROP INDEX units_provider; DROP INDEX providers_orgnr;
    ALTER TABLE providers DROP COLUMN slug, DROP COLUMN address, DROP COLUMN agreement_valid_from,
        DROP COLUMN agreement_valid_to, DROP COLUMN target_groups, DROP COLUMN limit_sex,
        DROP COLUMN limit_min_age, DROP COLUMN limit_max_age, DROP COLUMN substance_free, DROP COLUMN changed_at,
        DROP CONSTRAINT providers_kind, DROP CONSTRAINT providers_agreement_kind;
    """)
