//! Entry point of the lab's wasm module. trunk builds it from index.html as a
//! module that nothing loads (`data-type="worker"`, `data-bindgen-target="web"`:
//! fixed file names, no script tag), and `lab.html` imports it, so the
//! playground's first load never carries it.
//!
//! The same module is the lab's Web Worker: on the page (a `Window`) it
//! mounts the lab; in the worker the page starts (`app::spawn_worker`) it
//! runs the simulations (`farewell_lab_web::worker`). One download serves
//! both.

// SAFETY: each instance of the module (the page's, the worker's) runs on its
// own thread with its own memory (no wasm threads, no shared memory), which
// is what `new_global` requires.
#[cfg(target_family = "wasm")]
#[global_allocator]
static ALLOCATOR: talc::TalckWasm = unsafe { talc::TalckWasm::new_global() };

fn main() {
    farewell_lab_web::start();
}
