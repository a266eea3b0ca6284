//! Storage behind [`super::L3Book`]: a slab of order nodes with a free list, one price ladder
//! per side whose levels are intrusive FIFO queues of slab indices.

use shortfall_core::{OrderId, Price, PriceLevel, Qty, Side, TraderId, Ts};

/// "No node": the end of a queue or of the free list.
pub(super) const NIL: u32 = u32::MAX;

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
#[derive(Debug)]
pub(super) struct Slab {
    pub nodes: Vec<OrderNode>,
    /// Head of the free list (linked through `OrderNode::next`), or [`NIL`].
    pub free: u32,
}

impl Clone for Slab {
    fn clone(&self) -> Self {
        Self {
            nodes: self.nodes.clone(),
            free: self.free,
        }
    }

    /// Reuses this slab's allocation (`Vec::clone_from` keeps the capacity).
    fn clone_from(&mut self, source: &Self) {
        self.nodes.clone_from(&source.nodes);
        self.free = source.free;
    }
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
#[derive(Debug)]
pub(super) struct Ladder {
    pub levels: Vec<Level>,
    mask: i64,
}

impl Clone for Ladder {
    fn clone(&self) -> Self {
        Self {
            levels: self.levels.clone(),
            mask: self.mask,
        }
    }

    fn clone_from(&mut self, source: &Self) {
        self.levels.clone_from(&source.levels);
        self.mask = source.mask;
    }
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
    ///
    /// Keys are distinct integers (ticks), so a key `d` below the touch's lies at most `d`
    /// places below it: the search looks only at those `min(d + 1, len)` levels, which near
    /// the touch of a dense book is one or two.
    #[inline(always)]
    pub fn find(&self, key: i64) -> Result<usize, usize> {
        let levels = &self.levels;
        let n = levels.len();
        let Some(top) = levels.last().map(|l| l.key) else {
            return Err(0);
        };
        if key >= top {
            return if key == top { Ok(n - 1) } else { Err(n) };
        }
        let below = top
            .checked_sub(key)
            .and_then(|d| usize::try_from(d).ok())
            .unwrap_or(usize::MAX);
        let lo = (n - 1).saturating_sub(below);
        // In a book with a level at every tick down to here, that bound is exact.
        let at_bound = levels[lo].key;
        if at_bound >= key {
            return if at_bound == key { Ok(lo) } else { Err(lo) };
        }
        match levels[lo + 1..n - 1].binary_search_by(|l| l.key.cmp(&key)) {
            Ok(i) => Ok(lo + 1 + i),
            Err(i) => Err(lo + 1 + i),
        }
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
    #[inline(always)]
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
    #[inline(always)]
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
