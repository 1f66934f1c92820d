// Keeps redkeep_actors non-empty until the first actor lands.
