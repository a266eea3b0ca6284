//! Specialisation of short loops over book levels to their common lengths.

/// `by_len!(items, |s| body)`: evaluates `body` with `s` bound to the slice `items`, with
/// the body copied into one arm per common length (1, 2, 3, 5 and 10) where `s.len()` is
/// a constant, so its loops unroll and lose their bounds checks; any other length runs
/// the same body as a loop.
///
/// Every arm evaluates the same expression over the same elements in the same order, so
/// the result does not depend on the arm taken (bit for bit).
macro_rules! by_len {
    ($items:expr, |$s:ident| $body:expr) => {{
        let items = $items;
        match items.len() {
            1 => {
                let $s = &items[..1];
                $body
            }
            2 => {
                let $s = &items[..2];
                $body
            }
            3 => {
                let $s = &items[..3];
                $body
            }
            5 => {
                let $s = &items[..5];
                $body
            }
            10 => {
                let $s = &items[..10];
                $body
            }
            _ => {
                let $s = items;
                $body
            }
        }
    }};
}

pub(crate) use by_len;
