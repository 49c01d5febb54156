//! The syntax tree the parser builds: names are still plain text; the
//! resolver checks them against the registry and the built-ins.

/// One node of the tree, with the 1-based column where its text starts and
/// its depth (a leaf is 1), which the parser keeps under the limit.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Ast {
    pub node: AstKind,
    pub pos: usize,
    pub depth: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub(super) enum AstKind {
    Number(f64),
    /// A bare name: a price column, or an indicator with its defaults (`vwap`).
    Name(String),
    Call {
        name: String,
        args: Vec<Arg>,
    },
    /// `base.field`: one output of a multi-output indicator.
    Select {
        base: Box<Ast>,
        field: String,
        field_pos: usize,
    },
    Neg(Box<Ast>),
    Not(Box<Ast>),
    Binary {
        op: BinOp,
        op_pos: usize,
        lhs: Box<Ast>,
        rhs: Box<Ast>,
    },
    /// `cond within n`.
    Within {
        cond: Box<Ast>,
        word_pos: usize,
        bars: f64,
        bars_pos: usize,
    },
}

/// A call argument: positional, or `keyword = value`.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Arg {
    pub keyword: Option<String>,
    pub value: Ast,
    /// Column of the keyword, or of the value for a positional argument.
    pub pos: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
    And,
    Or,
}

impl BinOp {
    pub(super) fn symbol(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::And => "and",
            BinOp::Or => "or",
        }
    }

    pub(super) fn is_comparison(self) -> bool {
        matches!(
            self,
            BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge | BinOp::Eq | BinOp::Ne
        )
    }

    pub(super) fn is_logic(self) -> bool {
        matches!(self, BinOp::And | BinOp::Or)
    }

    /// The printing and parsing level (higher binds tighter); see [`Prec`].
    pub(super) fn prec(self) -> Prec {
        match self {
            BinOp::Or => Prec::Or,
            BinOp::And => Prec::And,
            BinOp::Add | BinOp::Sub => Prec::Add,
            BinOp::Mul | BinOp::Div => Prec::Mul,
            _ => Prec::Compare,
        }
    }
}

/// Precedence levels, loosest first: `or`, `and`, `not`, `within`,
/// comparisons, `+ -`, `* /`, unary minus, then atoms (numbers, names,
/// calls, `.output`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Prec {
    Or,
    And,
    Not,
    Within,
    Compare,
    Add,
    Mul,
    Neg,
    Atom,
}
