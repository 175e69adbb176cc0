"""mashang (马上办): handle it at once."""
