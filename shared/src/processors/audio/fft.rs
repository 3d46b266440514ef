//! The windowed FFT the spectrum meter and the spectrogram share: a Hann
//! window and a radix-2 FFT of our own, `f64` with `libm` twiddles, so
//! every target gives the same numbers.

/// A Hann-windowed FFT of one size, with its buffers.
#[derive(Debug, Default)]
pub(crate) struct HannFft {
    window: Vec<f64>,
    twiddles: Vec<(f64, f64)>,
    re: Vec<f64>,
    im: Vec<f64>,
}

impl HannFft {
    /// An FFT of `size` samples (a power of two).
    pub(crate) fn new(size: usize) -> Self {
        let tau = 2.0 * core::f64::consts::PI;
        let window = (0..size)
            .map(|i| 0.5 - 0.5 * libm::cos(tau * i as f64 / size as f64))
            .collect();
        let twiddles = (0..size / 2)
            .map(|k| {
                let angle = -tau * k as f64 / size as f64;
                (libm::cos(angle), libm::sin(angle))
            })
            .collect();
        Self {
            window,
            twiddles,
            re: Vec::with_capacity(size),
            im: Vec::with_capacity(size),
        }
    }

    /// The number of samples it takes.
    pub(crate) fn size(&self) -> usize {
        self.window.len()
    }

    /// The level of each bin `0..=size/2` of `samples` (the oldest first,
    /// `size` of them), dBFS (a full-scale sine reads 0), floored at −120,
    /// written into `db`.
    pub(crate) fn levels_db(&mut self, samples: impl Iterator<Item = f64>, db: &mut Vec<f64>) {
        let n = self.size();
        self.re.clear();
        self.re
            .extend(samples.zip(&self.window).map(|(x, w)| x * w));
        self.re.resize(n, 0.0);
        self.im.clear();
        self.im.resize(n, 0.0);
        fft(&mut self.re, &mut self.im, &self.twiddles);
        // A full-scale sine under a Hann window peaks at n/4.
        let scale = 4.0 / n as f64;
        db.clear();
        db.extend((0..=n / 2).map(|k| {
            let magnitude = libm::sqrt(self.re[k] * self.re[k] + self.im[k] * self.im[k]);
            (20.0 * libm::log10(magnitude * scale + 1e-12)).max(-120.0)
        }));
    }
}

/// The last samples of a sound, mixed to mono, and the windowed FFT of
/// them every so many samples: what a spectrum meter and a spectrogram
/// both listen with.
#[derive(Debug, Default)]
pub(crate) struct Listening {
    /// The last `size` samples, a ring written at `next`.
    ring: Vec<f64>,
    next: usize,
    /// How many of the ring's samples were heard (up to its size).
    pub(crate) filled: usize,
    /// Samples since the last [`Listening::measure`].
    pub(crate) since: usize,
    fft: HannFft,
    /// The last measurement's bin levels, dBFS.
    pub(crate) db: Vec<f64>,
}

impl Listening {
    /// Listens to the last `size` samples (a power of two), from silence.
    pub(crate) fn new(size: usize) -> Self {
        Self {
            ring: vec![0.0; size],
            fft: HannFft::new(size),
            ..Self::default()
        }
    }

    /// How many samples it keeps (0 before [`Listening::new`]).
    pub(crate) fn size(&self) -> usize {
        self.ring.len()
    }

    /// Hears one mono sample.
    pub(crate) fn push(&mut self, sample: f64) {
        let size = self.ring.len();
        if size == 0 {
            return;
        }
        self.ring[self.next] = sample;
        self.next = (self.next + 1) % size;
        self.filled = (self.filled + 1).min(size);
        self.since += 1;
    }

    /// The bin levels of the samples kept, oldest first (see
    /// [`HannFft::levels_db`]), in `db`.
    pub(crate) fn measure(&mut self) {
        self.since = 0;
        let oldest_first = self.ring[self.next..].iter().chain(&self.ring[..self.next]);
        self.fft.levels_db(oldest_first.copied(), &mut self.db);
    }
}

/// An in-place radix-2 FFT of `re` + i·`im` (their length a power of two).
fn fft(re: &mut [f64], im: &mut [f64], twiddles: &[(f64, f64)]) {
    let n = re.len();
    let bits = n.trailing_zeros();
    for i in 0..n {
        let j = i.reverse_bits() >> (usize::BITS - bits);
        if j > i {
            re.swap(i, j);
            im.swap(i, j);
        }
    }
    let mut len = 2;
    while len <= n {
        let stride = n / len;
        for start in (0..n).step_by(len) {
            for k in 0..len / 2 {
                let (wr, wi) = twiddles[k * stride];
                let (a, b) = (start + k, start + k + len / 2);
                let tr = re[b] * wr - im[b] * wi;
                let ti = re[b] * wi + im[b] * wr;
                re[b] = re[a] - tr;
                im[b] = im[a] - ti;
                re[a] += tr;
                im[a] += ti;
            }
        }
        len *= 2;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fft_of_a_cosine_is_two_lines() {
        let n = 16;
        let fft_16 = HannFft::new(n);
        let tau = 2.0 * core::f64::consts::PI;
        let mut re: Vec<f64> = (0..n)
            .map(|i| libm::cos(tau * 3.0 * i as f64 / n as f64))
            .collect();
        let mut im = vec![0.0; n];
        fft(&mut re, &mut im, &fft_16.twiddles);
        for k in 0..n {
            let magnitude = libm::sqrt(re[k] * re[k] + im[k] * im[k]);
            let expected = if k == 3 || k == n - 3 {
                n as f64 / 2.0
            } else {
                0.0
            };
            assert!((magnitude - expected).abs() < 1e-9, "bin {k}: {magnitude}");
        }
    }

    #[test]
    fn a_full_scale_sine_on_a_bin_reads_zero_db() {
        let n = 1024;
        let mut hann = HannFft::new(n);
        let tau = 2.0 * core::f64::consts::PI;
        let mut db = Vec::new();
        hann.levels_db(
            (0..n).map(|i| libm::sin(tau * 64.0 * i as f64 / n as f64)),
            &mut db,
        );
        assert_eq!(db.len(), n / 2 + 1);
        assert!(db[64].abs() < 0.01, "{}", db[64]);
        assert!(db[200] < -100.0, "{}", db[200]);
    }
}
