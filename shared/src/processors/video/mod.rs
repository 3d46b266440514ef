//! Built-in video processors and the pixel kernels they share.

pub mod blur;
pub mod brightness_contrast;
pub mod canny;
pub mod cartoon;
pub mod edge_overlay;
pub mod flip;
pub mod frame_stats;
pub mod grayscale;
pub mod invert;
pub mod luma;
pub mod passthrough;
pub mod pixelate;
pub mod sobel;
pub mod spectrogram;
pub mod stress;
