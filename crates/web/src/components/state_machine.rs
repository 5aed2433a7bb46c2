use farewell_engine::{Host, TcpState};
use yew::prelude::*;

pub struct StateMachineProps {
    pub a: TcpState,
    pub b: TcpState,
}

/// Box centres of the close part of RFC 9293 Figure 5 ("TCP Connection State
/// Diagram"), laid out as the RFC draws it: the active closer goes down the left,
/// the passive closer down the right.
const NODES: [(TcpState, f64, f64); 8] = [
    (TcpState::Established, 150.0, 18.0),
    (TcpState::FinWait1, 78.0, 74.0),
    (TcpState::CloseWait, 238.0, 74.0),
    (TcpState::FinWait2, 46.0, 134.0),
    (TcpState::Closing, 144.0, 134.0),
    (TcpState::LastAck, 238.0, 134.0),
    (TcpState::TimeWait, 78.0, 194.0),
    (TcpState::Closed, 160.0, 250.0),
];

const W: f64 = 84.0;
const H: f64 = 22.0;

/// Edges with the RFC's event/action labels and where to write them.
const EDGES: [(TcpState, TcpState, &str, f64, f64); 10] = [
    (
        TcpState::Established,
        TcpState::FinWait1,
        "close / FIN",
        84.0,
        44.0,
    ),
    (
        TcpState::Established,
        TcpState::CloseWait,
        "rcv FIN / ACK",
        214.0,
        44.0,
    ),
    (
        TcpState::FinWait1,
        TcpState::FinWait2,
        "rcv ACK",
        28.0,
        104.0,
    ),
    (
        TcpState::FinWait1,
        TcpState::Closing,
        "rcv FIN / ACK",
        142.0,
        104.0,
    ),
    (
        TcpState::CloseWait,
        TcpState::LastAck,
        "close / FIN",
        244.0,
        104.0,
    ),
    (
        TcpState::FinWait2,
        TcpState::TimeWait,
        "rcv FIN / ACK",
        30.0,
        166.0,
    ),
    (
        TcpState::Closing,
        TcpState::TimeWait,
        "rcv ACK",
        134.0,
        166.0,
    ),
    (TcpState::FinWait1, TcpState::TimeWait, "", 0.0, 0.0),
    (
        TcpState::TimeWait,
        TcpState::Closed,
        "2MSL timeout",
        98.0,
        228.0,
    ),
    (TcpState::LastAck, TcpState::Closed, "rcv ACK", 232.0, 196.0),
];

fn centre(s: TcpState) -> Option<(f64, f64)> {
    NODES.iter().find(|n| n.0 == s).map(|n| (n.1, n.2))
}

/// Where the segment from box `a` to box `b` leaves and enters (box edges, not centres).
fn edge_points(from: (f64, f64), to: (f64, f64)) -> (f64, f64, f64, f64) {
    let clip = |(x, y): (f64, f64), (dx, dy): (f64, f64)| {
        // Scale the direction so the point sits on the box outline.
        let sx = if dx == 0.0 {
            f64::INFINITY
        } else {
            (W / 2.0) / dx.abs()
        };
        let sy = if dy == 0.0 {
            f64::INFINITY
        } else {
            (H / 2.0) / dy.abs()
        };
        let s = sx.min(sy);
        (x + dx * s, y + dy * s)
    };
    let d = (to.0 - from.0, to.1 - from.1);
    let (x1, y1) = clip(from, d);
    let (x2, y2) = clip(to, (-d.0, -d.1));
    (x1, y1, x2, y2)
}

/// Both hosts' current state on the close part of RFC 9293's state diagram.
/// States outside it (LISTEN, SYN_SENT, SYN_RECEIVED) are named below the drawing.
pub fn state_machine(props: &StateMachineProps) -> Html {
    let host_state = [(Host::A, props.a), (Host::B, props.b)];
    let edges = EDGES.iter().map(|(from, to, label, lx, ly)| {
        let (Some(f), Some(t)) = (centre(*from), centre(*to)) else {
            return html! {};
        };
        let (x1, y1, x2, y2) = edge_points(f, t);
        html! {
            <g class="sm-edge">
                <line x1={farewell_num::Shortest(x1).to_string()} y1={farewell_num::Shortest(y1).to_string()} x2={farewell_num::Shortest(x2).to_string()} y2={farewell_num::Shortest(y2).to_string()}
                    marker-end="url(#sm-arrow)"/>
                if !label.is_empty() {
                    <text x={farewell_num::Shortest(*lx).to_string()} y={farewell_num::Shortest(*ly).to_string()} class="sm-label">{ *label }</text>
                }
            </g>
        }
    });
    let nodes = NODES.iter().map(|(s, x, y)| {
        let here: Vec<Host> = host_state
            .iter()
            .filter(|(_, st)| st == s)
            .map(|(h, _)| *h)
            .collect();
        let class = classes!(
            "sm-node",
            here.contains(&Host::A).then_some("host-a"),
            here.contains(&Host::B).then_some("host-b"),
        );
        let badges = here.iter().enumerate().map(|(i, h)| {
            let bx = x + W / 2.0 + 2.0 + 13.0 * i as f64;
            html! {
                <g class={classes!("sm-badge", format!("host-{}", h.name().to_ascii_lowercase()))}>
                    <circle cx={farewell_num::Shortest(bx + 5.0).to_string()} cy={farewell_num::Shortest(y - H / 2.0 + 1.0).to_string()} r="6.5"/>
                    <text x={farewell_num::Shortest(bx + 5.0).to_string()} y={farewell_num::Shortest(y - H / 2.0 + 4.5).to_string()}>{ h.name() }</text>
                </g>
            }
        });
        html! {
            <g {class} data-state={s.rfc_name()}>
                <rect x={farewell_num::Shortest(x - W / 2.0).to_string()} y={farewell_num::Shortest(y - H / 2.0).to_string()}
                    width={farewell_num::Shortest(W).to_string()} height={farewell_num::Shortest(H).to_string()} rx="6"/>
                <text x={farewell_num::Shortest(*x).to_string()} y={farewell_num::Shortest(y + 3.5).to_string()}>{ s.rfc_name() }</text>
                { for badges }
            </g>
        }
    });
    let outside: Vec<String> = host_state
        .iter()
        .filter(|(_, s)| centre(*s).is_none())
        .map(|(h, s)| format!("{h} is in {}", s.rfc_name()))
        .collect();
    let label = format!(
        "State diagram: A is in {}, B is in {}",
        props.a.rfc_name(),
        props.b.rfc_name()
    );
    html! {
        <section class="panel state-panel" aria-labelledby="sm-title">
            <h2 id="sm-title" class="panel-title">{ "States " }<span class="cite">{ "RFC 9293 Fig. 5" }</span></h2>
            <svg class="state-machine" viewBox="0 0 300 266" role="img" aria-label={label} data-testid="state-machine">
                <defs>
                    <marker id="sm-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse">
                        <path d="M0,0 L10,5 L0,10 z" class="sm-arrowhead"/>
                    </marker>
                </defs>
                { for edges }
                { for nodes }
            </svg>
            if !outside.is_empty() {
                <p class="hint">{ outside.join("; ") }{ " (opening the connection)" }</p>
            }
        </section>
    }
}
