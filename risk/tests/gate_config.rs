//! Gate configuration: TOML in and out, and one validation error per kind of mistake.

mod gate_support;

use gate_support::*;
use shortfall_risk::Error;
use shortfall_risk::gate::{GateConfig, ThrottleConfig};

fn build_error(config: GateConfig) -> Error {
    config
        .build(instrument(), Venue::default())
        .expect_err("the config should be refused")
}

fn assert_field(config: GateConfig, field: &str, value: &str) {
    match build_error(config) {
        Error::InvalidConfig {
            field: f, value: v, ..
        } => {
            assert_eq!((f, v.as_str()), (field, value));
        }
        other => panic!("expected InvalidConfig for {field}, got {other:?}"),
    }
}

#[test]
fn default_config_builds_and_round_trips_through_toml() {
    let config = GateConfig::default();
    let text = config.to_toml_string().unwrap();
    assert!(text.contains("max_order_qty = 1000"), "{text}");
    assert_eq!(GateConfig::from_toml_str(&text).unwrap(), config);
    assert!(config.build(instrument(), Venue::default()).is_ok());
}

#[test]
fn custom_config_round_trips_through_toml() {
    let config = self::config();
    let again = GateConfig::from_toml_str(&config.to_toml_string().unwrap()).unwrap();
    assert_eq!(again, config);
    assert_eq!(
        again.order_rate,
        ThrottleConfig {
            capacity: 5,
            refill_per_sec: 1
        }
    );
}

#[test]
fn empty_toml_gives_the_defaults() {
    assert_eq!(
        GateConfig::from_toml_str("").unwrap(),
        GateConfig::default()
    );
}

#[test]
fn unknown_field_is_an_error_naming_it() {
    let err = GateConfig::from_toml_str("max_order_quantity = 5").unwrap_err();
    assert!(
        matches!(&err, Error::ConfigToml { reason } if reason.contains("max_order_quantity")),
        "{err}"
    );
    let err = GateConfig::from_toml_str("[order_rate]\ncapacity = 1\nrefill = 2\n").unwrap_err();
    assert!(err.to_string().contains("refill"), "{err}");
}

#[test]
fn malformed_toml_and_wrong_types_are_errors_not_panics() {
    assert!(GateConfig::from_toml_str("max_order_qty = ").is_err());
    assert!(GateConfig::from_toml_str("max_order_qty = \"ten\"").is_err());
}

#[test]
fn zero_or_negative_quantity_and_position_limits_are_refused() {
    let mut c = config();
    c.max_order_qty = 0;
    assert_field(c, "max_order_qty", "0");
    let mut c = config();
    c.max_long_position = -5;
    assert_field(c, "max_long_position", "-5");
    let mut c = config();
    c.max_short_position = 0;
    assert_field(c, "max_short_position", "0");
}

#[test]
fn non_positive_or_non_finite_money_limits_are_refused() {
    let mut c = config();
    c.max_order_notional = 0.0;
    assert_field(c, "max_order_notional", "0");
    let mut c = config();
    c.max_daily_loss = f64::NAN;
    assert_field(c, "max_daily_loss", "NaN");
    let mut c = config();
    c.max_daily_loss = -1.0;
    assert_field(c, "max_daily_loss", "-1");
}

#[test]
fn money_limit_below_one_tick_times_one_lot_is_refused() {
    let mut c = config();
    c.max_order_notional = 0.001; // one tick-lot is 0.01
    assert_field(c, "max_order_notional", "0.001");
}

#[test]
fn collar_of_zero_or_less_is_refused() {
    let mut c = config();
    c.collar_bps = 0;
    assert_field(c, "collar_bps", "0");
    let mut c = config();
    c.collar_bps = -10;
    assert_field(c, "collar_bps", "-10");
}

#[test]
fn throttle_with_no_capacity_or_negative_refill_is_refused() {
    let mut c = config();
    c.order_rate = ThrottleConfig {
        capacity: 0,
        refill_per_sec: 0,
    };
    let err = build_error(c);
    assert!(err.to_string().contains("order_rate.capacity = 0"), "{err}");
    let mut c = config();
    c.cancel_rate.capacity = -1;
    assert_field(c, "cancel_rate.capacity", "-1");
    let mut c = config();
    c.cancel_rate.refill_per_sec = -1;
    assert_field(c, "cancel_rate.refill_per_sec", "-1");
}

#[test]
fn zero_open_orders_or_audit_capacity_is_refused() {
    let mut c = config();
    c.max_open_orders = 0;
    assert_field(c, "max_open_orders", "0");
    let mut c = config();
    c.audit_capacity = 0;
    assert_field(c, "audit_capacity", "0");
}

#[test]
fn order_size_above_both_position_limits_is_refused_as_inconsistent() {
    let mut c = config();
    c.max_order_qty = 121;
    assert_field(c, "max_order_qty", "121");
}

#[test]
fn config_error_messages_name_the_field_and_the_value() {
    let mut c = config();
    c.collar_bps = 0;
    assert_eq!(
        build_error(c).to_string(),
        "gate config: collar_bps = 0: must be > 0"
    );
}
