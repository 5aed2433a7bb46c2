//! Stable sorting by time, with one copy of the sort in the playground.
//!
//! Every `sort_by` with its own closure is a separate instance of the standard
//! library's driftsort, about 3 KB of wasm each; five of them were 5 % of the
//! playground's download. Here the callers' keys are sorted by one
//! non-generic function and the items are then moved into that order.

/// Sorts `items` stably by `key`: a time in milliseconds (compared with
/// `f64::total_cmp`), then a tie-breaker.
pub fn sort_by_time<T>(items: &mut Vec<T>, key: impl Fn(&T) -> (f64, usize)) {
    let keys: Vec<(f64, usize)> = items.iter().map(key).collect();
    let order = stable_order(&keys);
    let mut slots: Vec<Option<T>> = items.drain(..).map(Some).collect();
    let sorted: Vec<Option<T>> = order.iter().map(|&i| slots[i].take()).collect();
    items.extend(sorted.into_iter().flatten());
}

/// The indices of `keys` in ascending order, equal keys in their original order.
#[inline(never)]
fn stable_order(keys: &[(f64, usize)]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..keys.len()).collect();
    order.sort_by(|&a, &b| {
        keys[a]
            .0
            .total_cmp(&keys[b].0)
            .then(keys[a].1.cmp(&keys[b].1))
    });
    order
}

#[cfg(test)]
mod tests {
    use super::sort_by_time;
    use proptest::prelude::*;

    #[test]
    fn by_time_then_tie_breaker_keeping_equal_items_in_order() {
        let mut v = vec![
            (3.0, 1, 'a'),
            (1.0, 1, 'b'),
            (3.0, 0, 'c'),
            (1.0, 1, 'd'),
            (-0.5, 9, 'e'),
        ];
        sort_by_time(&mut v, |x| (x.0, x.1));
        let got: String = v.iter().map(|x| x.2).collect();
        assert_eq!(got, "ebdca");
    }

    proptest! {
        /// Same result as the standard library's stable sort with the same order.
        #[test]
        fn equals_std_stable_sort(items in proptest::collection::vec((0u8..20, 0usize..3, any::<u32>()), 0..200)) {
            let mut ours: Vec<(f64, usize, u32)> =
                items.iter().map(|&(t, k, x)| (f64::from(t) / 4.0, k, x)).collect();
            let mut std_sorted = ours.clone();
            std_sorted.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            sort_by_time(&mut ours, |x| (x.0, x.1));
            prop_assert_eq!(ours, std_sorted);
        }
    }
}
