"""Robin's routes, grouped as the API reference groups them."""
