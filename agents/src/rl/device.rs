//! Which burn backend runs the networks, chosen at run time.
//!
//! burn 0.22 tensors carry no backend type parameter: the backend is a property of the
//! runtime [`Device`] a tensor lives on. So instead of backend type aliases this module
//! names the backends this build of `shortfall-agents` was compiled with
//! ([`BackendKind`]) and turns one into a [`Device`] ([`BackendKind::device`]). Training
//! wraps that device with `Device::autodiff()`; acting uses the plain device.

use crate::error::{Error, Result};
use burn::tensor::Device;

/// The environment variable [`BackendKind::from_env`] reads (`flex`, `wgpu` or `cuda`).
pub const BACKEND_ENV: &str = "SHORTFALL_RL_BACKEND";

/// A burn backend that can run the RL networks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BackendKind {
    /// burn's pure-Rust CPU backend (cargo feature `flex`, on by default). Bit-reproducible
    /// from a seed on one machine.
    Flex,
    /// Any GPU through wgpu (Vulkan, Metal, DX12; cargo feature `wgpu`).
    Wgpu,
    /// NVIDIA GPUs through CUDA, device 0 (cargo feature `cuda`).
    Cuda,
}

impl BackendKind {
    /// Every backend, in the order [`BackendKind::preferred`] considers them.
    pub const ALL: [BackendKind; 3] = [BackendKind::Flex, BackendKind::Wgpu, BackendKind::Cuda];

    /// The lowercase name (`"flex"`, `"wgpu"`, `"cuda"`), also the cargo feature's name.
    pub fn name(self) -> &'static str {
        match self {
            BackendKind::Flex => "flex",
            BackendKind::Wgpu => "wgpu",
            BackendKind::Cuda => "cuda",
        }
    }

    /// Parses a name as written by [`BackendKind::name`] (case-insensitive).
    ///
    /// # Errors
    /// [`Error::Invalid`] for any other name.
    pub fn parse(name: &str) -> Result<Self> {
        let lower = name.trim().to_ascii_lowercase();
        Self::ALL
            .into_iter()
            .find(|k| k.name() == lower)
            .ok_or_else(|| Error::Invalid {
                what: "RL backend",
                reason: format!("unknown backend {name:?}; expected flex, wgpu or cuda"),
            })
    }

    /// True when this build includes the backend (its cargo feature is on).
    pub fn is_compiled(self) -> bool {
        match self {
            BackendKind::Flex => cfg!(feature = "flex"),
            BackendKind::Wgpu => cfg!(feature = "wgpu"),
            BackendKind::Cuda => cfg!(feature = "cuda"),
        }
    }

    /// The backends this build includes.
    pub fn compiled() -> Vec<BackendKind> {
        Self::ALL.into_iter().filter(|k| k.is_compiled()).collect()
    }

    /// `flex` when compiled in (deterministic CPU runs are the default), otherwise the first
    /// compiled GPU backend.
    ///
    /// # Errors
    /// [`Error::Invalid`] when the build has no backend at all (all features off).
    pub fn preferred() -> Result<Self> {
        Self::compiled()
            .into_iter()
            .next()
            .ok_or_else(|| Error::Invalid {
                what: "RL backend",
                reason: "this build has no burn backend; enable the flex, wgpu or cuda feature"
                    .into(),
            })
    }

    /// The backend named by the environment variable [`BACKEND_ENV`], or
    /// [`BackendKind::preferred`] when it is unset or empty.
    ///
    /// # Errors
    /// [`Error::Invalid`] when the variable names an unknown backend or one this build
    /// does not include.
    pub fn from_env() -> Result<Self> {
        match std::env::var(BACKEND_ENV) {
            Ok(v) if !v.trim().is_empty() => {
                let kind = Self::parse(&v)?;
                kind.device().map(|_| kind)
            }
            _ => Self::preferred(),
        }
    }

    /// The device (plain, without autodiff) for this backend: the only flex device, the
    /// default wgpu adapter, or CUDA device 0.
    ///
    /// # Errors
    /// [`Error::Invalid`] when the backend's cargo feature is off in this build.
    pub fn device(self) -> Result<Device> {
        match self {
            #[cfg(feature = "flex")]
            BackendKind::Flex => Ok(Device::flex()),
            #[cfg(feature = "wgpu")]
            BackendKind::Wgpu => Ok(Device::wgpu(burn::tensor::DeviceKind::DefaultDevice)),
            #[cfg(feature = "cuda")]
            BackendKind::Cuda => Ok(Device::cuda(0usize)),
            #[allow(unreachable_patterns)]
            other => Err(Error::Invalid {
                what: "RL backend",
                reason: format!(
                    "{} is not compiled in; rebuild shortfall-agents with --features {}",
                    other.name(),
                    other.name()
                ),
            }),
        }
    }
}

impl std::fmt::Display for BackendKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_unknown_names_are_errors() {
        for k in BackendKind::ALL {
            assert_eq!(BackendKind::parse(k.name()).unwrap(), k);
            assert_eq!(BackendKind::parse(&k.name().to_uppercase()).unwrap(), k);
        }
        let err = BackendKind::parse("tch").unwrap_err().to_string();
        assert!(err.contains("tch"), "{err}");
    }

    #[test]
    fn compiled_backends_give_devices_and_missing_ones_say_which_feature() {
        for k in BackendKind::ALL {
            if k.is_compiled() {
                // Creating a GPU device handle does not touch the GPU; flex always works.
                if k == BackendKind::Flex {
                    assert!(k.device().is_ok());
                }
            } else {
                let err = k.device().unwrap_err().to_string();
                assert!(err.contains(&format!("--features {}", k.name())), "{err}");
            }
        }
        #[cfg(feature = "flex")]
        assert_eq!(BackendKind::preferred().unwrap(), BackendKind::Flex);
    }
}
