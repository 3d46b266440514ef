//! Live audio plots: the waveform and spectrum of the microphone and of
//! the output's audio, drawn on a canvas at display rate.
//!
//! Two `AnalyserNode`s in an `AudioContext` of the plots' own read the
//! two tracks; every animation frame takes their newest samples and
//! levels and draws them ([`geometry`] says where). Nothing is posted by
//! the audio path and nothing runs on the audio thread but the analysers,
//! so the plots never hold the audio up, and they show the same for local
//! and remote processing: whichever track the output plays is the one
//! plotted, picked up again when it is replaced.

pub mod geometry;

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::Float32Array;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{
    CanvasRenderingContext2d, HtmlCanvasElement, HtmlVideoElement, MediaStream, MediaStreamTrack,
};

use crate::js::{self, JsError};
use geometry::{FrequencyAxis, Layout, Panel};

/// Samples per analyser window (and twice its bins).
const FFT_SIZE: u32 = 2048;
/// The line colours: microphone, output.
const COLOURS: [&str; 2] = ["#4fc3f7", "#ffb74d"];
const BACKGROUND: &str = "#111";
const PANEL: &str = "#1d1d1d";
const LABEL: &str = "#bbb";

/// The microphone now (a device switch replaces it).
pub type MicrophoneNow = Box<dyn Fn() -> Option<MediaStreamTrack>>;

/// The animation frame callback, kept while the plots run.
type FrameCallback = Rc<RefCell<Option<Closure<dyn FnMut()>>>>;

/// The running plots; dropping them stops the drawing and closes their
/// `AudioContext`.
pub struct AudioPlots {
    scope: Rc<RefCell<Scope>>,
    frame: FrameCallback,
}

/// What each animation frame reads and draws.
struct Scope {
    context: JsValue,
    sample_rate: f64,
    /// `[microphone, output]`, each with the track it reads.
    taps: [Tap; 2],
    microphone: MicrophoneNow,
    output: HtmlVideoElement,
    canvas: HtmlCanvasElement,
    draw: CanvasRenderingContext2d,
    labels: [String; 2],
    samples: Vec<f32>,
    levels: Vec<f32>,
    handle: i32,
}

/// An analyser and the source feeding it.
struct Tap {
    analyser: JsValue,
    source: Option<(String, JsValue)>,
    time: Float32Array,
    frequency: Float32Array,
}

impl AudioPlots {
    /// Starts drawing on `canvas` the microphone (as `microphone` says
    /// it is) and the audio `output` plays; `labels` name the two rows.
    pub fn start(
        canvas: HtmlCanvasElement,
        output: HtmlVideoElement,
        microphone: MicrophoneNow,
        labels: [String; 2],
    ) -> Result<Self, JsError> {
        let draw = canvas
            .get_context("2d")
            .map_err(|e| JsError::threw("canvas.getContext('2d')", &e))?
            .and_then(|c| c.dyn_into::<CanvasRenderingContext2d>().ok())
            .ok_or_else(|| JsError::unexpected("canvas.getContext('2d')", "a 2D context"))?;
        let context = js::construct("AudioContext", &[])?;
        let sample_rate = js::get_f64(&context, "sampleRate")?;
        let tap = || -> Result<Tap, JsError> {
            let analyser = js::call(&context, "createAnalyser", &[])?;
            js::set(&analyser, "fftSize", &JsValue::from(FFT_SIZE))?;
            js::set(&analyser, "smoothingTimeConstant", &JsValue::from(0.5))?;
            Ok(Tap {
                analyser,
                source: None,
                time: Float32Array::new_with_length(FFT_SIZE),
                frequency: Float32Array::new_with_length(FFT_SIZE / 2),
            })
        };
        let taps = [tap()?, tap()?];
        // Without a gesture the context may start suspended.
        let _ = js::call(&context, "resume", &[]);
        let scope = Rc::new(RefCell::new(Scope {
            context,
            sample_rate,
            taps,
            microphone,
            output,
            canvas,
            draw,
            labels,
            samples: vec![0.0; FFT_SIZE as usize],
            levels: vec![0.0; FFT_SIZE as usize / 2],
            handle: 0,
        }));
        let frame: FrameCallback = Rc::default();
        let next = {
            let (scope, frame) = (Rc::downgrade(&scope), Rc::downgrade(&frame));
            Closure::<dyn FnMut()>::new(move || {
                let (Some(scope), Some(frame)) = (scope.upgrade(), frame.upgrade()) else {
                    return;
                };
                let Ok(mut scope) = scope.try_borrow_mut() else {
                    return;
                };
                scope.tick();
                if let Some(next) = frame.borrow().as_ref() {
                    scope.handle = request_frame(next);
                };
            })
        };
        scope.borrow_mut().handle = request_frame(&next);
        *frame.borrow_mut() = Some(next);
        Ok(Self { scope, frame })
    }
}

impl Drop for AudioPlots {
    fn drop(&mut self) {
        self.frame.borrow_mut().take();
        if let Ok(scope) = self.scope.try_borrow() {
            if let Some(window) = web_sys::window() {
                let _ = window.cancel_animation_frame(scope.handle);
            }
            for tap in &scope.taps {
                if let Some((_, source)) = &tap.source {
                    let _ = js::call(source, "disconnect", &[]);
                }
            }
            js::close(&scope.context);
        }
    }
}

/// Asks for `callback` on the next animation frame.
fn request_frame(callback: &Closure<dyn FnMut()>) -> i32 {
    web_sys::window()
        .and_then(|w| {
            w.request_animation_frame(callback.as_ref().unchecked_ref())
                .ok()
        })
        .unwrap_or(0)
}

impl Scope {
    /// One animation frame: follow the tracks, read, draw.
    fn tick(&mut self) {
        let output_track = self.output.src_object().and_then(|stream| {
            stream
                .get_audio_tracks()
                .get(0)
                .dyn_into::<MediaStreamTrack>()
                .ok()
        });
        let tracks = [(self.microphone)(), output_track];
        let Self {
            context,
            taps,
            draw,
            canvas,
            ..
        } = self;
        for (tap, track) in taps.iter_mut().zip(&tracks) {
            if let Err(error) = tap.follow(context, track.as_ref()) {
                js::warn(&error);
            }
        }
        let layout = Layout::new(f64::from(canvas.width()), f64::from(canvas.height()));
        draw.set_fill_style_str(BACKGROUND);
        draw.fill_rect(
            0.0,
            0.0,
            f64::from(canvas.width()),
            f64::from(canvas.height()),
        );
        let axis = FrequencyAxis::for_rate(self.sample_rate);
        #[allow(clippy::needless_range_loop)] // one row's panels, tap, label and colour
        for row in 0..2 {
            let (wave, spectrum) = (layout.waveform[row], layout.spectrum[row]);
            for panel in [wave, spectrum] {
                self.draw.set_fill_style_str(PANEL);
                self.draw
                    .fill_rect(panel.x, panel.y, panel.width, panel.height);
            }
            self.label(&wave, &self.labels[row].clone());
            let tap = &self.taps[row];
            if tap.source.is_none() {
                continue;
            }
            let _ = js::call(
                &tap.analyser,
                "getFloatTimeDomainData",
                &[tap.time.clone().into()],
            );
            let _ = js::call(
                &tap.analyser,
                "getFloatFrequencyData",
                &[tap.frequency.clone().into()],
            );
            tap.time.copy_to(&mut self.samples);
            tap.frequency.copy_to(&mut self.levels);
            let wave_points = geometry::waveform_points(&self.samples, &wave);
            let spectrum_points =
                geometry::spectrum_points(&self.levels, self.sample_rate, &axis, &spectrum);
            self.line(&wave_points, COLOURS[row]);
            self.line(&spectrum_points, COLOURS[row]);
        }
    }

    fn label(&self, panel: &Panel, text: &str) {
        self.draw.set_fill_style_str(LABEL);
        self.draw.set_font("12px sans-serif");
        let _ = self.draw.fill_text(text, panel.x + 4.0, panel.y + 14.0);
    }

    fn line(&self, points: &[(f64, f64)], colour: &str) {
        let Some(&(x, y)) = points.first() else {
            return;
        };
        self.draw.set_stroke_style_str(colour);
        self.draw.set_line_width(1.5);
        self.draw.begin_path();
        self.draw.move_to(x, y);
        for &(x, y) in &points[1..] {
            self.draw.line_to(x, y);
        }
        self.draw.stroke();
    }
}

impl Tap {
    /// Feeds the analyser from `track`, unless it does already.
    fn follow(
        &mut self,
        context: &JsValue,
        track: Option<&MediaStreamTrack>,
    ) -> Result<(), JsError> {
        let wanted = track.filter(|t| t.ready_state() == web_sys::MediaStreamTrackState::Live);
        if self.source.as_ref().map(|(id, _)| id.as_str()) == wanted.map(|t| t.id()).as_deref() {
            return Ok(());
        }
        if let Some((_, source)) = self.source.take() {
            let _ = js::call(&source, "disconnect", &[]);
        }
        if let Some(track) = wanted {
            let stream = MediaStream::new_with_tracks(&js_sys::Array::of1(track))
                .map_err(|e| JsError::threw("new MediaStream", &e))?;
            let source = js::call(context, "createMediaStreamSource", &[stream.into()])?;
            js::call(&source, "connect", std::slice::from_ref(&self.analyser))?;
            self.source = Some((track.id(), source));
        }
        Ok(())
    }
}
