"""Lines: the plant, products and routes, units and their operations and genealogy."""
