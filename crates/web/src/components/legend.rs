use yew::prelude::*;

/// What the marks on the diagram mean.
pub fn legend() -> Html {
    html! {
        <ul class="legend" aria-label="Legend">
            <li><svg aria-hidden="true"><line class="l-seg" x1="0" y1="5" x2="26" y2="5"/></svg>{ "segment" }</li>
            <li><svg aria-hidden="true"><line class="l-fin" x1="0" y1="5" x2="26" y2="5"/></svg>{ "FIN" }</li>
            <li><svg aria-hidden="true"><line class="l-retx" x1="0" y1="5" x2="26" y2="5"/></svg>{ "retransmission" }</li>
            <li>
                <svg aria-hidden="true">
                    <line class="l-drop" x1="0" y1="5" x2="18" y2="5"/>
                    <path class="l-cross" d="M17 1 l8 8 m0 -8 l-8 8"/>
                </svg>
                { "dropped" }
            </li>
            <li><svg aria-hidden="true"><rect class="l-tw" x="8" y="0" width="10" height="10" rx="2"/></svg>{ "TIME_WAIT" }</li>
            <li><svg aria-hidden="true"><circle class="l-dot" cx="13" cy="5" r="4.5"/></svg>{ "packet in flight" }</li>
        </ul>
    }
}
