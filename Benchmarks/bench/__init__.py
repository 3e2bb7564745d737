"""TaskFarm benchmark harness (issue 7): taskfarm against its peers, side by side, as ratios."""
