//! A small multilayer perceptron, seeded without burn's global RNG, and the conversions
//! between `f32` buffers and tensors that the learners use.
//!
//! # Why own initialisation
//! burn's flex backend keeps one process-wide RNG (`Device::seed` replaces it), so two
//! networks initialised at the same time in different threads (parallel tests, parallel
//! experiments) would draw from the same stream in an unpredictable order. [`MlpConfig::init`]
//! draws every weight from its own `StdRng` seeded by the caller instead, so a network
//! depends only on its seed — on every backend.

use crate::error::{Error, Result};
use burn::module::{Module, Param};
use burn::nn::Linear;
use burn::tensor::{Device, Tensor, TensorData};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

/// Shape and initialisation of an [`Mlp`].
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct MlpConfig {
    /// Input width (> 0).
    pub input: usize,
    /// Widths of the hidden layers (each > 0; may be empty for a linear map).
    pub hidden: Vec<usize>,
    /// Output width (> 0).
    pub output: usize,
    /// Scale of the last layer's initial weights relative to the hidden layers' (> 0).
    /// Small values (0.01) start a policy head near uniform, as recommended by Andrychowicz
    /// et al. (2021), "What matters in on-policy reinforcement learning?", §3.2.
    pub output_gain: f64,
}

impl MlpConfig {
    /// `input → hidden… → output` with an output gain of 1.
    pub fn new(input: usize, hidden: Vec<usize>, output: usize) -> Self {
        MlpConfig {
            input,
            hidden,
            output,
            output_gain: 1.0,
        }
    }

    /// The same network with another output gain.
    pub fn with_output_gain(mut self, gain: f64) -> Self {
        self.output_gain = gain;
        self
    }

    /// Checks the widths and the gain.
    ///
    /// # Errors
    /// [`Error::Invalid`] naming the zero width or the bad gain.
    pub fn validate(&self) -> Result<()> {
        let invalid = |reason: String| Error::Invalid {
            what: "MLP configuration",
            reason,
        };
        if self.input == 0 || self.output == 0 {
            return Err(invalid(format!(
                "input and output widths must be > 0 (got {} and {})",
                self.input, self.output
            )));
        }
        if let Some(i) = self.hidden.iter().position(|&w| w == 0) {
            return Err(invalid(format!("hidden layer {i} has width 0")));
        }
        if !(self.output_gain.is_finite() && self.output_gain > 0.0) {
            return Err(invalid(format!(
                "output gain must be finite and > 0 (got {})",
                self.output_gain
            )));
        }
        Ok(())
    }

    /// Builds the network on `device`; the weights depend only on `seed`.
    ///
    /// Weights of a layer with fan-in `n` are uniform on `±gain·√(3/n)` (variance
    /// `gain²/n`, LeCun's scaling for tanh units: LeCun et al. 1998, "Efficient BackProp",
    /// §4.6), with gain 1 for hidden layers and [`MlpConfig::output_gain`] for the last;
    /// biases start at zero.
    ///
    /// # Errors
    /// [`Error::Invalid`] when the configuration is invalid.
    pub fn init(&self, seed: u64, device: &Device) -> Result<Mlp> {
        self.validate()?;
        let mut rng = StdRng::seed_from_u64(seed);
        let mut widths = vec![self.input];
        widths.extend(&self.hidden);
        widths.push(self.output);
        let last = widths.len() - 2;
        let mut layers = Vec::with_capacity(widths.len() - 1);
        for (i, pair) in widths.windows(2).enumerate() {
            let (fan_in, fan_out) = (pair[0], pair[1]);
            let gain = if i == last { self.output_gain } else { 1.0 };
            let bound = gain * (3.0 / fan_in as f64).sqrt();
            let w: Vec<f32> = (0..fan_in * fan_out)
                .map(|_| (rng.random_range(-bound..=bound)) as f32)
                .collect();
            let weight = Tensor::<2>::from_data(TensorData::new(w, [fan_in, fan_out]), device);
            let bias = Tensor::<1>::zeros([fan_out], device);
            layers.push(Linear {
                weight: Param::from_tensor(weight),
                bias: Some(Param::from_tensor(bias)),
            });
        }
        Ok(Mlp { layers })
    }
}

/// A multilayer perceptron with tanh hidden units and a linear output.
#[derive(Module, Debug)]
pub struct Mlp {
    layers: Vec<Linear>,
}

impl Mlp {
    /// Maps a batch `[n, input]` to `[n, output]`.
    pub fn forward(&self, x: Tensor<2>) -> Tensor<2> {
        let last = self.layers.len() - 1;
        let mut h = x;
        for (i, layer) in self.layers.iter().enumerate() {
            h = layer.forward(h);
            if i < last {
                h = h.tanh();
            }
        }
        h
    }

    /// Width of the output layer.
    pub fn output_width(&self) -> usize {
        self.layers.last().map_or(0, |l| l.weight.val().dims()[1])
    }

    /// Number of layers (hidden + output).
    pub fn depth(&self) -> usize {
        self.layers.len()
    }

    /// All weights and biases, layer by layer, as `f32` (weights row-major `[in, out]`).
    ///
    /// # Errors
    /// [`Error::Tensor`] when the backend cannot read a parameter back.
    pub fn flat_params(&self) -> Result<Vec<f32>> {
        let mut out = Vec::new();
        for layer in &self.layers {
            out.extend(to_vec(layer.weight.val())?);
            if let Some(b) = &layer.bias {
                out.extend(to_vec(b.val())?);
            }
        }
        Ok(out)
    }
}

/// A `[rows, cols]` tensor on `device` from row-major `data`.
///
/// # Errors
/// [`Error::Invalid`] when `data.len() != rows * cols`.
pub fn matrix(data: Vec<f32>, rows: usize, cols: usize, device: &Device) -> Result<Tensor<2>> {
    if data.len() != rows * cols {
        return Err(Error::Invalid {
            what: "tensor data",
            reason: format!(
                "{} values for a {rows}×{cols} matrix ({} expected)",
                data.len(),
                rows * cols
            ),
        });
    }
    Ok(Tensor::<2>::from_data(
        TensorData::new(data, [rows, cols]),
        device,
    ))
}

/// A `[n]` tensor on `device`.
pub fn vector(data: Vec<f32>, device: &Device) -> Tensor<1> {
    let n = data.len();
    Tensor::<1>::from_data(TensorData::new(data, [n]), device)
}

/// Reads a float tensor back as `f32`, row-major.
///
/// # Errors
/// [`Error::Tensor`] when the backend cannot read it.
pub fn to_vec<const D: usize>(t: Tensor<D>) -> Result<Vec<f32>> {
    t.into_data()
        .try_into_vec::<f32>()
        .map_err(|e| Error::Tensor {
            what: "reading a tensor back",
            reason: format!("{e:?}"),
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rl::device::BackendKind;
    use burn::optim::{AdamConfig, GradientsParams};

    fn device() -> Device {
        BackendKind::from_env().unwrap().device().unwrap()
    }

    #[test]
    fn bad_shapes_are_errors() {
        let d = device();
        assert!(MlpConfig::new(0, vec![4], 1).init(0, &d).is_err());
        assert!(MlpConfig::new(2, vec![4, 0], 1).init(0, &d).is_err());
        assert!(
            MlpConfig::new(2, vec![4], 1)
                .with_output_gain(0.0)
                .init(0, &d)
                .is_err()
        );
        assert!(matrix(vec![1.0; 5], 2, 3, &d).is_err());
    }

    #[test]
    fn initial_weights_follow_the_stated_bounds_and_seed() {
        let d = device();
        let cfg = MlpConfig::new(16, vec![32], 3).with_output_gain(0.01);
        let a = cfg.init(7, &d).unwrap().flat_params().unwrap();
        let b = cfg.init(7, &d).unwrap().flat_params().unwrap();
        let c = cfg.init(8, &d).unwrap().flat_params().unwrap();
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_eq!(a.len(), 16 * 32 + 32 + 32 * 3 + 3);
        let hidden_bound = (3.0f32 / 16.0).sqrt();
        let out_bound = 0.01 * (3.0f32 / 32.0).sqrt();
        let (w1, rest) = a.split_at(16 * 32);
        let (b1, rest) = rest.split_at(32);
        let (w2, b2) = rest.split_at(32 * 3);
        assert!(w1.iter().all(|w| w.abs() <= hidden_bound * 1.000_001));
        assert!(w2.iter().all(|w| w.abs() <= out_bound * 1.000_001));
        assert!(b1.iter().chain(b2).all(|&b| b == 0.0));
        // Variance of U(-a, a) is a²/3 = 1/fan_in: 512 draws put the sample variance
        // within ±25 % with overwhelming probability (relative s.e. ≈ √(0.8/512) ≈ 4 %).
        let var = w1.iter().map(|w| w * w).sum::<f32>() / w1.len() as f32;
        assert!(
            (var * 16.0 - 1.0).abs() < 0.25,
            "variance × fan-in = {}",
            var * 16.0
        );
    }

    #[test]
    fn forward_matches_a_hand_computed_network() {
        let d = device();
        // One hidden tanh unit: y = 2·tanh(0.5·x0 − x1 + 0.1) − 0.3.
        let net = Mlp {
            layers: vec![
                Linear {
                    weight: Param::from_tensor(matrix(vec![0.5, -1.0], 2, 1, &d).unwrap()),
                    bias: Some(Param::from_tensor(vector(vec![0.1], &d))),
                },
                Linear {
                    weight: Param::from_tensor(matrix(vec![2.0], 1, 1, &d).unwrap()),
                    bias: Some(Param::from_tensor(vector(vec![-0.3], &d))),
                },
            ],
        };
        let x = matrix(vec![1.0, 2.0, -0.4, 0.2], 2, 2, &d).unwrap();
        let y = to_vec(net.forward(x)).unwrap();
        let expect = [
            2.0 * (0.5f64 - 2.0 + 0.1).tanh() - 0.3,
            2.0 * (-0.2f64 - 0.2 + 0.1).tanh() - 0.3,
        ];
        for (got, want) in y.iter().zip(expect) {
            assert!((f64::from(*got) - want).abs() < 1e-6, "{got} vs {want}");
        }
    }

    /// Fits `y = sin(x0) + x1/2` on a fixed grid with a few Adam steps and returns the
    /// losses and the final parameters.
    fn fit(seed: u64, steps: usize) -> (Vec<f32>, Vec<f32>) {
        let device = device().autodiff();
        let mut net = MlpConfig::new(2, vec![16], 1).init(seed, &device).unwrap();
        let n = 32;
        let mut xs = Vec::with_capacity(2 * n);
        let mut ys = Vec::with_capacity(n);
        for i in 0..n {
            let (x0, x1) = (
                -1.5 + 3.0 * i as f32 / n as f32,
                ((i * 7) % n) as f32 / n as f32,
            );
            xs.extend([x0, x1]);
            ys.push(x0.sin() + 0.5 * x1);
        }
        let x = matrix(xs, n, 2, &device).unwrap();
        let y = matrix(ys, n, 1, &device).unwrap();
        let mut optim = AdamConfig::new().init();
        let mut losses = Vec::with_capacity(steps);
        for _ in 0..steps {
            let err = net.forward(x.clone()) - y.clone();
            let loss = (err.clone() * err).mean();
            losses.push(to_vec(loss.clone().detach()).unwrap()[0]);
            let grads = GradientsParams::from_grads(loss.backward(), &net);
            net = optim.step(0.02, net, grads);
        }
        (losses, net.flat_params().unwrap())
    }

    #[test]
    fn adam_reduces_the_loss_and_is_bit_reproducible() {
        // Adam moves each parameter by about the learning rate per step regardless of the
        // gradient's scale, so 40 steps at 0.02 travel ~0.8 per weight: ample to cut the
        // squared error of this smooth target at least in half from every initialisation.
        for seed in [1, 2, 3] {
            let (losses, params) = fit(seed, 40);
            let (first, last) = (losses[0], *losses.last().unwrap());
            assert!(last < 0.5 * first, "seed {seed}: loss {first} → {last}");
            let (losses2, params2) = fit(seed, 40);
            if BackendKind::from_env().unwrap() == BackendKind::Flex {
                assert_eq!(losses, losses2, "seed {seed}: losses differ between runs");
                assert_eq!(
                    params, params2,
                    "seed {seed}: parameters differ between runs"
                );
            } else {
                // GPU reductions may reorder additions between runs: f32 round-off only.
                for (a, b) in params.iter().zip(&params2) {
                    assert!(
                        (a - b).abs() <= 1e-4 * (1.0 + a.abs()),
                        "seed {seed}: {a} vs {b}"
                    );
                }
            }
        }
    }
}
