//! Entry point of the lab's wasm module. trunk builds it from index.html as a
//! module that nothing loads (`data-type="worker"`, `data-bindgen-target="web"`:
//! fixed file names, no script tag), and `lab.html` imports it, so the
//! playground's first load never carries it.

// SAFETY: the lab runs on the browser's main thread only (no wasm threads, no
// shared memory), which is what `new_global` requires.
#[cfg(target_family = "wasm")]
#[global_allocator]
static ALLOCATOR: talc::TalckWasm = unsafe { talc::TalckWasm::new_global() };

fn main() {
    farewell_lab_web::start();
}
