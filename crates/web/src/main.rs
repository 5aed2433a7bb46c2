//! Entry point of the playground's wasm binary (built by trunk from `index.html`).

/// talc rather than the standard library's dlmalloc: 2 KB smaller gzipped.
// SAFETY: the playground runs on the browser's main thread only (no wasm
// threads, no shared memory), which is what `new_global` requires.
#[cfg(target_family = "wasm")]
#[global_allocator]
static ALLOCATOR: talc::TalckWasm = unsafe { talc::TalckWasm::new_global() };

fn main() {
    farewell_web::start();
}
