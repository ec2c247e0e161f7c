"""Pure desired-state renderers: parent resource in, child manifests out."""
