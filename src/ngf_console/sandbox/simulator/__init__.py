"""The simulator: plays the data plane and the controllers the demo has no room for."""
