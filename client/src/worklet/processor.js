// Framewise's audio worklet module: text coders for the wasm-bindgen glue
// (an AudioWorkletGlobalScope has neither), the app's worker glue, and the
// processor class that runs the worker's wasm on every render quantum.

if (typeof globalThis.TextDecoder === "undefined") {
  globalThis.TextDecoder = class {
    decode(bytes) {
      if (!bytes) return "";
      let text = "";
      for (let i = 0; i < bytes.length; ) {
        const b = bytes[i];
        const size = b < 0x80 ? 1 : b < 0xe0 ? 2 : b < 0xf0 ? 3 : 4;
        let code = size === 1 ? b : b & (0xff >> (size + 1));
        for (let k = 1; k < size; k++) code = (code << 6) | (bytes[i + k] & 0x3f);
        text += String.fromCodePoint(code);
        i += size;
      }
      return text;
    }
  };
}

if (typeof globalThis.TextEncoder === "undefined") {
  globalThis.TextEncoder = class {
    encode(text) {
      const out = [];
      for (const ch of text) {
        const c = ch.codePointAt(0);
        if (c < 0x80) out.push(c);
        else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 0x3f));
        else if (c < 0x10000)
          out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f));
        else
          out.push(
            0xf0 | (c >> 18),
            0x80 | ((c >> 12) & 0x3f),
            0x80 | ((c >> 6) & 0x3f),
            0x80 | (c & 0x3f),
          );
      }
      return new Uint8Array(out);
    }
  };
}

/* framewise: wasm-bindgen glue */

class FramewiseAudio extends AudioWorkletProcessor {
  constructor(options) {
    super();
    const o = options.processorOptions;
    this.channels = o.channels;
    this.postEvery = Math.max(1, Math.round(sampleRate / 128 / o.postsPerSecond));
    this.quanta = 0;
    this.frames = 0;
    this.views = [];
    this.failed = false;
    this.port.onmessage = (event) => this.configure(event.data);
    try {
      this.wasm = wasm_bindgen.initSync({ module: o.module });
      if (!wasm_bindgen.framewise_worklet_open(o.job, sampleRate, o.channels)) {
        this.fail(wasm_bindgen.framewise_worklet_error(), true);
        return;
      }
    } catch (e) {
      this.fail(`the audio worklet could not run the worker's wasm: ${e}`, true);
      return;
    }
    this.port.postMessage({ opened: true });
  }

  fail(message, fatal) {
    this.failed = this.failed || fatal;
    this.port.postMessage({ error: String(message), fatal });
  }

  configure(job) {
    if (this.failed) return;
    if (!wasm_bindgen.framewise_worklet_configure(job)) {
      this.fail(wasm_bindgen.framewise_worklet_error(), false);
    }
  }

  // Views of the planar block in wasm memory, made again only when the
  // quantum size changes or the memory grows.
  block(frames) {
    if (frames !== this.frames || this.views.length === 0 || this.views[0].buffer !== this.wasm.memory.buffer) {
      const ptr = wasm_bindgen.framewise_worklet_samples(frames);
      if (!ptr) return null;
      this.views = [];
      for (let c = 0; c < this.channels; c++) {
        this.views.push(new Float32Array(this.wasm.memory.buffer, ptr + c * frames * 4, frames));
      }
      this.frames = frames;
    }
    return this.views;
  }

  process(inputs, outputs) {
    const input = inputs[0];
    const output = outputs[0];
    if (this.failed || output.length === 0) return true;
    const frames = output[0].length;
    let views = this.block(frames);
    if (!views) {
      this.fail(wasm_bindgen.framewise_worklet_error(), true);
      return true;
    }
    for (let c = 0; c < this.channels; c++) {
      const source = input[c] || input[0];
      if (source) views[c].set(source);
      else views[c].fill(0);
    }
    if (!wasm_bindgen.framewise_worklet_process(currentTime)) {
      this.fail(wasm_bindgen.framewise_worklet_error(), true);
      return true;
    }
    // The processor may have grown the memory, which detaches the views.
    views = this.block(frames);
    for (let c = 0; c < output.length; c++) {
      output[c].set(views[Math.min(c, this.channels - 1)]);
    }
    if (++this.quanta >= this.postEvery) {
      this.quanta = 0;
      const results = wasm_bindgen.framewise_worklet_results();
      if (results !== undefined) {
        this.port.postMessage({ results, dropped: wasm_bindgen.framewise_worklet_dropped() });
      }
    }
    return true;
  }
}

registerProcessor("framewise-audio", FramewiseAudio);
