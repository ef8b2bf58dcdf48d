META
key;value
description;Tiny ordinal election
num_projects;3
num_votes;3
budget;1000.75
vote_type;ordinal
PROJECTS
project_id;cost
A;500.25
B;400
C;300.5
VOTES
voter_id;vote
v1;A,B,C
v2;C,A
v3;B
