//! Order-by-order (L3) book with price-time priority matching.

/// Placeholder replaced by the L3 book implementation.
#[derive(Debug, Default)]
pub struct L3Book;
