"""What the numbers mean: the indicator catalogue, periods, one generic computation, targets."""
