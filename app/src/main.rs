//! Entry point: everything happens in `app::start`.

fn main() {
    app::start();
}
