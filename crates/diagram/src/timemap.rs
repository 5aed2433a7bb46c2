//! The vertical time axis: a monotone, piecewise-linear map between simulated
//! time (ms) and diagram y (px).
//!
//! Quick exchanges are drawn to scale (one link delay ≈ one hop height), while a
//! long idle stretch (a 60 s TIME_WAIT, a 240 s Windows one, an RTO backing off)
//! is compressed logarithmically, so the whole story fits and the longest wait
//! still looks the longest. The view marks compressed stretches with an axis
//! break; playback still advances in real simulated seconds.

/// Knots `(t_ms, y)`, strictly increasing in both coordinates.
#[derive(Clone, Debug, PartialEq)]
pub struct TimeMap {
    knots: Vec<(f64, f64)>,
    /// px per ms outside the knots (and in every stretch drawn to scale).
    scale: f64,
}

/// Height of one link delay when drawn to scale.
pub const HOP_PX: f64 = 64.0;
/// A gap taller than this (drawn to scale) is compressed.
pub const LINEAR_MAX_PX: f64 = 2.5 * HOP_PX;
/// How fast a compressed gap still grows: `LINEAR_MAX_PX + K · ln(px / LINEAR_MAX_PX)`.
const LOG_GROWTH_PX: f64 = 24.0;
/// Instants closer than this are pulled apart so labels stay legible.
pub const MIN_GAP_PX: f64 = 6.0;

/// A stretch of the axis drawn shorter than its real length.
#[derive(Clone, Debug, PartialEq)]
pub struct Compressed {
    pub t0: f64,
    pub t1: f64,
    pub y0: f64,
    pub y1: f64,
}

impl TimeMap {
    /// Builds the map through `instants` (any order, duplicates allowed; ms ≥ 0),
    /// starting at `y0` for t = 0, with one link delay `delay_ms` drawn
    /// [`HOP_PX`] tall. Returns the map and its compressed stretches.
    pub fn build(instants: &[f64], delay_ms: f64, y0: f64) -> (TimeMap, Vec<Compressed>) {
        let delay = if delay_ms.is_finite() && delay_ms > 0.0 {
            delay_ms
        } else {
            20.0
        };
        let scale = HOP_PX / delay;
        let mut ts: Vec<f64> = instants
            .iter()
            .copied()
            .filter(|t| t.is_finite() && *t >= 0.0)
            .chain([0.0])
            .collect();
        crate::order::sort_by_time(&mut ts, |t| (*t, 0));
        ts.dedup();
        let mut knots = Vec::with_capacity(ts.len());
        let mut compressed = Vec::new();
        let mut y = y0;
        let mut prev: Option<f64> = None;
        for t in ts {
            if let Some(p) = prev {
                let px = (t - p) * scale;
                let h = if px > LINEAR_MAX_PX {
                    let h = LINEAR_MAX_PX + LOG_GROWTH_PX * (px / LINEAR_MAX_PX).ln();
                    compressed.push(Compressed {
                        t0: p,
                        t1: t,
                        y0: y,
                        y1: y + h,
                    });
                    h
                } else {
                    px.max(MIN_GAP_PX)
                };
                y += h;
            }
            knots.push((t, y));
            prev = Some(t);
        }
        (TimeMap { knots, scale }, compressed)
    }

    /// y of simulated time `t_ms` (extrapolated to scale beyond the knots).
    pub fn y_of(&self, t_ms: f64) -> f64 {
        let k = &self.knots;
        let (t0, y0) = k[0];
        let t_ms = if t_ms.is_nan() { t0 } else { t_ms };
        if t_ms <= t0 {
            return y0 - (t0 - t_ms) * self.scale;
        }
        let i = k.partition_point(|&(t, _)| t <= t_ms);
        if i == k.len() {
            let (tn, yn) = k[k.len() - 1];
            return yn + (t_ms - tn) * self.scale;
        }
        let ((ta, ya), (tb, yb)) = (k[i - 1], k[i]);
        ya + (t_ms - ta) / (tb - ta) * (yb - ya)
    }

    /// Simulated time at diagram height `y` (the inverse of [`TimeMap::y_of`]).
    pub fn t_of(&self, y: f64) -> f64 {
        let k = &self.knots;
        let (t0, y0) = k[0];
        let y = if y.is_nan() { y0 } else { y };
        if y <= y0 {
            return t0 - (y0 - y) / self.scale;
        }
        let i = k.partition_point(|&(_, ky)| ky <= y);
        if i == k.len() {
            let (tn, yn) = k[k.len() - 1];
            return tn + (y - yn) / self.scale;
        }
        let ((ta, ya), (tb, yb)) = (k[i - 1], k[i]);
        ta + (y - ya) / (yb - ya) * (tb - ta)
    }

    /// px per ms where the axis is drawn to scale.
    pub fn scale(&self) -> f64 {
        self.scale
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quick_exchange_is_to_scale_and_long_wait_is_compressed() {
        // 20 ms hops, then a 60 s TIME_WAIT.
        let (map, breaks) = TimeMap::build(&[0.0, 20.0, 40.0, 60_040.0], 20.0, 100.0);
        assert_eq!(map.y_of(0.0), 100.0);
        assert_eq!(map.y_of(20.0), 100.0 + HOP_PX);
        assert_eq!(map.y_of(10.0), 100.0 + HOP_PX / 2.0);
        assert_eq!(breaks.len(), 1);
        assert_eq!((breaks[0].t0, breaks[0].t1), (40.0, 60_040.0));
        let tw = map.y_of(60_040.0) - map.y_of(40.0);
        assert!(tw > LINEAR_MAX_PX && tw < 400.0, "60 s drawn {tw} px tall");
    }

    #[test]
    fn longer_waits_are_drawn_longer() {
        let (m60, _) = TimeMap::build(&[0.0, 60_000.0], 20.0, 0.0);
        let (m240, _) = TimeMap::build(&[0.0, 240_000.0], 20.0, 0.0);
        assert!(m240.y_of(240_000.0) > m60.y_of(60_000.0) + 10.0);
    }

    #[test]
    fn t_of_inverts_y_of() {
        let (map, _) = TimeMap::build(&[0.0, 0.5, 20.0, 220.0, 60_000.0], 20.0, 50.0);
        for t in [
            0.0, 0.25, 0.5, 7.0, 20.0, 100.0, 220.0, 3000.0, 60_000.0, 61_000.0,
        ] {
            let back = map.t_of(map.y_of(t));
            assert!((back - t).abs() < 1e-6 * t.max(1.0), "{t} -> {back}");
        }
        assert!(map.t_of(0.0) < 0.0, "above the start is before t = 0");
    }

    #[test]
    fn nearly_simultaneous_instants_are_pulled_apart() {
        let (map, _) = TimeMap::build(&[0.0, 0.001], 20.0, 0.0);
        assert_eq!(map.y_of(0.001), MIN_GAP_PX);
    }
}
