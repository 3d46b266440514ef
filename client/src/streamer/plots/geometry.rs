//! Where the audio plots draw, without a browser: the four panels
//! (waveform and spectrum of the microphone and of the output), the
//! oscilloscope trigger and the points of each line.

/// A panel of the canvas, in canvas pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Panel {
    /// Left edge.
    pub x: f64,
    /// Top edge.
    pub y: f64,
    /// Width.
    pub width: f64,
    /// Height.
    pub height: f64,
}

/// The canvas's panels: a row for the microphone, a row for the output,
/// each a waveform (left) and a spectrum (right).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Layout {
    /// Waveforms: `[microphone, output]`.
    pub waveform: [Panel; 2],
    /// Spectra: `[microphone, output]`.
    pub spectrum: [Panel; 2],
}

/// The gap around and between panels, px.
pub const GAP: f64 = 6.0;

impl Layout {
    /// The panels of a `width` × `height` canvas.
    pub fn new(width: f64, height: f64) -> Self {
        let panel_width = ((width - 3.0 * GAP) / 2.0).max(1.0);
        let panel_height = ((height - 3.0 * GAP) / 2.0).max(1.0);
        let at = |column: f64, row: f64| Panel {
            x: GAP + column * (panel_width + GAP),
            y: GAP + row * (panel_height + GAP),
            width: panel_width,
            height: panel_height,
        };
        Self {
            waveform: [at(0.0, 0.0), at(0.0, 1.0)],
            spectrum: [at(1.0, 0.0), at(1.0, 1.0)],
        }
    }
}

/// The spectrum's frequency axis: logarithmic from `low_hz` to `high_hz`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FrequencyAxis {
    /// The left edge's frequency.
    pub low_hz: f64,
    /// The right edge's frequency.
    pub high_hz: f64,
}

/// The spectrum's level axis: the bottom and top edges, dBFS.
pub const DB_RANGE: (f64, f64) = (-110.0, -10.0);

impl FrequencyAxis {
    /// 20 Hz to 20 kHz, or to the Nyquist frequency below that.
    pub fn for_rate(sample_rate: f64) -> Self {
        Self {
            low_hz: 20.0,
            high_hz: (sample_rate / 2.0).clamp(40.0, 20_000.0),
        }
    }

    /// The x of `hz` in `panel`.
    pub fn x(&self, hz: f64, panel: &Panel) -> f64 {
        let share = (hz / self.low_hz).ln() / (self.high_hz / self.low_hz).ln();
        panel.x + share * panel.width
    }

    /// The frequency at `x` in `panel`.
    pub fn hz(&self, x: f64, panel: &Panel) -> f64 {
        let share = (x - panel.x) / panel.width;
        self.low_hz * (self.high_hz / self.low_hz).powf(share)
    }
}

/// Where a waveform starts: the first rise through zero in the first
/// half, so that a steady tone stands still from one frame to the next;
/// 0 when there is none.
pub fn trigger(samples: &[f32]) -> usize {
    let half = samples.len() / 2;
    (1..half)
        .find(|&i| samples[i - 1] < 0.0 && samples[i] >= 0.0)
        .unwrap_or(0)
}

/// The waveform's points: half the samples from the trigger across the
/// panel's width, −1..1 from its bottom to its top.
pub fn waveform_points(samples: &[f32], panel: &Panel) -> Vec<(f64, f64)> {
    let start = trigger(samples);
    let shown = &samples[start..(start + samples.len() / 2).min(samples.len())];
    let middle = panel.y + panel.height / 2.0;
    let step = panel.width / (shown.len().max(2) - 1) as f64;
    shown
        .iter()
        .enumerate()
        .map(|(i, &s)| {
            let s = f64::from(s).clamp(-1.0, 1.0);
            (panel.x + i as f64 * step, middle - s * panel.height / 2.0)
        })
        .collect()
}

/// The spectrum's points from an analyser's levels (`levels[k]` dBFS at
/// `k · rate / (2 · levels.len())` Hz): a point per bin inside the axis,
/// where bins crowd into one pixel column, the loudest of them.
pub fn spectrum_points(
    levels: &[f32],
    sample_rate: f64,
    axis: &FrequencyAxis,
    panel: &Panel,
) -> Vec<(f64, f64)> {
    let bin_hz = sample_rate / (2.0 * levels.len().max(1) as f64);
    let (bottom, top) = DB_RANGE;
    let y = |db: f64| {
        let share = ((db - bottom) / (top - bottom)).clamp(0.0, 1.0);
        panel.y + panel.height * (1.0 - share)
    };
    let mut points: Vec<(f64, f64)> = Vec::new();
    for (k, &db) in levels.iter().enumerate() {
        let hz = k as f64 * bin_hz;
        if hz < axis.low_hz || hz > axis.high_hz {
            continue;
        }
        let point = (axis.x(hz, panel).round(), y(f64::from(db)));
        match points.last_mut() {
            Some(last) if last.0 == point.0 => last.1 = last.1.min(point.1),
            _ => points.push(point),
        }
    }
    points
}

#[cfg(test)]
mod tests {
    use super::*;

    const PANEL: Panel = Panel {
        x: 10.0,
        y: 20.0,
        width: 300.0,
        height: 100.0,
    };

    #[test]
    fn four_panels_fill_the_canvas_in_two_rows() {
        let layout = Layout::new(720.0, 400.0);
        let [mic, out] = layout.waveform;
        assert_eq!(mic.x, GAP);
        assert_eq!(out.y, mic.y + mic.height + GAP);
        assert_eq!(layout.spectrum[0].x, mic.x + mic.width + GAP);
        let right = layout.spectrum[1].x + layout.spectrum[1].width;
        assert!((right - (720.0 - GAP)).abs() < 1e-9);
    }

    #[test]
    fn the_frequency_axis_is_logarithmic_and_inverts() {
        let axis = FrequencyAxis::for_rate(48_000.0);
        assert_eq!(axis.high_hz, 20_000.0);
        assert_eq!(axis.x(20.0, &PANEL), PANEL.x);
        assert!((axis.x(20_000.0, &PANEL) - (PANEL.x + PANEL.width)).abs() < 1e-9);
        // Each decade takes a third of the width.
        assert!((axis.x(200.0, &PANEL) - (PANEL.x + 100.0)).abs() < 1e-9);
        assert!((axis.hz(axis.x(1_000.0, &PANEL), &PANEL) - 1_000.0).abs() < 1e-6);
        assert_eq!(FrequencyAxis::for_rate(16_000.0).high_hz, 8_000.0);
    }

    #[test]
    fn the_trigger_is_the_first_rise_through_zero() {
        assert_eq!(trigger(&[0.5, -0.2, -0.1, 0.3, 0.4, -0.5, 0.0, 0.0]), 3);
        assert_eq!(trigger(&[0.1; 8]), 0);
        assert_eq!(trigger(&[]), 0);
    }

    #[test]
    fn a_full_scale_wave_spans_the_panel_height() {
        let samples: Vec<f32> = (0..64)
            .map(|i| (i as f32 * std::f32::consts::TAU / 16.0 - 0.1).sin())
            .collect();
        let points = waveform_points(&samples, &PANEL);
        assert_eq!(points.len(), 32);
        assert_eq!(points[0].0, PANEL.x);
        assert!((points[31].0 - (PANEL.x + PANEL.width)).abs() < 1e-9);
        let top = points.iter().map(|p| p.1).fold(f64::MAX, f64::min);
        let bottom = points.iter().map(|p| p.1).fold(f64::MIN, f64::max);
        assert!(top < PANEL.y + 2.0 && bottom > PANEL.y + PANEL.height - 2.0);
        // Out-of-range samples stay inside.
        let loud = waveform_points(&[2.0, -3.0], &PANEL);
        assert!(loud
            .iter()
            .all(|p| (PANEL.y..=PANEL.y + PANEL.height).contains(&p.1)));
    }

    #[test]
    fn a_tone_peaks_at_its_frequency() {
        // 1024 bins at 48 kHz: 23.4 Hz each; a line at bin 43 (1 008 Hz).
        let mut levels = vec![-100.0f32; 1024];
        levels[43] = -20.0;
        let axis = FrequencyAxis::for_rate(48_000.0);
        let points = spectrum_points(&levels, 48_000.0, &axis, &PANEL);
        let peak = points
            .iter()
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .copied()
            .unwrap();
        let hz = axis.hz(peak.0, &PANEL);
        assert!((hz - 1_008.0).abs() < 20.0, "{hz}");
        assert!((peak.1 - (PANEL.y + 10.0)).abs() < 1e-9);
        // One point per pixel column at most.
        assert!(points.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(points
            .iter()
            .all(|p| p.0 >= PANEL.x && p.0 <= PANEL.x + PANEL.width + 0.5));
    }
}
