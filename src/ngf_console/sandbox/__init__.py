"""Local real control plane launcher, simulators and demo data."""
