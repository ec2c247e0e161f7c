"""FastAPI backend-for-frontend."""
