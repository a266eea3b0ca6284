//! LOBSTER message and orderbook files.
