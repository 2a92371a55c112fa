"""Alternative rule engines for stage selection; the native engine needs none of them."""
