"""Every number of a budget gets its range (``coproduce.commissioning.limits``); the next
migration adds a CHECK constraint behind each.

Rows stored before the ranges existed are brought into them here, so that the constraints can
be added (in a migration of their own: on PostgreSQL a table whose rows were just updated
cannot be altered in the same transaction): an amount of money beyond the largest the columns hold (possible on SQLite, where an
imported cost of 10^15 was stored and then broke every page of its budget) becomes that largest
amount, points beyond the maximum become the maximum, and a maximum of 0 projects or points
(which no ballot could satisfy) becomes "no maximum".
"""

from decimal import Decimal

import django.core.validators
from django.db import migrations, models

MAX_MONEY = "999999999999.99"
MAX_POINTS = 10000
MAX_PROJECTS = 2000

INTO_RANGE = [
    "UPDATE commissioning_budget SET max_points = NULL WHERE max_points = 0",
    f"UPDATE commissioning_budget SET max_points = {MAX_POINTS} WHERE max_points > {MAX_POINTS}",
    "UPDATE commissioning_budget SET max_projects = NULL WHERE max_projects = 0",
    f"UPDATE commissioning_budget SET max_projects = {MAX_PROJECTS} "
    f"WHERE max_projects > {MAX_PROJECTS}",
    f"UPDATE commissioning_budget SET min_projects = {MAX_PROJECTS} "
    f"WHERE min_projects > {MAX_PROJECTS}",
    f"UPDATE commissioning_budgetarea SET amount = {MAX_MONEY} WHERE amount > {MAX_MONEY}",
    f"UPDATE commissioning_proposal SET estimated_cost = {MAX_MONEY} "
    f"WHERE estimated_cost > {MAX_MONEY}",
    f"UPDATE commissioning_proposal SET reviewed_cost = {MAX_MONEY} "
    f"WHERE reviewed_cost > {MAX_MONEY}",
    f"UPDATE commissioning_review SET cost = {MAX_MONEY} WHERE cost > {MAX_MONEY}",
    f"UPDATE commissioning_ballotchoice SET points = {MAX_POINTS} WHERE points > {MAX_POINTS}",
]


class Migration(migrations.Migration):
    dependencies = [
        ("commissioning", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="ballotchoice",
            name="points",
            field=models.PositiveIntegerField(
                default=1,
                help_text="Points given (cumulative ballots); 1 otherwise.",
                validators=[
                    django.core.validators.MinValueValidator(1),
                    django.core.validators.MaxValueValidator(10000),
                ],
                verbose_name="points",
            ),
        ),
        migrations.AlterField(
            model_name="budget",
            name="max_points",
            field=models.PositiveIntegerField(
                blank=True,
                null=True,
                validators=[
                    django.core.validators.MinValueValidator(1),
                    django.core.validators.MaxValueValidator(10000),
                ],
                verbose_name="points each voter may give (cumulative)",
            ),
        ),
        migrations.AlterField(
            model_name="budget",
            name="max_projects",
            field=models.PositiveIntegerField(
                blank=True,
                null=True,
                validators=[
                    django.core.validators.MinValueValidator(1),
                    django.core.validators.MaxValueValidator(2000),
                ],
                verbose_name="maximum projects per ballot",
            ),
        ),
        migrations.AlterField(
            model_name="budget",
            name="min_projects",
            field=models.PositiveIntegerField(
                default=0,
                validators=[
                    django.core.validators.MinValueValidator(0),
                    django.core.validators.MaxValueValidator(2000),
                ],
                verbose_name="minimum projects per ballot",
            ),
        ),
        migrations.AlterField(
            model_name="budgetarea",
            name="amount",
            field=models.DecimalField(
                decimal_places=2,
                max_digits=14,
                validators=[
                    django.core.validators.MinValueValidator(Decimal("0.01")),
                    django.core.validators.MaxValueValidator(Decimal("999999999999.99")),
                ],
                verbose_name="amount",
            ),
        ),
        migrations.AlterField(
            model_name="proposal",
            name="estimated_cost",
            field=models.DecimalField(
                decimal_places=2,
                max_digits=14,
                validators=[
                    django.core.validators.MinValueValidator(Decimal("0.01")),
                    django.core.validators.MaxValueValidator(Decimal("999999999999.99")),
                ],
                verbose_name="estimated cost",
            ),
        ),
        migrations.AlterField(
            model_name="proposal",
            name="reviewed_cost",
            field=models.DecimalField(
                blank=True,
                decimal_places=2,
                max_digits=14,
                null=True,
                validators=[
                    django.core.validators.MinValueValidator(Decimal("0.01")),
                    django.core.validators.MaxValueValidator(Decimal("999999999999.99")),
                ],
                verbose_name="cost after review",
            ),
        ),
        migrations.AlterField(
            model_name="review",
            name="cost",
            field=models.DecimalField(
                decimal_places=2,
                max_digits=14,
                validators=[
                    django.core.validators.MinValueValidator(Decimal("0.01")),
                    django.core.validators.MaxValueValidator(Decimal("999999999999.99")),
                ],
                verbose_name="reviewed cost",
            ),
        ),
        *(migrations.RunSQL(sql, migrations.RunSQL.noop) for sql in INTO_RANGE),
    ]
