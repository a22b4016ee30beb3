"""A submission whose modules end the process while being imported."""
