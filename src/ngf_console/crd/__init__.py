"""Parent custom resources (ngf-console.f5.com/v1alpha1) as pydantic models."""
