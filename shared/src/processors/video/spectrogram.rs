//! `spectrogram`: audio in, video out. The microphone's sound drawn as a
//! scrolling spectrogram that replaces the picture: time runs from left
//! to right (the newest column at the right edge), frequency from 20 Hz at
//! the bottom to 20 kHz (or half the sample rate) at the top on a log
//! axis, loudness as colour from the floor (dark) to 0 dBFS (bright).
//!
//! The sound arrives through [`VideoProcessor::hear`] between frames; every
//! `1/speed` s of it becomes one column: the windowed FFT (`audio/fft.rs`)
//! of the last `fft_size` samples, mixed to mono, in [`BANDS`] log-spaced
//! bands (each its loudest bin). At most [`MAX_COLUMNS`] columns are kept.

use crate::processors::audio::{fft::Listening, mono};
use crate::{
    AudioFrame, Configure, Cost, MediaKind, ParamError, ParamSpec, Params, ProcessError,
    ProcessorInfo, Results, VideoFrame, VideoProcessor,
};

/// The registry description.
pub fn info() -> ProcessorInfo {
    ProcessorInfo::new(
        "spectrogram",
        MediaKind::Video,
        Cost::Light,
        "Draws the microphone as a scrolling spectrogram (audio in, video out): time left to \
         right, log frequency upwards, loudness as colour.",
    )
    .param(ParamSpec::choice(
        "fft_size",
        "FFT size",
        &["512", "1024", "2048", "4096"],
        "2048",
    ))
    .param(ParamSpec::int("speed", "Speed", 10, 200, 1, 60).unit("columns/s"))
    .param(ParamSpec::float("floor_db", "Floor", -140.0, -30.0, 1.0, -100.0).unit("dBFS"))
    .hears_audio()
}

/// Frequency bands per column.
pub const BANDS: usize = 256;
/// Columns kept (wider frames show them all and black on the left).
pub const MAX_COLUMNS: usize = 4096;
/// The lowest frequency drawn, Hz.
pub const LOWEST_HZ: f64 = 20.0;
/// The highest frequency drawn (or half the sample rate if lower), Hz.
pub const HIGHEST_HZ: f64 = 20_000.0;

/// The frequency drawn at the middle of pixel row `row` (0 at the top) of
/// a frame `height` rows high, for sound at `rate`: what a test or a
/// cursor reads off the picture.
pub fn frequency_at_row(row: u32, height: u32, rate: u32) -> f64 {
    let from_bottom = f64::from(height.saturating_sub(row + 1)) + 0.5;
    let band = from_bottom * BANDS as f64 / f64::from(height.max(1));
    let top = top_hz(rate);
    LOWEST_HZ * libm::exp(libm::log(top / LOWEST_HZ) * band / BANDS as f64)
}

fn top_hz(rate: u32) -> f64 {
    HIGHEST_HZ.min(f64::from(rate) / 2.0)
}

/// Draws the sound it hears; see the [module docs](self).
#[derive(Debug)]
pub struct Spectrogram {
    size: usize,
    speed: u32,
    floor_db: f64,
    /// The rate of the sound heard (0 before any).
    rate: u32,
    /// The last `size` mono samples and their FFT.
    listening: Listening,
    /// Each band's bins, first and last, for this rate and size.
    band_bins: Vec<(usize, usize)>,
    /// Columns of `BANDS` levels (0 = floor, 255 = 0 dBFS), a ring of
    /// `MAX_COLUMNS` whose newest is at `newest`.
    columns: Vec<u8>,
    newest: usize,
    count: usize,
    palette: [[u8; 3]; 256],
}

impl Default for Spectrogram {
    fn default() -> Self {
        Self {
            size: 0,
            speed: 60,
            floor_db: -100.0,
            rate: 0,
            listening: Listening::default(),
            band_bins: Vec::new(),
            columns: vec![0; MAX_COLUMNS * BANDS],
            newest: 0,
            count: 0,
            palette: palette(),
        }
    }
}

/// Dark violet through red and orange to pale yellow.
fn palette() -> [[u8; 3]; 256] {
    const STOPS: [[i32; 3]; 5] = [
        [0, 0, 4],
        [60, 15, 110],
        [180, 55, 90],
        [250, 140, 20],
        [252, 255, 165],
    ];
    let mut colours = [[0u8; 3]; 256];
    for (i, colour) in colours.iter_mut().enumerate() {
        let scaled = i as i32 * 4; // 0..=1020 over four segments of 255
        let segment = (scaled / 255).min(3) as usize;
        let t = scaled - segment as i32 * 255;
        for c in 0..3 {
            let (a, b) = (STOPS[segment][c], STOPS[segment + 1][c]);
            colour[c] = (a + (b - a) * t / 255) as u8;
        }
    }
    colours
}

impl Spectrogram {
    /// Sizes the ring, the FFT and the band table for `size` and `rate`.
    fn reset(&mut self) {
        self.listening = Listening::new(self.size);
        let bin_hz = f64::from(self.rate) / self.size as f64;
        let ratio = libm::log(top_hz(self.rate) / LOWEST_HZ) / BANDS as f64;
        self.band_bins = (0..BANDS)
            .map(|b| {
                let low = LOWEST_HZ * libm::exp(ratio * b as f64);
                let high = LOWEST_HZ * libm::exp(ratio * (b + 1) as f64);
                let first = (libm::floor(low / bin_hz) as usize).clamp(1, self.size / 2);
                let last = (libm::ceil(high / bin_hz) as usize).clamp(first, self.size / 2);
                (first, last)
            })
            .collect();
    }

    /// Adds one column from the ring.
    fn add_column(&mut self) {
        self.listening.measure();
        self.newest = (self.newest + 1) % MAX_COLUMNS;
        self.count = (self.count + 1).min(MAX_COLUMNS);
        let column = &mut self.columns[self.newest * BANDS..][..BANDS];
        let span = -self.floor_db;
        for (level, &(first, last)) in column.iter_mut().zip(&self.band_bins) {
            let db = self.listening.db[first..=last]
                .iter()
                .copied()
                .fold(-120.0, f64::max);
            let t = ((db - self.floor_db) / span).clamp(0.0, 1.0);
            *level = libm::round(t * 255.0) as u8;
        }
    }

    /// The levels of the column `age` columns before the newest, if kept.
    fn column(&self, age: usize) -> Option<&[u8]> {
        (age < self.count).then(|| {
            let index = (self.newest + MAX_COLUMNS - age) % MAX_COLUMNS;
            &self.columns[index * BANDS..][..BANDS]
        })
    }
}

impl Configure for Spectrogram {
    fn configure(&mut self, params: &Params) -> Result<(), ParamError> {
        let size = params.choice("fft_size")?.parse().unwrap_or(2048usize);
        self.speed = params.int("speed")?.clamp(10, 200) as u32;
        self.floor_db = params.float("floor_db")?.clamp(-140.0, -30.0);
        if size != self.size {
            self.size = size;
            if self.rate > 0 {
                self.reset();
            }
        }
        Ok(())
    }
}

impl VideoProcessor for Spectrogram {
    fn process(&mut self, frame: &mut VideoFrame, _: &mut Results) -> Result<(), ProcessError> {
        let (width, height) = (frame.width() as usize, frame.height() as usize);
        // The band of each row, the top row the highest.
        let bands: Vec<usize> = (0..height)
            .map(|y| (height - 1 - y) * BANDS / height)
            .collect();
        let data = frame.data_mut();
        for x in 0..width {
            let column = self.column(width - 1 - x);
            for (y, &band) in bands.iter().enumerate() {
                let level = column.map_or(0, |c| c[band]);
                let [r, g, b] = self.palette[usize::from(level)];
                let at = (y * width + x) * 4;
                data[at..at + 4].copy_from_slice(&[r, g, b, 255]);
            }
        }
        Ok(())
    }

    fn hear(&mut self, audio: &AudioFrame) {
        let rate = audio.sample_rate();
        if self.size == 0 {
            self.size = 2048;
        }
        if rate != self.rate {
            self.rate = rate;
            self.reset();
        }
        let every = (rate / self.speed.max(1)).max(1) as usize;
        let channels = usize::from(audio.channels());
        for block in audio.samples().chunks_exact(channels) {
            self.listening.push(mono(block));
            if self.listening.since >= every {
                self.add_column();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synth;

    fn heard(tone_hz: f64, seconds: f64) -> Spectrogram {
        let mut spectrogram = Spectrogram::default();
        let rate = 48_000;
        let tone = synth::sine(rate, 1, (seconds * 48_000.0) as usize, tone_hz, 0.5);
        for block in tone.samples().chunks(480) {
            let block = AudioFrame::new(rate, 1, block.to_vec(), 0).unwrap();
            spectrogram.hear(&block);
        }
        spectrogram
    }

    fn brightest_row(frame: &VideoFrame, x: u32) -> u32 {
        (0..frame.height())
            .max_by_key(|&y| {
                let at = ((y * frame.width() + x) * 4) as usize;
                frame.data()[at..at + 3]
                    .iter()
                    .map(|&c| u32::from(c))
                    .sum::<u32>()
            })
            .unwrap()
    }

    #[test]
    fn a_tone_is_a_bright_line_at_its_frequency() {
        let mut spectrogram = heard(1000.0, 1.0);
        let mut frame = VideoFrame::from_rgba(320, 240, vec![7; 320 * 240 * 4], 0).unwrap();
        spectrogram
            .process(&mut frame, &mut Results::new())
            .unwrap();
        let row = brightest_row(&frame, 319);
        let hz = frequency_at_row(row, 240, 48_000);
        assert!((hz / 1000.0 - 1.0).abs() < 0.04, "row {row}: {hz} Hz");
        // One second at 60 columns/s: the left of the frame has none yet.
        let at = ((120 * 320 + 10) * 4) as usize;
        assert_eq!(&frame.data()[at..at + 4], &[0, 0, 4, 255]);
    }

    #[test]
    fn a_higher_tone_draws_higher() {
        let mut frame = VideoFrame::from_rgba(64, 200, vec![0; 64 * 200 * 4], 0).unwrap();
        heard(300.0, 0.5)
            .process(&mut frame, &mut Results::new())
            .unwrap();
        let low = brightest_row(&frame, 63);
        heard(3000.0, 0.5)
            .process(&mut frame, &mut Results::new())
            .unwrap();
        let high = brightest_row(&frame, 63);
        assert!(high + 30 < low, "3 kHz at row {high}, 300 Hz at row {low}");
    }

    #[test]
    fn columns_come_at_the_set_speed_and_are_bounded() {
        let spectrogram = heard(440.0, 2.0);
        assert_eq!(spectrogram.count, 120);
        let long = heard(440.0, 70.0);
        assert_eq!(long.count, MAX_COLUMNS);
    }

    #[test]
    fn silence_is_dark() {
        let mut spectrogram = Spectrogram::default();
        spectrogram.hear(&AudioFrame::new(16_000, 2, vec![0.0; 3200], 0).unwrap());
        let mut frame = VideoFrame::from_rgba(8, 8, vec![200; 256], 0).unwrap();
        spectrogram
            .process(&mut frame, &mut Results::new())
            .unwrap();
        assert!(frame.data().chunks(4).all(|p| p == [0, 0, 4, 255]));
    }
}
