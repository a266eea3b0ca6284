//! The [`FeatureExtractor`] trait.

use crate::observation::Observation;

/// A streaming feature: updated once per event in `O(1)`, writing its outputs into a slice
/// the caller owns.
///
/// # Design
/// An extractor sees an [`Observation`], not the book itself: the
/// [`FeaturePipeline`](crate::FeaturePipeline) reads the top levels of any
/// [`BookView`](shortfall_core::BookView) once per event (generic over the book, so L3 and
/// L2 books and recorded [`BookSnapshot`](crate::BookSnapshot)s all work), derives what
/// several features share (validity, the carried mid and its log return, the signed
/// trade) and hands every extractor the same read-only view. That keeps each extractor
/// `O(1)` and free of book-type generics, so a configured pipeline is a plain list of
/// [`Feature`](crate::Feature)s dispatched by `match` (static dispatch) with boxed
/// extractors only for user-defined ones. Outputs go into a caller's `&mut [f64]` so that
/// a pipeline writes a whole row without allocating.
pub trait FeatureExtractor {
    /// Number of values written per update.
    fn width(&self) -> usize;

    /// The output names, `width()` of them, in output order.
    fn names(&self) -> Vec<String>;

    /// Book levels per side the extractor reads (the pipeline copies the maximum).
    fn levels_needed(&self) -> usize {
        1
    }

    /// Updates the state with one event and writes `width()` values into `out`
    /// (`out.len() == width()`). Must be `O(1)` (amortised) per call and never write NaN or
    /// an infinity.
    fn update(&mut self, obs: &Observation<'_>, out: &mut [f64]);

    /// Back to the state before the first update.
    fn reset(&mut self);
}
