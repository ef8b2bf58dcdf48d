"""Co-commissioning: participatory budgets with fair rules, from proposals to funded projects."""
