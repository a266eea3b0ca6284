//! Binance USD-M futures captures.
