use crate::state::{Action, Theme};
use yew::prelude::*;

pub struct HeaderProps {
    pub theme: Theme,
    pub on_action: Callback<Action>,
}

/// The logo with the page's title and tagline (the playground's and the lab's).
pub fn brand(title: &'static str, tagline: &'static str) -> Html {
    html! {
        <div class="brand">
            <svg class="logo" viewBox="0 0 32 32" aria-hidden="true">
                <rect width="32" height="32" rx="7" class="logo-bg"/>
                <path d="M9 6v20M23 6v20" class="logo-lines"/>
                <path d="M9 11l14 5M23 19l-14 5" class="logo-arrows"/>
            </svg>
            <div>
                <h1>{ title }</h1>
                <p class="tagline">{ tagline }</p>
            </div>
        </div>
    }
}

/// Title bar with the theme switch (system → light → dark).
pub fn header(props: &HeaderProps) -> Html {
    let (next, label, icon) = match props.theme {
        // Half-filled circle, sun, moon.
        Theme::System => (Theme::Light, "Theme: follows the system. Switch to light", "M8 1a7 7 0 1 0 0 14A7 7 0 0 0 8 1zm0 1.5v11a5.5 5.5 0 0 1 0-11z"),
        Theme::Light => (Theme::Dark, "Theme: light. Switch to dark", "M8 4.5a3.5 3.5 0 1 0 0 7 3.5 3.5 0 0 0 0-7zM7.3 0h1.4v3H7.3zM7.3 13h1.4v3H7.3zM0 7.3h3v1.4H0zM13 7.3h3v1.4h-3z"),
        Theme::Dark => (Theme::System, "Theme: dark. Follow the system", "M10.5 1.5A6.5 6.5 0 1 0 14.5 11 5.2 5.2 0 0 1 10.5 1.5z"),
    };
    let on_action = props.on_action.clone();
    let onclick = Callback::from(move |_| on_action.emit(Action::SetTheme(next)));
    html! {
        <header class="app-header">
            { brand("Farewell", "How a TCP connection says goodbye") }
            <nav class="views" aria-label="Views"><a href="lab.html">{ "TIME_WAIT lab" }</a></nav>
            <button type="button" class="icon-button theme-toggle" aria-label={label} title={label} {onclick}>
                <svg class="icon" viewBox="0 0 16 16" aria-hidden="true"><path d={icon} fill-rule="evenodd"/></svg>
            </button>
        </header>
    }
}
