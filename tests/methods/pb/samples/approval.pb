META
key;value
description;"Tiny approval election; with ""quotes"""
country;Nowhere
unit;Village
instance;2024
num_projects;4
num_votes;5
budget;10.5
vote_type;approval
rule;greedy
PROJECTS
project_id;cost;name;category
1;4;"Bench; in the park";"culture,sport"
2;3.5;Library "annex";None
10;6;Bike lane;
3;0;Free concert;culture
VOTES
voter_id;vote;age
a;1,2;31
b;2,10;None
c;;44
d;10;
e;3,1;29
