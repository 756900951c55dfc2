//! The statistics of dudect (Reparaz, Balasch, Verbauwhede, "Dude, is my code constant
//! time?", 2017, and its reference `dudect.h`): Welch's t-test between two input classes,
//! on every measurement and on the measurements below each of 100 percentile crops, plus a
//! second-order test on the centred squares; the result is the largest |t|.

/// How many percentile crops, as in `dudect.h`.
const CROPS: usize = 100;

/// A test counts once it has this many measurements, as in `dudect.h`.
const ENOUGH: f64 = 10_000.0;

/// Welch's t-test between two classes, with running means and variances (Welford).
#[derive(Clone, Copy, Default)]
struct Welch {
    n: [f64; 2],
    mean: [f64; 2],
    m2: [f64; 2],
}

impl Welch {
    fn push(&mut self, x: f64, class: usize) {
        let (Some(n), Some(mean), Some(m2)) =
            (self.n.get_mut(class), self.mean.get_mut(class), self.m2.get_mut(class))
        else {
            return;
        };
        *n += 1.0;
        let delta = x - *mean;
        *mean += delta / *n;
        *m2 += delta * (x - *mean);
    }

    fn samples(&self) -> f64 {
        self.n[0] + self.n[1]
    }

    fn t(&self) -> f64 {
        if self.n[0] < 2.0 || self.n[1] < 2.0 {
            return 0.0;
        }
        let var0 = self.m2[0] / (self.n[0] - 1.0);
        let var1 = self.m2[1] / (self.n[1] - 1.0);
        let se = (var0 / self.n[0] + var1 / self.n[1]).sqrt();
        if se > 0.0 { (self.mean[0] - self.mean[1]) / se } else { 0.0 }
    }
}

/// Which of dudect's tests gave the largest |t|.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Test {
    /// Every measurement.
    All,
    /// The measurements below the crop of this percentile (0..100, as in `dudect.h`).
    Crop(usize),
    /// The second-order test: the squared distance of each measurement from its class mean.
    SecondOrder,
}

/// The largest |t| over dudect's tests, with which test and how many measurements it had.
#[derive(Clone, Copy, Debug)]
pub struct Verdict {
    pub t: f64,
    pub test: Test,
    pub samples: u64,
    /// Class 0's mean minus class 1's in that test (nanoseconds; squared for the second order).
    pub difference: f64,
}

/// The state of one dudect run: the crop thresholds and a t-test for each crop.
pub struct Dudect {
    thresholds: Vec<f64>,
    all: Welch,
    crops: Vec<Welch>,
    second: Welch,
}

impl Dudect {
    /// Thresholds from a first batch of measurements (of both classes): crop `i` keeps the
    /// measurements below the `1 - 0.5^(10 (i + 1) / 100)` quantile, as `dudect.h` does, so the
    /// crops cut the slow tail (interrupts, other processes) harder and harder.
    pub fn new(first: &[u64]) -> Dudect {
        let mut sorted = first.to_vec();
        sorted.sort_unstable();
        let thresholds = (0..CROPS)
            .map(|i| {
                let q = 1.0 - 0.5f64.powf(10.0 * (i as f64 + 1.0) / CROPS as f64);
                let index = ((sorted.len() as f64) * q) as usize;
                sorted.get(index.min(sorted.len().saturating_sub(1))).map_or(f64::INFINITY, |&x| x as f64)
            })
            .collect();
        Dudect {
            thresholds,
            all: Welch::default(),
            crops: vec![Welch::default(); CROPS],
            second: Welch::default(),
        }
    }

    /// Adds one measurement (nanoseconds) of `class` (0 or 1).
    pub fn push(&mut self, nanos: u64, class: usize) {
        let x = nanos as f64;
        self.all.push(x, class);
        for (test, &threshold) in self.crops.iter_mut().zip(&self.thresholds) {
            if x < threshold {
                test.push(x, class);
            }
        }
        if self.all.samples() > ENOUGH {
            let centred = x - self.all.mean.get(class).copied().unwrap_or(0.0);
            self.second.push(centred * centred, class);
        }
    }

    /// The largest |t| over the tests that have enough measurements.
    pub fn verdict(&self) -> Verdict {
        let tests = core::iter::once((Test::All, &self.all))
            .chain(self.crops.iter().enumerate().map(|(i, w)| (Test::Crop(i), w)))
            .chain(core::iter::once((Test::SecondOrder, &self.second)));
        let mut best =
            Verdict { t: 0.0, test: Test::All, samples: self.all.samples() as u64, difference: 0.0 };
        for (test, welch) in tests {
            if welch.samples() > ENOUGH && welch.t().abs() > best.t {
                best = Verdict {
                    t: welch.t().abs(),
                    test,
                    samples: welch.samples() as u64,
                    difference: welch.mean[0] - welch.mean[1],
                };
            }
        }
        best
    }
}

/// A small, fast generator for the class of each measurement (splitmix64): the classes only
/// need to be unpredictable to the code measured, not to an adversary.
pub struct SplitMix(u64);

impl SplitMix {
    pub fn new(seed: u64) -> SplitMix {
        SplitMix(seed)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

#[cfg(test)]
mod tests {
    use super::{Dudect, SplitMix, Test};

    #[test]
    fn equal_classes_pass_and_shifted_classes_fail() {
        let mut rng = SplitMix::new(7);
        // Noise of about 100 around 1000; class 1 is 5 slower in the shifted run.
        let mut sample = |shift: u64| {
            let class = (rng.next() & 1) as usize;
            let noise = rng.next() % 200;
            (1000 + noise + if class == 1 { shift } else { 0 }, class)
        };
        let first: Vec<u64> = (0..10_000).map(|_| sample(0).0).collect();
        let (mut same, mut shifted) = (Dudect::new(&first), Dudect::new(&first));
        for _ in 0..200_000 {
            let (x, class) = sample(0);
            same.push(x, class);
            let (x, class) = sample(5);
            shifted.push(x, class);
        }
        assert!(same.verdict().t < 5.0, "{:?}", same.verdict());
        let verdict = shifted.verdict();
        assert!(verdict.t > 10.0, "{verdict:?}");
        assert_ne!(verdict.test, Test::SecondOrder);
    }
}
