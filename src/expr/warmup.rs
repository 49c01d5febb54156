//! Warm-up derived from an expression: how many bars before a bar every
//! node needs for its value there to be final. Needs add up along the
//! nesting: `lag(x, n)` needs x's need plus n, `highest`/`lowest` plus n-1,
//! `cross_*` plus 1 (the previous bar), `within n` plus n-1, an indicator
//! its registry warm-up ([`indicators::warmup`]) plus its input's need.
//! Elementwise operators need the larger of their operands'. A cumulative
//! indicator anywhere makes the whole expression need the full history.

use super::program::{Node, Op};
use crate::indicators::{self, Warmup};

/// `w` plus `n` more bars.
fn plus(w: Warmup, n: usize) -> Warmup {
    match w {
        Warmup::Bars(b) => Warmup::Bars(b.saturating_add(n)),
        Warmup::FullHistory => Warmup::FullHistory,
    }
}

fn sum(a: Warmup, b: Warmup) -> Warmup {
    match b {
        Warmup::Bars(n) => plus(a, n),
        Warmup::FullHistory => Warmup::FullHistory,
    }
}

/// The need of every node; children precede parents, so one forward pass.
pub(super) fn node_warmups(nodes: &[Node], intraday: bool) -> Vec<Warmup> {
    let mut need: Vec<Warmup> = Vec::with_capacity(nodes.len());
    for node in nodes {
        let w = match &node.op {
            Op::Const(_) | Op::Column(_) => Warmup::Bars(0),
            Op::Neg(a) | Op::Not(a) | Op::Abs(a) => need[*a],
            Op::Binary(_, a, b) | Op::Min(a, b) | Op::Max(a, b) => need[*a].max(need[*b]),
            Op::Lag(a, n) => plus(need[*a], *n),
            Op::Highest(a, n) | Op::Lowest(a, n) | Op::Within(a, n) => {
                plus(need[*a], n.saturating_sub(1))
            }
            Op::CrossAbove(a, b) | Op::CrossBelow(a, b) => plus(need[*a].max(need[*b]), 1),
            Op::Indicator {
                spec,
                params,
                input,
            } => {
                let own = indicators::warmup(spec, params, intraday);
                input.map_or(own, |i| sum(own, need[i]))
            }
            Op::Output { call, .. } => need[*call],
        };
        need.push(w);
    }
    need
}
