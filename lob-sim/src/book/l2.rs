//! Price-level (L2) book for level-update feeds.

/// Placeholder replaced by the L2 book implementation.
#[derive(Debug, Default)]
pub struct L2Book;
