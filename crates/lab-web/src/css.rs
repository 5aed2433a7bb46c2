//! A small CSS minifier for the stylesheets the lab's module carries (they
//! are text in the wasm, which trunk's CSS minifier never sees): comments
//! dropped, whitespace collapsed, and the spaces around `{ } ; , >` and after
//! `:` left out, with `;}` written `}`. Quoted strings are kept as they are.
//! [`used`] keeps only the rules the lab's markup can match (the lab carries
//! the playground's whole stylesheet, most of which styles the playground's
//! own panels). Used by `build.rs`, and tested here.

/// The class names in a selector (`.name`).
fn classes(selector: &str) -> impl Iterator<Item = &str> {
    selector.split('.').skip(1).map(|rest| {
        let end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
            .unwrap_or(rest.len());
        &rest[..end]
    })
}

/// The end of the block that starts after `{` at `from` (the index just past
/// its `}`), skipping quoted strings.
fn block_end(css: &str, from: usize) -> usize {
    let b = css.as_bytes();
    let (mut depth, mut i, mut quote) = (1, from, None);
    while i < b.len() && depth > 0 {
        match (quote, b[i]) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), b'\\') => i += 1,
            (Some(_), _) => {}
            (None, c @ (b'"' | b'\'')) => quote = Some(c),
            (None, b'{') => depth += 1,
            (None, b'}') => depth -= 1,
            _ => {}
        }
        i += 1;
    }
    i
}

/// The rules of minified `css` that the page can match: a rule is kept when
/// one of its selectors names only classes for which `is_used` is true
/// (selectors without classes always are); `@media` and `@supports` blocks
/// keep their used rules, or go when none is left; other at-rules are kept.
pub fn used(css: &str, is_used: &dyn Fn(&str) -> bool) -> String {
    let mut out = String::new();
    let mut i = 0;
    while let Some(open) = css[i..].find('{').map(|o| i + o) {
        let prelude = &css[i..open];
        let end = block_end(css, open + 1);
        let body = &css[open + 1..end.saturating_sub(1).max(open + 1)];
        if prelude.starts_with("@media") || prelude.starts_with("@supports") {
            let inner = used(body, is_used);
            if !inner.is_empty() {
                out.push_str(&format!("{prelude}{{{inner}}}"));
            }
        } else if prelude.starts_with('@')
            || prelude
                .split(',')
                .any(|selector| classes(selector).all(is_used))
        {
            out.push_str(&css[i..end]);
        }
        i = end;
    }
    out
}

/// Minified `css` without the custom properties (`--name: value`) that no
/// `var(--name)` in it reads and that `sources` (the markup's sources, which
/// may read or set one inline) never name.
pub fn without_unread_properties(css: &str, sources: &str) -> String {
    let read = |name: &str| css.contains(&format!("var({name}")) || sources.contains(name);
    let mut out = String::with_capacity(css.len());
    let mut rest = css;
    while let Some(at) = rest.find("--") {
        // A declaration starts after `{` or `;`; anything else (`var(--x`) is kept.
        let starts_declaration = at > 0 && matches!(rest.as_bytes()[at - 1], b'{' | b';');
        let end = rest[at..].find([';', '}']).map_or(rest.len(), |e| at + e);
        let name = rest[at..end].split(':').next().unwrap_or("");
        if starts_declaration && !read(name) {
            out.push_str(&rest[..at]);
            // Drop the declaration and its `;`, or the `;` before a final one.
            match rest.as_bytes().get(end) {
                Some(b';') => rest = &rest[end + 1..],
                _ => {
                    if out.ends_with(';') {
                        out.pop();
                    }
                    rest = &rest[end..];
                }
            }
        } else {
            out.push_str(&rest[..at + 2]);
            rest = &rest[at + 2..];
        }
    }
    out.push_str(rest);
    out
}

/// `css` without its comments and needless whitespace.
pub fn minify(css: &str) -> String {
    let mut out = String::with_capacity(css.len());
    let mut chars = css.chars().peekable();
    let mut space = false;
    let tight = |c: char| matches!(c, '{' | '}' | ';' | ',' | '>' | ':');
    while let Some(c) = chars.next() {
        match c {
            '/' if chars.peek() == Some(&'*') => {
                chars.next();
                let mut last = ' ';
                for d in chars.by_ref() {
                    if last == '*' && d == '/' {
                        break;
                    }
                    last = d;
                }
                space = true;
            }
            '"' | '\'' => {
                if space && !out.ends_with(tight) && !out.is_empty() {
                    out.push(' ');
                }
                space = false;
                out.push(c);
                while let Some(d) = chars.next() {
                    out.push(d);
                    if d == '\\' {
                        if let Some(e) = chars.next() {
                            out.push(e);
                        }
                    } else if d == c {
                        break;
                    }
                }
            }
            c if c.is_whitespace() => space = true,
            c => {
                if tight(c) && c != ':' {
                    // No space before it; `;}` is `}`.
                    if c == '}' && out.ends_with(';') {
                        out.pop();
                    }
                } else if space && !out.is_empty() && !out.ends_with(tight) {
                    out.push(' ');
                }
                space = false;
                out.push(c);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{minify, used, without_unread_properties};

    #[test]
    fn custom_properties_nobody_reads_go() {
        let css = ":root{--a:1;--b:light-dark(#fff,#000);--c:2}.x{color:var(--a);--d:3}";
        assert_eq!(
            without_unread_properties(css, "style=\"--c:5\""),
            ":root{--a:1;--c:2}.x{color:var(--a)}"
        );
        assert_eq!(without_unread_properties(":root{--b:1}", ""), ":root{}");
        let all = ":root{--a:1}.x{y:var(--a)}";
        assert_eq!(without_unread_properties(all, ""), all);
    }

    #[test]
    fn comments_and_spaces_go_and_the_rules_stay() {
        assert_eq!(
            minify("/* a */\n.a  .b > c ,\n d:hover {\n  color: red;\n  margin: 0 auto ;\n}\n"),
            ".a .b>c,d:hover{color:red;margin:0 auto}"
        );
        // Strings are kept; spaces inside values that need them are kept.
        assert_eq!(
            minify(r#".x::before { content: "▸ a  b"; width: calc(100% - 2px); }"#),
            r#".x::before{content:"▸ a  b";width:calc(100% - 2px)}"#
        );
        assert_eq!(
            minify("@media (max-width: 700px) { .a { b: c } }"),
            "@media (max-width:700px){.a{b:c}}"
        );
        assert_eq!(minify("a{b:'x;}' }"), "a{b:'x;}'}");
    }

    #[test]
    fn only_rules_for_used_classes_are_kept() {
        let css = minify(
            ".a,.b .c{x:1}.d{x:2}p{x:3}.a:hover{x:4}@media (max-width:9px){.d{x:5}.a>.b{x:6}}@media print{.d{x:7}}@keyframes k{0%{x:8}}.e[title='{']{x:9}",
        );
        let is_used = |c: &str| matches!(c, "a" | "b");
        assert_eq!(
            used(&css, &is_used),
            ".a,.b .c{x:1}p{x:3}.a:hover{x:4}@media (max-width:9px){.a>.b{x:6}}@keyframes k{0%{x:8}}"
        );
        let all = |_: &str| true;
        assert_eq!(used(&css, &all), css);
    }

    #[test]
    fn the_lab_stylesheets_keep_every_rule() {
        // The same selectors, in order, before and after.
        for css in [
            include_str!("../../../web/style.css"),
            include_str!("lab.css"),
            include_str!("../../lab-view/src/chart.css"),
            include_str!("../../diagram/src/palette.css"),
        ] {
            let m = minify(css);
            let braces = |s: &str| s.matches('{').count() + s.matches('}').count();
            assert_eq!(braces(&m), braces(&minify(&m)));
            assert_eq!(m, minify(&m), "minifying twice changes nothing");
            assert!(m.len() < css.len() * 9 / 10);
            let plain: String = css
                .split("/*")
                .enumerate()
                .map(|(i, part)| {
                    if i == 0 {
                        part
                    } else {
                        part.split_once("*/").map_or("", |p| p.1)
                    }
                })
                .collect();
            let words = |s: &str| {
                s.split(|c: char| !(c.is_alphanumeric() || c == '-' || c == '_'))
                    .filter(|w| !w.is_empty())
                    .map(str::to_string)
                    .collect::<Vec<_>>()
            };
            assert_eq!(words(&m), words(&plain));
        }
    }
}
