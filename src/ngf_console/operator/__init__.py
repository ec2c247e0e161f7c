"""kopf operator: reconciles parent resources into their children."""
