//! Storage behind [`super::L3Book`]: a slab of order nodes with a free list, one price ladder
//! per side whose levels are intrusive FIFO queues of slab indices, and a fast id hasher.

use shortfall_core::{OrderId, Price, PriceLevel, Qty, Side, TraderId, Ts};
use std::hash::{BuildHasherDefault, Hasher};

/// "No node": the end of a queue or of the free list.
pub(super) const NIL: u32 = u32::MAX;

/// How many levels from the touch [`Ladder::find`] scans linearly before it falls back to a
/// binary search: most book activity is within a few ticks of the touch.
const TOUCH_SCAN: usize = 8;

/// One resting order, stored in the slab and linked into its level's queue.
#[derive(Copy, Clone, Debug)]
pub(super) struct OrderNode {
    pub id: OrderId,
    pub qty: Qty,
    pub price: Price,
    pub ts: Ts,
    pub owner: TraderId,
    /// Previous (older) order at the level, or [`NIL`] at the head.
    pub prev: u32,
    /// Next (younger) order at the level, or [`NIL`] at the tail; the free-list link once freed.
    pub next: u32,
    pub side: Side,
    pub post_only: bool,
}

/// Order nodes in a `Vec`, freed slots reused first, so memory follows the peak live count.
#[derive(Clone, Debug)]
pub(super) struct Slab {
    pub nodes: Vec<OrderNode>,
    /// Head of the free list (linked through `OrderNode::next`), or [`NIL`].
    pub free: u32,
}

impl Slab {
    pub fn with_capacity(orders: usize) -> Self {
        Self {
            nodes: Vec::with_capacity(orders),
            free: NIL,
        }
    }

    /// Stores `node` and returns its slot.
    #[inline]
    pub fn alloc(&mut self, node: OrderNode) -> u32 {
        let slot = self.free;
        if slot == NIL {
            return self.push(node);
        }
        let cell = &mut self.nodes[slot as usize];
        self.free = cell.next;
        *cell = node;
        slot
    }

    /// Stores `node` in a new slot at the end.
    ///
    /// # Panics
    /// When more than `u32::MAX - 1` orders are live at once (over 200 GB of nodes).
    #[inline(never)]
    fn push(&mut self, node: OrderNode) -> u32 {
        let slot = u32::try_from(self.nodes.len())
            .ok()
            .filter(|&s| s != NIL)
            .expect("slab slots fit u32: fewer than 2^32 - 1 orders are ever live at once");
        self.nodes.push(node);
        slot
    }

    /// Returns `slot` to the free list; the caller has already unlinked it.
    #[inline]
    pub fn release(&mut self, slot: u32) {
        self.nodes[slot as usize].next = self.free;
        self.free = slot;
    }

    pub fn clear(&mut self) {
        self.nodes.clear();
        self.free = NIL;
    }
}

/// One price level: its aggregate quantity and the head and tail of its FIFO queue.
#[derive(Copy, Clone, Debug)]
pub(super) struct Level {
    /// The level's price as a sort key: `price ^ mask` (see [`Ladder`]).
    pub key: i64,
    pub qty: Qty,
    /// Oldest order (first to trade).
    pub head: u32,
    /// Youngest order.
    pub tail: u32,
}

/// One side of the book: non-empty levels sorted by ascending key, the best level LAST.
///
/// The key is the price for bids and `!price` (= `-price - 1`) for asks, so on both sides a
/// larger key is a better price, the touch is `levels.last()`, and level `i` from the touch is
/// `levels[len - 1 - i]`. Levels appear and vanish mostly near the touch, where inserting into
/// or removing from the end of a `Vec` moves few elements.
#[derive(Clone, Debug)]
pub(super) struct Ladder {
    pub levels: Vec<Level>,
    mask: i64,
}

impl Ladder {
    pub fn new(side: Side, levels: usize) -> Self {
        Self {
            levels: Vec::with_capacity(levels),
            mask: match side {
                Side::Buy => 0,
                Side::Sell => -1,
            },
        }
    }

    /// The sort key of `price` on this side (larger is better).
    #[inline]
    pub fn key(&self, price: Price) -> i64 {
        price.0 ^ self.mask
    }

    /// The price of a sort key.
    #[inline]
    pub fn price(&self, key: i64) -> Price {
        Price(key ^ self.mask)
    }

    /// The level with `key` (`Ok(index)`), or where it would be inserted (`Err(index)`).
    /// Scans down from the touch for [`TOUCH_SCAN`] levels, then binary-searches the rest.
    #[inline]
    pub fn find(&self, key: i64) -> Result<usize, usize> {
        let levels = &self.levels;
        let mut i = levels.len();
        let stop = i.saturating_sub(TOUCH_SCAN);
        while i > stop {
            let k = levels[i - 1].key;
            if k <= key {
                return if k == key { Ok(i - 1) } else { Err(i) };
            }
            i -= 1;
        }
        levels[..i].binary_search_by(|l| l.key.cmp(&key))
    }

    /// Level `index` from the touch as a [`PriceLevel`].
    #[inline]
    pub fn view(&self, index: usize) -> Option<PriceLevel> {
        let n = self.levels.len();
        if index < n {
            let l = self.levels[n - 1 - index];
            Some(PriceLevel {
                price: self.price(l.key),
                qty: l.qty,
            })
        } else {
            None
        }
    }

    /// Appends the node in `slot` (already holding its quantity) to the back of level `index`.
    #[inline]
    pub fn push_back(&mut self, index: usize, nodes: &mut [OrderNode], slot: u32) {
        let level = &mut self.levels[index];
        let tail = level.tail;
        let node = &mut nodes[slot as usize];
        node.prev = tail;
        node.next = NIL;
        level.qty += node.qty;
        if tail == NIL {
            level.head = slot;
        } else {
            nodes[tail as usize].next = slot;
        }
        level.tail = slot;
    }

    /// Appends the node in `slot` at its price, creating the level when needed.
    #[inline]
    pub fn insert(&mut self, nodes: &mut [OrderNode], slot: u32) {
        let key = self.key(nodes[slot as usize].price);
        let index = match self.find(key) {
            Ok(index) => index,
            Err(index) => {
                self.levels.insert(
                    index,
                    Level {
                        key,
                        qty: Qty::ZERO,
                        head: NIL,
                        tail: NIL,
                    },
                );
                index
            }
        };
        self.push_back(index, nodes, slot);
    }

    /// Unlinks the node in `slot` from its level (removing the level when it empties) and
    /// takes its remaining quantity off the level's total.
    #[inline]
    pub fn unlink(&mut self, nodes: &mut [OrderNode], slot: u32) {
        let node = nodes[slot as usize];
        let index = self
            .find(self.key(node.price))
            .expect("a live order's price level exists: levels are removed only when empty");
        let level = &mut self.levels[index];
        level.qty -= node.qty;
        if node.prev == NIL {
            level.head = node.next;
        } else {
            nodes[node.prev as usize].next = node.next;
        }
        if node.next == NIL {
            level.tail = node.prev;
        } else {
            nodes[node.next as usize].prev = node.prev;
        }
        if level.head == NIL {
            self.levels.remove(index);
        }
    }

    /// Takes `qty` (less than the order's remainder) off the order in `slot` and its level.
    #[inline]
    pub fn reduce(&mut self, nodes: &mut [OrderNode], slot: u32, qty: Qty) {
        let node = &mut nodes[slot as usize];
        node.qty -= qty;
        let index = self
            .find(self.key(node.price))
            .expect("a live order's price level exists: levels are removed only when empty");
        self.levels[index].qty -= qty;
    }
}

/// A hasher for `u64` order ids: one folded 64×64→128-bit multiply, so sequential ids and ids
/// that differ only in high bits both spread over the table. Not DoS-resistant; ids come
/// from the simulation or a data file, not an adversary.
#[derive(Copy, Clone, Debug, Default)]
pub(super) struct IdHasher(u64);

/// An odd constant with well-mixed bits (2^64 / golden ratio).
const MIX: u64 = 0x9e37_79b9_7f4a_7c15;

impl Hasher for IdHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }

    #[inline]
    fn write_u64(&mut self, value: u64) {
        let product = u128::from(self.0 ^ value) * u128::from(MIX);
        self.0 = (product as u64) ^ ((product >> 64) as u64);
    }

    #[inline]
    fn finish(&self) -> u64 {
        self.0
    }
}

/// Order id → slab slot.
pub(super) type IdMap = std::collections::HashMap<u64, u32, BuildHasherDefault<IdHasher>>;
