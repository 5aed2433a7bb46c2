//! The mounted playground in a real browser: what a user sees and clicks.

use farewell_engine::{builtin, simulate};
use farewell_web::components::app::App;
use std::time::Duration;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::wasm_bindgen_test;
use web_sys::{Element, Event, EventInit, HtmlSelectElement, KeyboardEvent, KeyboardEventInit};

wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

async fn settle() {
    yew::platform::time::sleep(Duration::from_millis(40)).await;
}

fn all(root: &Element, selector: &str) -> Vec<Element> {
    let list = root.query_selector_all(selector).unwrap();
    (0..list.length())
        .filter_map(|i| list.item(i))
        .filter_map(|n| n.dyn_into::<Element>().ok())
        .collect()
}

fn one(root: &Element, selector: &str) -> Element {
    root.query_selector(selector)
        .unwrap()
        .unwrap_or_else(|| panic!("no element matches {selector}"))
}

fn text(root: &Element, selector: &str) -> String {
    one(root, selector).text_content().unwrap_or_default()
}

fn choose(root: &Element, selector: &str, value: &str) {
    let select: HtmlSelectElement = one(root, selector).dyn_into().unwrap();
    select.set_value(value);
    let init = EventInit::new();
    init.set_bubbles(true);
    select
        .dispatch_event(&Event::new_with_event_init_dict("change", &init).unwrap())
        .unwrap();
}

fn press(key: &str) {
    let init = KeyboardEventInit::new();
    init.set_key(key);
    init.set_bubbles(true);
    let e = KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap();
    document().body().unwrap().dispatch_event(&e).unwrap();
}

#[wasm_bindgen_test]
async fn the_playground_draws_drops_switches_platform_and_plays() {
    let root = document().create_element("div").unwrap();
    document().body().unwrap().append_child(&root).unwrap();
    let app = yew::Renderer::<App>::with_root(root.clone()).render();
    settle().await;

    // The default scenario is drawn: one arrow per segment, each with its id.
    let expected = simulate(&builtin::get(builtin::DEFAULT).unwrap());
    let segs = all(&root, "svg[data-testid=diagram] .seg");
    assert_eq!(segs.len(), expected.segments().count());
    for (el, (_, s)) in segs.iter().zip(expected.segments()) {
        assert_eq!(el.get_attribute("data-seg-id"), Some(s.id.to_string()));
    }
    assert!(all(&root, "svg .seg.dropped").is_empty());

    // Pick the lost-FIN scenario: its FIN is dropped and retransmitted.
    choose(&root, "[data-testid=scenario-select]", "lost-fin");
    settle().await;
    assert_eq!(all(&root, "svg .seg.dropped").len(), 1);
    assert!(!all(&root, "svg .seg.retransmission").is_empty());

    // Click the dropped FIN: it is restored and the retransmission goes away.
    let dropped = all(&root, "svg .seg.dropped")[0].clone();
    let init = EventInit::new();
    init.set_bubbles(true);
    dropped
        .dispatch_event(&Event::new_with_event_init_dict("click", &init).unwrap())
        .unwrap();
    settle().await;
    assert!(all(&root, "svg .seg.dropped").is_empty());
    assert!(all(&root, "svg .seg.retransmission").is_empty());

    // Windows: TIME_WAIT is 240 s, shown in the platform panel and on the countdown.
    choose(&root, "[data-testid=platform-select]", "windows");
    settle().await;
    assert_eq!(text(&root, "[data-testid=time-wait]"), "240 s");
    assert_eq!(text(&root, "[data-testid=countdown-seconds]"), "240.0");

    // Step to the moment A enters TIME_WAIT (keyboard →), then 10 s further with
    // the scrubber's Seek: the countdown shows what is left.
    for _ in 0..100 {
        if one(&root, "[data-testid=countdown]")
            .get_attribute("data-phase")
            .as_deref()
            == Some("running")
        {
            break;
        }
        press("ArrowRight");
        settle().await;
    }
    let remaining: f64 = text(&root, "[data-testid=countdown-seconds]")
        .parse()
        .unwrap();
    assert!((239.0..=240.0).contains(&remaining), "{remaining}");

    // Space plays; space again pauses.
    press(" ");
    settle().await;
    assert_eq!(
        one(&root, "[data-testid=play]")
            .get_attribute("aria-pressed")
            .as_deref(),
        Some("true")
    );
    press(" ");
    settle().await;
    assert_eq!(
        one(&root, "[data-testid=play]")
            .get_attribute("aria-pressed")
            .as_deref(),
        Some("false")
    );

    app.destroy();
    root.remove();
}
