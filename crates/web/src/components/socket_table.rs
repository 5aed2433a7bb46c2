use crate::state::Sim;
use yew::prelude::*;

/// What `ss -tan` would print on each host at this moment.
pub fn socket_table(sim: &Sim, time_ms: f64) -> Html {
    let rows = farewell_diagram::ss_table_at(&sim.trace, time_ms);
    html! {
        <section class="panel ss-panel" aria-labelledby="ss-title">
            <h2 id="ss-title" class="panel-title">{ "ss -tan" }</h2>
            <div class="ss-wrap" role="region" aria-label="ss -tan output" tabindex="0">
                <table class="ss-table" data-testid="ss-table">
                    <thead>
                        <tr>
                            <th scope="col">{ "Host" }</th>
                            <th scope="col">{ "State" }</th>
                            <th scope="col">{ "Recv-Q" }</th>
                            <th scope="col">{ "Send-Q" }</th>
                            <th scope="col">{ "Local" }</th>
                            <th scope="col">{ "Peer" }</th>
                        </tr>
                    </thead>
                    <tbody>
                        { for rows.iter().map(|r| html! {
                            <tr class={format!("host-{}", r.host.name().to_ascii_lowercase())}>
                                <td>{ r.host.name() }</td>
                                <td>{ r.state }</td>
                                <td>{ r.recv_q }</td>
                                <td>{ r.send_q }</td>
                                <td>{ &r.local }</td>
                                <td>{ &r.peer }</td>
                            </tr>
                        }) }
                    </tbody>
                </table>
            </div>
        </section>
    }
}
