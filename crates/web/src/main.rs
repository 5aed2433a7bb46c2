//! Entry point of the playground's wasm binary (built by trunk from `index.html`).

fn main() {
    farewell_web::start();
}
