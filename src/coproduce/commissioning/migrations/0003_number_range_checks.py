"""The CHECK constraints behind the ranges of a budget's numbers (see 0002)."""

from decimal import Decimal

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("commissioning", "0002_number_ranges"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="ballotchoice",
            constraint=models.CheckConstraint(
                condition=models.Q(("points__lte", 10000)), name="choice_points_le_max"
            ),
        ),
        migrations.AddConstraint(
            model_name="budget",
            constraint=models.CheckConstraint(
                condition=models.Q(("min_projects__lte", 2000)), name="budget_min_projects_range"
            ),
        ),
        migrations.AddConstraint(
            model_name="budget",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("max_projects__isnull", True),
                    models.Q(("max_projects__gte", 1), ("max_projects__lte", 2000)),
                    _connector="OR",
                ),
                name="budget_max_projects_range",
            ),
        ),
        migrations.AddConstraint(
            model_name="budget",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("max_points__isnull", True),
                    models.Q(("max_points__gte", 1), ("max_points__lte", 10000)),
                    _connector="OR",
                ),
                name="budget_max_points_range",
            ),
        ),
        migrations.AddConstraint(
            model_name="budgetarea",
            constraint=models.CheckConstraint(
                condition=models.Q(("amount__lte", Decimal("999999999999.99"))),
                name="budget_area_amount_le_max",
            ),
        ),
        migrations.AddConstraint(
            model_name="proposal",
            constraint=models.CheckConstraint(
                condition=models.Q(("estimated_cost__lte", Decimal("999999999999.99"))),
                name="proposal_cost_le_max",
            ),
        ),
        migrations.AddConstraint(
            model_name="proposal",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("reviewed_cost__isnull", True),
                    models.Q(
                        ("reviewed_cost__gt", 0), ("reviewed_cost__lte", Decimal("999999999999.99"))
                    ),
                    _connector="OR",
                ),
                name="proposal_reviewed_cost_range",
            ),
        ),
        migrations.AddConstraint(
            model_name="review",
            constraint=models.CheckConstraint(
                condition=models.Q(("cost__gt", 0), ("cost__lte", Decimal("999999999999.99"))),
                name="review_cost_range",
            ),
        ),
    ]
