"""passengers: flights, cruise calls, person lists, watch list, alerts, bags, crossings, figures

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import kouan.adapters.db.tables

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
_TIME = kouan.adapters.db.tables.UtcDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "passenger_figures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("port", sa.String(length=5), nullable=False),
        sa.Column("direction", sa.String(length=10), nullable=False),
        sa.Column("journey", sa.String(length=10), nullable=False),
        sa.Column("journey_id", sa.Integer(), nullable=False),
        sa.Column("route", sa.String(length=12), nullable=False),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.Column("nationality", sa.String(length=2), nullable=False),
        sa.Column("persons", sa.Integer(), nullable=False),
        sa.Column("minutes_total", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("passenger_figures", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_passenger_figures_day"), ["day"], unique=False)
        batch_op.create_index(
            "ix_passenger_figures_key",
            ["day", "port", "direction", "journey", "journey_id"],
            unique=False,
        )

    op.create_table(
        "flights",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("port", sa.String(length=5), nullable=False),
        sa.Column("airline_org_id", sa.Integer(), nullable=True),
        sa.Column("number", sa.String(length=10), nullable=False),
        sa.Column("direction", sa.String(length=10), nullable=False),
        sa.Column("origin", sa.String(length=5), nullable=False),
        sa.Column("destination", sa.String(length=5), nullable=False),
        sa.Column("route", _JSON, nullable=False),
        sa.Column("scheduled_at", _TIME, nullable=False),
        sa.Column("actual_at", _TIME, nullable=True),
        sa.Column("created_at", _TIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["airline_org_id"],
            ["organisations.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("number", "direction", "scheduled_at"),
    )
    with op.batch_alter_table("flights", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_flights_airline_org_id"), ["airline_org_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_flights_scheduled_at"), ["scheduled_at"], unique=False)

    op.create_table(
        "epidemic_alerts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("disease", sa.String(length=60), nullable=False),
        sa.Column("disease_zh", sa.String(length=60), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("areas", _JSON, nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("incubation_days", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", _TIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "watchlist_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", _TIME, nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("entries", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("warnings", _JSON, nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("watchlist_versions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_watchlist_versions_active"), ["active"], unique=False)

    op.create_table(
        "cruise_calls",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("port", sa.String(length=5), nullable=False),
        sa.Column("cruise_line_org_id", sa.Integer(), nullable=True),
        sa.Column("port_call_id", sa.Integer(), nullable=True),
        sa.Column("ship_name", sa.String(length=100), nullable=False),
        sa.Column("voyage", sa.String(length=20), nullable=False),
        sa.Column("origin", sa.String(length=5), nullable=False),
        sa.Column("eta", _TIME, nullable=False),
        sa.Column("etd", _TIME, nullable=True),
        sa.Column("released_at", _TIME, nullable=True),
        sa.Column("created_at", _TIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["cruise_line_org_id"],
            ["organisations.id"],
        ),
        sa.ForeignKeyConstraint(
            ["port_call_id"],
            ["port_calls.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("cruise_calls", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_cruise_calls_cruise_line_org_id"), ["cruise_line_org_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_cruise_calls_eta"), ["eta"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_cruise_calls_port_call_id"), ["port_call_id"], unique=False
        )

    op.create_table(
        "watchlist_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("aliases", _JSON, nullable=False),
        sa.Column("date_of_birth", sa.String(length=10), nullable=False),
        sa.Column("nationality", sa.String(length=3), nullable=False),
        sa.Column("document_number", sa.String(length=35), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("source", sa.String(length=60), nullable=False),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["watchlist_versions.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("watchlist_entries", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_watchlist_entries_version_id"), ["version_id"], unique=False
        )

    op.create_table(
        "person_lists",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_org_id", sa.Integer(), nullable=False),
        sa.Column("received_by", sa.Integer(), nullable=True),
        sa.Column("received_at", _TIME, nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("function", sa.String(length=10), nullable=False),
        sa.Column("direction", sa.String(length=10), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("reference", sa.String(length=35), nullable=False),
        sa.Column("flight_id", sa.Integer(), nullable=True),
        sa.Column("cruise_call_id", sa.Integer(), nullable=True),
        sa.Column("port_call_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("persons", sa.Integer(), nullable=False),
        sa.Column("referred", sa.Integer(), nullable=False),
        sa.Column("warnings", _JSON, nullable=False),
        sa.Column("errors", _JSON, nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("watchlist_version_id", sa.Integer(), nullable=True),
        sa.Column("input_sha256", sa.String(length=64), nullable=False),
        sa.Column("purged_at", _TIME, nullable=True),
        sa.ForeignKeyConstraint(
            ["cruise_call_id"],
            ["cruise_calls.id"],
        ),
        sa.ForeignKeyConstraint(
            ["flight_id"],
            ["flights.id"],
        ),
        sa.ForeignKeyConstraint(
            ["owner_org_id"],
            ["organisations.id"],
        ),
        sa.ForeignKeyConstraint(
            ["port_call_id"],
            ["port_calls.id"],
        ),
        sa.ForeignKeyConstraint(
            ["received_by"],
            ["users.id"],
        ),
        sa.ForeignKeyConstraint(
            ["watchlist_version_id"],
            ["watchlist_versions.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("person_lists", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_person_lists_cruise_call_id"), ["cruise_call_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_person_lists_flight_id"), ["flight_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_person_lists_owner_org_id"), ["owner_org_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_person_lists_port_call_id"), ["port_call_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_person_lists_received_at"), ["received_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_person_lists_status"), ["status"], unique=False)

    op.create_table(
        "listed_persons",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("list_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.Column("family_name", sa.String(length=200), nullable=False),
        sa.Column("given_names", sa.String(length=200), nullable=False),
        sa.Column("date_of_birth", sa.Date(), nullable=True),
        sa.Column("sex", sa.String(length=1), nullable=True),
        sa.Column("nationality", sa.String(length=2), nullable=True),
        sa.Column("document_number", sa.String(length=35), nullable=True),
        sa.Column("documents", _JSON, nullable=False),
        sa.Column("seat", sa.String(length=8), nullable=True),
        sa.Column("booking_reference", sa.String(length=35), nullable=True),
        sa.Column("party", sa.String(length=35), nullable=True),
        sa.Column("deck", sa.String(length=10), nullable=True),
        sa.Column("cabin", sa.String(length=10), nullable=True),
        sa.Column("dining_group", sa.String(length=20), nullable=True),
        sa.Column("tour_group", sa.String(length=35), nullable=True),
        sa.Column("details", _JSON, nullable=False),
        sa.Column("health", _JSON, nullable=True),
        sa.Column("warnings", _JSON, nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("hits", _JSON, nullable=False),
        sa.ForeignKeyConstraint(
            ["list_id"],
            ["person_lists.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("list_id", "seq"),
    )
    with op.batch_alter_table("listed_persons", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_listed_persons_document_number"), ["document_number"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_listed_persons_list_id"), ["list_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_listed_persons_nationality"), ["nationality"], unique=False
        )

    op.create_table(
        "bags",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("flight_id", sa.Integer(), nullable=False),
        sa.Column("tag", sa.String(length=12), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("owner_name", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("reasons", _JSON, nullable=False),
        sa.Column("received_at", _TIME, nullable=False),
        sa.Column("selected_at", _TIME, nullable=True),
        sa.Column("decided_at", _TIME, nullable=True),
        sa.ForeignKeyConstraint(
            ["flight_id"],
            ["flights.id"],
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["listed_persons.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("flight_id", "tag"),
    )
    with op.batch_alter_table("bags", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_bags_flight_id"), ["flight_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_bags_person_id"), ["person_id"], unique=False)

    op.create_table(
        "crossings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("list_id", sa.Integer(), nullable=True),
        sa.Column("port", sa.String(length=5), nullable=False),
        sa.Column("counter", sa.String(length=20), nullable=False),
        sa.Column("direction", sa.String(length=10), nullable=False),
        sa.Column("queued_at", _TIME, nullable=True),
        sa.Column("crossed_at", _TIME, nullable=False),
        sa.Column("outcome", sa.String(length=10), nullable=False),
        sa.Column("recorded_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["list_id"],
            ["person_lists.id"],
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["listed_persons.id"],
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by"],
            ["users.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("crossings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_crossings_crossed_at"), ["crossed_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_crossings_list_id"), ["list_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_crossings_person_id"), ["person_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("crossings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_crossings_person_id"))
        batch_op.drop_index(batch_op.f("ix_crossings_list_id"))
        batch_op.drop_index(batch_op.f("ix_crossings_crossed_at"))

    op.drop_table("crossings")
    with op.batch_alter_table("bags", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_bags_person_id"))
        batch_op.drop_index(batch_op.f("ix_bags_flight_id"))

    op.drop_table("bags")
    with op.batch_alter_table("listed_persons", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_listed_persons_nationality"))
        batch_op.drop_index(batch_op.f("ix_listed_persons_list_id"))
        batch_op.drop_index(batch_op.f("ix_listed_persons_document_number"))

    op.drop_table("listed_persons")
    with op.batch_alter_table("person_lists", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_person_lists_status"))
        batch_op.drop_index(batch_op.f("ix_person_lists_received_at"))
        batch_op.drop_index(batch_op.f("ix_person_lists_port_call_id"))
        batch_op.drop_index(batch_op.f("ix_person_lists_owner_org_id"))
        batch_op.drop_index(batch_op.f("ix_person_lists_flight_id"))
        batch_op.drop_index(batch_op.f("ix_person_lists_cruise_call_id"))

    op.drop_table("person_lists")
    with op.batch_alter_table("watchlist_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_watchlist_entries_version_id"))

    op.drop_table("watchlist_entries")
    with op.batch_alter_table("cruise_calls", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cruise_calls_port_call_id"))
        batch_op.drop_index(batch_op.f("ix_cruise_calls_eta"))
        batch_op.drop_index(batch_op.f("ix_cruise_calls_cruise_line_org_id"))

    op.drop_table("cruise_calls")
    with op.batch_alter_table("watchlist_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_watchlist_versions_active"))

    op.drop_table("watchlist_versions")
    op.drop_table("epidemic_alerts")
    with op.batch_alter_table("flights", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_flights_scheduled_at"))
        batch_op.drop_index(batch_op.f("ix_flights_airline_org_id"))

    op.drop_table("flights")
    with op.batch_alter_table("passenger_figures", schema=None) as batch_op:
        batch_op.drop_index("ix_passenger_figures_key")
        batch_op.drop_index(batch_op.f("ix_passenger_figures_day"))

    op.drop_table("passenger_figures")
