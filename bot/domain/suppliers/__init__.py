"""Factory or middleman: the guided check's facts, the registry code and the scorecard."""
