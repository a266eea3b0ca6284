//! Order books: [`L3Book`] (order by order, with matching) and [`L2Book`] (price levels).

pub mod l2;
pub mod l3;

pub use l2::L2Book;
pub use l3::{BookOutput, FeedMismatch, L3Book, Queue, RestingOrder};
