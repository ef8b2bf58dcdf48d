"""Pure computation with no Django import, so it can be tested and benchmarked alone."""
