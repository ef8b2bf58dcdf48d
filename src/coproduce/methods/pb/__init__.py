"""Participatory budgeting: pabulib files, greedy and Method of Equal Shares tallies (exact).

Usage::

    from coproduce.methods.pb.pabulib import parse_file
    from coproduce.methods.pb.rules import tally

    outcome = tally(parse_file("election.pb"), rule="mes", completion="add1-greedy")

Nothing is imported here so that ``coproduce pb`` starts fast (numpy loads with the rules).
"""
