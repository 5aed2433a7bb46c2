//! The link format as course authors use it: hand-written links, short links
//! for built-ins, and round trips.

use farewell_engine::{builtin, Action, Do, DropRule, Host, Platform, SegmentKind};
use farewell_share::{decode, encode, Controls, Embed, Fragment, Speed};

fn lost_final_ack() -> Fragment {
    Fragment::from_builtin("lost-final-ack").unwrap()
}

#[test]
fn every_unedited_builtin_is_just_its_id() {
    for id in builtin::ids() {
        let f = Fragment::from_builtin(id).unwrap();
        let link = encode(&f);
        assert_eq!(link, format!("s={id}"));
        assert_eq!(decode(&link).unwrap(), f);
        assert_eq!(decode(&format!("#{link}")).unwrap(), f);
    }
}

#[test]
fn empty_fragment_is_the_default_builtin() {
    let default = Fragment::from_builtin(builtin::DEFAULT).unwrap();
    assert_eq!(decode("").unwrap(), default);
    assert_eq!(decode("#").unwrap(), default);
    assert_eq!(Fragment::default(), default);
}

#[test]
fn hand_written_link_from_the_brief() {
    let f = decode(
        "#s=lost-final-ack&p=windows&msl=30000&d=20&loss=0.05&seed=7\
         &drop=A:ANY:220:1:1,B:FIN:0:1:2&t=1234.5&v=skip",
    )
    .unwrap();
    assert_eq!(f.builtin.as_deref(), Some("lost-final-ack"));
    let s = &f.scenario;
    assert_eq!(s.platform, Platform::Windows);
    assert_eq!(s.msl_ms, Some(30000.0));
    assert_eq!(s.link.delay_ms, 20.0);
    assert_eq!(s.link.loss, 0.05);
    assert_eq!(s.seed, 7);
    assert_eq!(
        s.drops,
        vec![
            DropRule {
                from: Host::A,
                kind: SegmentKind::Any,
                after_ms: 220.0,
                nth: 1,
                count: 1
            },
            DropRule {
                from: Host::B,
                kind: SegmentKind::Fin,
                after_ms: 0.0,
                nth: 1,
                count: 2
            },
        ]
    );
    // Everything else is the built-in's.
    let base = builtin::get("lost-final-ack").unwrap();
    assert_eq!(s.actions, base.actions);
    assert_eq!(s.tunables, base.tunables);
    assert_eq!(f.time_ms, 1234.5);
    assert_eq!(f.speed, Some(Speed::SkipWaits));
    assert_eq!(f.embed, Embed::default());
    // Re-encoded, the values equal to the built-in's are left out.
    assert_eq!(
        encode(&f),
        "s=lost-final-ack&p=windows&loss=0.05&seed=7&drop=A:ANY:220,B:FIN:0:1:2&t=1234.5&v=skip"
    );
}

#[test]
fn platform_alone_means_the_default_builtin_on_that_platform() {
    let f = decode("p=macos").unwrap();
    assert_eq!(f.builtin.as_deref(), Some(builtin::DEFAULT));
    assert_eq!(f.scenario.platform, Platform::Macos);
    assert_eq!(encode(&f), format!("s={}&p=macos", builtin::DEFAULT));
}

#[test]
fn msl_platform_removes_the_builtins_override() {
    let f = decode("s=lost-final-ack&msl=platform").unwrap();
    assert_eq!(f.scenario.msl_ms, None);
    assert_eq!(encode(&f), "s=lost-final-ack&msl=platform");
}

#[test]
fn empty_drop_clears_the_builtins_rules() {
    let f = decode("s=lost-fin&drop=").unwrap();
    assert!(f.scenario.drops.is_empty());
    assert_eq!(encode(&f), "s=lost-fin&drop=");
}

#[test]
fn embed_parameters() {
    let f = decode("s=lost-fin&embed=1&controls=minimal&autoplay").unwrap();
    assert_eq!(
        f.embed,
        Embed {
            enabled: true,
            controls: Controls::Minimal,
            autoplay: true
        }
    );
    assert_eq!(encode(&f), "s=lost-fin&embed=1&controls=minimal&autoplay=1");
    assert_eq!(
        decode("controls=none").unwrap().embed.controls,
        Controls::None
    );
    assert_eq!(decode("embed=0").unwrap().embed, Embed::default());
}

#[test]
fn unknown_keys_are_ignored() {
    let f = decode("s=lost-fin&utm_source=newsletter&future_key=%ZZ&x").unwrap();
    assert_eq!(f, Fragment::from_builtin("lost-fin").unwrap());
}

#[test]
fn values_are_read_in_either_case() {
    let f = decode(
        "s=Lost-Final-ACK&p=Windows&msl=PLATFORM&v=Skip&controls=None&embed=TRUE&drop=a:fin",
    )
    .unwrap();
    assert_eq!(f.builtin.as_deref(), Some("lost-final-ack"));
    assert_eq!(f.scenario.platform, Platform::Windows);
    assert_eq!(f.scenario.msl_ms, None);
    assert_eq!(f.speed, Some(Speed::SkipWaits));
    assert_eq!(f.embed.controls, Controls::None);
    assert!(f.embed.enabled);
    // Written back in the canonical spelling.
    assert_eq!(
        encode(&f),
        "s=lost-final-ack&p=windows&msl=platform&drop=A:FIN&v=skip&embed=1&controls=none"
    );
}

#[test]
fn ignored_keys_are_listed_for_the_author() {
    let link = "#s=lost-fin&platform=windows&utm_source=mail";
    assert_eq!(
        decode(link).unwrap(),
        Fragment::from_builtin("lost-fin").unwrap()
    );
    assert_eq!(
        farewell_share::ignored_keys(link),
        ["platform", "utm_source"]
    );
}

#[test]
fn percent_encoded_values_are_decoded() {
    let f = decode("s=lost%2Dfin&drop=A%3AFIN%2CB%3AACK").unwrap();
    assert_eq!(f.builtin.as_deref(), Some("lost-fin"));
    assert_eq!(f.scenario.drops.len(), 2);
}

#[test]
fn edited_builtin_with_two_drops_is_short() {
    let mut f = lost_final_ack();
    f.scenario.platform = Platform::Freebsd;
    f.scenario.drops = vec![
        DropRule {
            from: Host::A,
            kind: SegmentKind::Any,
            after_ms: 220.0,
            nth: 1,
            count: 1,
        },
        DropRule {
            from: Host::B,
            kind: SegmentKind::Any,
            after_ms: 240.0,
            nth: 2,
            count: 1,
        },
    ];
    f.time_ms = 31234.5;
    f.speed = Some(Speed::X10);
    let link = encode(&f);
    assert!(link.len() < 120, "{} chars: {link}", link.len());
    assert_eq!(decode(&link).unwrap(), f);
}

#[test]
fn edited_actions_travel_in_c_next_to_the_builtin_id() {
    let mut f = lost_final_ack();
    f.scenario.actions.push(Action {
        at_ms: Some(5000.0),
        after_eof_ms: None,
        host: Host::A,
        what: Do::Connect,
        bytes: None,
    });
    f.scenario.hosts.b.listen = Some(true);
    f.scenario.platform = Platform::Solaris;
    let link = encode(&f);
    assert!(link.starts_with("s=lost-final-ack&c="), "{link}");
    assert!(link.ends_with("&p=solaris"), "{link}");
    assert_eq!(decode(&link).unwrap(), f);
}

#[test]
fn custom_scenario_without_builtin() {
    let mut f = Fragment::from_builtin("half-close").unwrap();
    f.builtin = None;
    let link = encode(&f);
    assert!(link.starts_with("c="), "{link}");
    assert_eq!(decode(&link).unwrap(), f);
    // An unknown built-in id cannot be linked: the scenario travels whole.
    f.builtin = Some("no-such-builtin".into());
    let back = decode(&encode(&f)).unwrap();
    assert_eq!(back.builtin, None);
    assert_eq!(back.scenario, f.scenario);
}

#[test]
fn params_override_a_custom_scenario() {
    let mut f = Fragment::from_builtin("half-close").unwrap();
    f.builtin = None;
    let link = format!("{}&p=rfc793&d=5", encode(&f));
    let back = decode(&link).unwrap();
    assert_eq!(back.scenario.platform, Platform::Rfc793);
    assert_eq!(back.scenario.link.delay_ms, 5.0);
    assert_eq!(back.scenario.actions, f.scenario.actions);
}

/// A link made outside the app, as the crate docs describe: the half-close
/// built-in's file with `"platform": "windows"`, compact JSON deflated by
/// Python's `zlib.compressobj(9, 8, -15)` (dynamic Huffman codes, unlike
/// `encode`'s fixed ones) and base64url'd without padding.
#[test]
fn link_deflated_by_other_tools() {
    let link = "c=zhZBPTwJBDMW_SjMnSJAs-OeAp8VoIEYPiuFAzGbc7boTZmdwWtwQwne3sxKRBONtpv29tu9tldM1qpGaaFue5dYTQmO4gkKzVj1VIOXBrNh4J1AKhK4gMEwQ8GONxKBdAVStpVL4xrWtCBn3DmQKhE5sxlbnefIyy-ZP3W4fxrBEXB3IqNKOGgzXIEvYWCsLcjSfSO2G9OY-roUy-Brupo_ZPJ3OsmGcxBU6aC_fo4COMRDMpg-3LdcXIyurufShFheNcXIPSdEat1Sjrbi0epPVpEbDZNdTOo9-5bfYKs1tPempyhPHDGIqXh7xdnm_bRgFGCSi_MEvT_H7HLImGEb1ix4mB3x8evx5cjT_4n_F4FhxdUrRpvZ9SSmRZejLv9zu0dfdFw";
    let f = decode(link).unwrap();
    let mut expected = builtin::get("half-close").unwrap();
    expected.platform = Platform::Windows;
    // The link was made from the file before it said `"timestamps": false`.
    expected.tunables.timestamps = None;
    assert_eq!(f.builtin, None);
    assert_eq!(f.scenario, expected);
}

#[test]
fn fit_mode_travels_in_the_link() {
    let mut f = farewell_share::Fragment::from_builtin("lost-fin").unwrap();
    f.fit = true;
    let text = farewell_share::encode(&f);
    assert_eq!(text, "s=lost-fin&fit=1");
    assert!(farewell_share::decode(&text).unwrap().fit);
    assert!(
        farewell_share::decode("s=lost-fin&fit").unwrap().fit,
        "a bare flag means 1"
    );
    assert!(!farewell_share::decode("s=lost-fin").unwrap().fit);
    let e = farewell_share::decode("s=lost-fin&fit=maybe").unwrap_err();
    assert_eq!(e.key, "fit");
}
