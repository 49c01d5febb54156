//! Read-only SQL over the store, for people (`trading-mcp sql`) and agents
//! (the `query_market_db` tool).
//!
//! Each query gets its own connection, opened read-only (`SQLITE_OPEN_READONLY`,
//! what `mode=ro` means) with `PRAGMA query_only`, and runs on a blocking
//! thread. Four guards, each sound on its own:
//! - an authorizer (SQLite calls it for every action while compiling) that
//!   allows only reading tables, functions other than `load_extension`,
//!   recursive CTEs and introspection pragmas; everything else (writes,
//!   DDL, ATTACH, transactions, pragma changes) is denied with a message
//!   naming the action;
//! - `sqlite3_stmt_readonly` must agree the statement writes nothing;
//! - a progress handler interrupts the statement after the time limit;
//! - `SQLITE_LIMIT_LENGTH` caps any single value, so `randomblob(1e9)`
//!   fails instead of allocating a gigabyte; rows and output bytes are
//!   capped while reading.
//!
//! WAL lets it read while a server writes: the reader sees the last
//! committed state and never blocks the writer.

use std::cell::RefCell;
use std::ffi::{CStr, c_char, c_int, c_void};
use std::path::Path;
use std::ptr::NonNull;
use std::time::{Duration, Instant};

use libsqlite3_sys as ffi;
use serde::Serialize;

use super::ffi::{Connection, SqliteFailure, Statement, exec};

/// How much one query may take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueryLimits {
    /// Rows returned at most; more are reported as truncated.
    pub max_rows: usize,
    /// Approximate JSON size of the returned rows at most.
    pub max_bytes: usize,
    /// Wall time before the statement is interrupted.
    pub timeout: Duration,
    /// Largest single value (string or blob) SQLite may build, in bytes.
    pub max_value_bytes: usize,
    /// Longest SQL text accepted, in bytes.
    pub max_sql_bytes: usize,
}

impl QueryLimits {
    /// The `query_market_db` tool's default row limit.
    pub const DEFAULT_ROWS: usize = 200;
}

impl Default for QueryLimits {
    /// Sized for an agent's context: 200 rows, 256 KiB, 5 s, 1 MB values.
    fn default() -> Self {
        Self {
            max_rows: Self::DEFAULT_ROWS,
            max_bytes: 256 * 1024,
            timeout: Duration::from_secs(5),
            max_value_bytes: 1_000_000,
            max_sql_bytes: 100_000,
        }
    }
}

/// One value of a result row, as SQLite typed it.
#[derive(Debug, Clone, PartialEq)]
pub enum SqlValue {
    Null,
    Integer(i64),
    Real(f64),
    Text(String),
    Blob(Vec<u8>),
}

impl SqlValue {
    /// About how many bytes the value takes in JSON output.
    fn weight(&self) -> usize {
        match self {
            SqlValue::Null => 4,
            SqlValue::Integer(_) | SqlValue::Real(_) => 12,
            SqlValue::Text(s) => s.len() + 2,
            SqlValue::Blob(b) => b.len() * 2 + 16,
        }
    }

    /// Lower-case hex of a blob.
    pub fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// JSON: numbers, strings and null as themselves; a blob as `{"blob_hex": "..."}`.
impl Serialize for SqlValue {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        match self {
            SqlValue::Null => s.serialize_none(),
            SqlValue::Integer(i) => s.serialize_i64(*i),
            SqlValue::Real(f) => s.serialize_f64(*f),
            SqlValue::Text(t) => s.serialize_str(t),
            SqlValue::Blob(b) => {
                let mut m = s.serialize_map(Some(1))?;
                m.serialize_entry("blob_hex", &Self::hex(b))?;
                m.end()
            }
        }
    }
}

/// A result column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct QueryColumn {
    pub name: String,
    /// The declared type when the column comes straight from a table.
    pub decl_type: Option<String>,
}

/// What a query returned.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QueryResult {
    pub columns: Vec<QueryColumn>,
    pub rows: Vec<Vec<SqlValue>>,
    /// True when more rows existed than the limits let through.
    pub truncated: bool,
    /// Why the rows stop early, when they do.
    pub note: Option<String>,
}

/// Why a query did not run. Messages are shown to users and say what to do.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum QueryError {
    #[error(
        "no database at {0}; run `trading-mcp serve` or `trading-mcp import` first, or pass --db"
    )]
    NoDatabase(String),
    #[error("cannot open the database {path}: {detail}")]
    Open { path: String, detail: String },
    #[error(
        "no SQL statement given; write one SELECT, e.g. SELECT symbol, COUNT(*) FROM bars GROUP BY symbol"
    )]
    Empty,
    #[error("only one statement per query; remove everything after the first `;`")]
    MultipleStatements,
    #[error("the SQL is {len} bytes long; the limit is {max}")]
    TooLong { len: usize, max: usize },
    #[error(
        "the market database is read-only here: {0} is not allowed. Only SELECT queries (WITH and introspection pragmas such as table_info included) run; data gets in through the server or `trading-mcp import`"
    )]
    Denied(String),
    #[error("the query ran longer than {} and was stopped; narrow it (WHERE symbol = ... AND ts BETWEEN ...), aggregate, or add LIMIT", show_duration(*.0))]
    Timeout(Duration),
    #[error(
        "a value in the query grew past the {0}-byte limit for one string or blob; select smaller values (substr, length) instead"
    )]
    ValueTooBig(usize),
    #[error("SQL error: {0}")]
    Sql(String),
    #[error("the query could not run: {0}")]
    Internal(String),
}

fn show_duration(d: Duration) -> String {
    if d.subsec_millis() == 0 {
        format!("{} s", d.as_secs())
    } else {
        format!("{} ms", d.as_millis())
    }
}

/// Pragmas that describe the table or index their argument names.
const DESCRIBING_PRAGMAS: &[&str] = &[
    "table_info",
    "table_xinfo",
    "table_list",
    "index_list",
    "index_info",
    "index_xinfo",
    "foreign_key_list",
];

/// Pragmas that report a setting or the build; given a value, some of them
/// (`user_version = 3`, `journal_mode = delete`) would change it.
const REPORTING_PRAGMAS: &[&str] = &[
    "collation_list",
    "function_list",
    "module_list",
    "pragma_list",
    "compile_options",
    "database_list",
    "user_version",
    "schema_version",
    "data_version",
    "page_count",
    "page_size",
    "freelist_count",
    "encoding",
    "journal_mode",
];

/// Functions an authorizer must refuse even though they only "read".
const DENIED_FUNCTIONS: &[&str] = &["load_extension", "fts3_tokenizer"];

/// # Safety
/// `p` is null or a valid NUL-terminated string.
unsafe fn text<'a>(p: *const c_char) -> Option<&'a str> {
    // SAFETY: per the function's contract.
    (!p.is_null())
        .then(|| unsafe { CStr::from_ptr(p) }.to_str().ok())
        .flatten()
}

/// Describes an action the authorizer refuses, `None` for allowed ones.
fn denial(action: c_int, arg1: Option<&str>, arg2: Option<&str>) -> Option<String> {
    let name = arg1.unwrap_or("?");
    let named = |what: &str| format!("{what} {name}");
    Some(match action {
        ffi::SQLITE_SELECT | ffi::SQLITE_READ | ffi::SQLITE_RECURSIVE => return None,
        ffi::SQLITE_FUNCTION => {
            let f = arg2.unwrap_or("?");
            if DENIED_FUNCTIONS.iter().any(|d| d.eq_ignore_ascii_case(f)) {
                format!("{f}()")
            } else {
                return None;
            }
        }
        ffi::SQLITE_PRAGMA => {
            let is = |list: &[&str]| list.iter().any(|p| p.eq_ignore_ascii_case(name));
            if is(DESCRIBING_PRAGMAS) || (is(REPORTING_PRAGMAS) && arg2.is_none()) {
                return None;
            }
            match arg2 {
                Some(v) => format!("PRAGMA {name} = {v}"),
                None => format!("PRAGMA {name}"),
            }
        }
        ffi::SQLITE_INSERT => named("INSERT into"),
        ffi::SQLITE_UPDATE => named("UPDATE of"),
        ffi::SQLITE_DELETE => named("DELETE from"),
        ffi::SQLITE_CREATE_INDEX
        | ffi::SQLITE_CREATE_TABLE
        | ffi::SQLITE_CREATE_TEMP_INDEX
        | ffi::SQLITE_CREATE_TEMP_TABLE
        | ffi::SQLITE_CREATE_TEMP_TRIGGER
        | ffi::SQLITE_CREATE_TEMP_VIEW
        | ffi::SQLITE_CREATE_TRIGGER
        | ffi::SQLITE_CREATE_VIEW
        | ffi::SQLITE_CREATE_VTABLE => named("CREATE"),
        ffi::SQLITE_DROP_INDEX
        | ffi::SQLITE_DROP_TABLE
        | ffi::SQLITE_DROP_TEMP_INDEX
        | ffi::SQLITE_DROP_TEMP_TABLE
        | ffi::SQLITE_DROP_TEMP_TRIGGER
        | ffi::SQLITE_DROP_TEMP_VIEW
        | ffi::SQLITE_DROP_TRIGGER
        | ffi::SQLITE_DROP_VIEW
        | ffi::SQLITE_DROP_VTABLE => named("DROP"),
        ffi::SQLITE_ALTER_TABLE => format!("ALTER TABLE {}", arg2.unwrap_or(name)),
        ffi::SQLITE_ATTACH => "ATTACH".to_string(),
        ffi::SQLITE_DETACH => "DETACH".to_string(),
        ffi::SQLITE_TRANSACTION => format!("{name} (transaction control)"),
        ffi::SQLITE_SAVEPOINT => "SAVEPOINT".to_string(),
        ffi::SQLITE_REINDEX => "REINDEX".to_string(),
        ffi::SQLITE_ANALYZE => "ANALYZE".to_string(),
        other => format!("SQLite action {other}"),
    })
}

/// The denial to report: the first one, except that SQLite's own
/// bookkeeping (`DELETE from sqlite_master` while compiling a DROP) gives
/// way to the statement-level action that caused it.
#[derive(Debug, Default)]
struct Denied(RefCell<Option<(bool, String)>>);

impl Denied {
    fn record(&self, what: String, on_internal_table: bool) {
        let mut slot = self.0.borrow_mut();
        if slot
            .as_ref()
            .is_none_or(|(internal, _)| *internal && !on_internal_table)
        {
            *slot = Some((on_internal_table, what));
        }
    }

    fn take(&self) -> Option<String> {
        self.0.borrow_mut().take().map(|(_, what)| what)
    }
}

/// The authorizer: records denials in the [`Denied`] behind `user`.
///
/// A write to SQLite's own tables (`sqlite_master`...) is recorded but
/// not refused on the spot: SQLite checks it before the statement-level
/// action (DROP checks `DELETE from sqlite_master` first), and that action
/// is what the user should hear about. Any recorded denial fails the query
/// right after compiling, before a single step runs.
unsafe extern "C" fn authorize(
    user: *mut c_void,
    action: c_int,
    arg1: *const c_char,
    arg2: *const c_char,
    _db: *const c_char,
    _trigger: *const c_char,
) -> c_int {
    // SAFETY: SQLite passes valid strings or null.
    let (a1, a2) = unsafe { (text(arg1), text(arg2)) };
    match denial(action, a1, a2) {
        None => ffi::SQLITE_OK,
        Some(what) => {
            // SAFETY: `user` is the Denied that `run` keeps alive while the
            // authorizer is installed, used on this same thread.
            let denied = unsafe { &*user.cast::<Denied>() };
            let internal = matches!(
                action,
                ffi::SQLITE_INSERT | ffi::SQLITE_UPDATE | ffi::SQLITE_DELETE
            ) && a1.is_some_and(|t| t.starts_with("sqlite_"));
            denied.record(what, internal);
            if internal {
                ffi::SQLITE_OK
            } else {
                ffi::SQLITE_DENY
            }
        }
    }
}

/// The progress handler: non-zero (interrupt) once the deadline behind
/// `user` has passed.
unsafe extern "C" fn past_deadline(user: *mut c_void) -> c_int {
    // SAFETY: `user` points at the Instant `run` keeps alive meanwhile.
    let deadline = unsafe { &*user.cast::<Instant>() };
    c_int::from(Instant::now() >= *deadline)
}

/// VM instructions between deadline checks: a few microseconds of work.
const PROGRESS_STEPS: c_int = 1_000;

/// Runs `sql` read-only against the database at `path`.
pub async fn query_read_only(
    path: &Path,
    sql: &str,
    limits: QueryLimits,
) -> Result<QueryResult, QueryError> {
    let (path, sql) = (path.to_path_buf(), sql.to_string());
    tokio::task::spawn_blocking(move || run(&path, &sql, limits))
        .await
        .map_err(|e| QueryError::Internal(e.to_string()))?
}

/// The blocking body of [`query_read_only`].
pub fn run(path: &Path, sql: &str, limits: QueryLimits) -> Result<QueryResult, QueryError> {
    check_length(sql, &limits)?;
    if !path.is_file() {
        return Err(QueryError::NoDatabase(path.display().to_string()));
    }
    let mut conn = Connection::open_read_only(path).map_err(|e| open_error(path, e))?;
    let db = conn.handle();
    configure(db, &limits).map_err(|e| open_error(path, e))?;
    let denied = Denied::default();
    let deadline = Instant::now() + limits.timeout;
    // SAFETY: `db` is ours alone (this thread opened it). The authorizer and
    // progress handler get pointers to `denied` and `deadline`, which live
    // until the end of this function, and are removed before it returns.
    unsafe {
        ffi::sqlite3_set_authorizer(
            db.as_ptr(),
            Some(authorize),
            std::ptr::from_ref(&denied).cast_mut().cast(),
        );
        ffi::sqlite3_progress_handler(
            db.as_ptr(),
            PROGRESS_STEPS,
            Some(past_deadline),
            std::ptr::from_ref(&deadline).cast_mut().cast(),
        );
    }
    let result = execute(db, sql, &limits, &denied);
    // SAFETY: removing the hooks before `denied` and `deadline` go away.
    unsafe {
        ffi::sqlite3_progress_handler(db.as_ptr(), 0, None, std::ptr::null_mut());
        ffi::sqlite3_set_authorizer(db.as_ptr(), None, std::ptr::null_mut());
    }
    drop(conn);
    result
}

fn open_error(path: &Path, e: SqliteFailure) -> QueryError {
    QueryError::Open {
        path: path.display().to_string(),
        detail: e.message,
    }
}

/// Limits and pragmas on a fresh read-only connection.
fn configure(db: NonNull<ffi::sqlite3>, limits: &QueryLimits) -> Result<(), SqliteFailure> {
    let max_value = c_int::try_from(limits.max_value_bytes).unwrap_or(c_int::MAX);
    let max_sql = c_int::try_from(limits.max_sql_bytes).unwrap_or(c_int::MAX);
    // SAFETY: `db` is open and ours; the pragma text is NUL-terminated.
    unsafe {
        ffi::sqlite3_limit(db.as_ptr(), ffi::SQLITE_LIMIT_LENGTH, max_value);
        ffi::sqlite3_limit(db.as_ptr(), ffi::SQLITE_LIMIT_SQL_LENGTH, max_sql);
        ffi::sqlite3_limit(db.as_ptr(), ffi::SQLITE_LIMIT_ATTACHED, 0);
        ffi::sqlite3_busy_timeout(db.as_ptr(), 2_000);
        exec(db, c"PRAGMA query_only = ON")
    }
}

/// Maps a failure while compiling or running to what the user should hear.
fn failure(e: SqliteFailure, denied: &Denied, limits: &QueryLimits) -> QueryError {
    if let Some(what) = denied.take() {
        return QueryError::Denied(what);
    }
    match e.primary() {
        ffi::SQLITE_INTERRUPT => QueryError::Timeout(limits.timeout),
        ffi::SQLITE_TOOBIG => QueryError::ValueTooBig(limits.max_value_bytes),
        ffi::SQLITE_READONLY => QueryError::Denied(format!("writing ({})", e.message)),
        ffi::SQLITE_AUTH => QueryError::Denied(e.message),
        _ => QueryError::Sql(e.message),
    }
}

fn execute(
    db: NonNull<ffi::sqlite3>,
    sql: &str,
    limits: &QueryLimits,
    denied: &Denied,
) -> Result<QueryResult, QueryError> {
    // SAFETY: `db` is ours alone for the whole call.
    let (stmt, rest) =
        unsafe { Statement::prepare_first(db, sql) }.map_err(|e| failure(e, denied, limits))?;
    if let Some(what) = denied.take() {
        return Err(QueryError::Denied(what));
    }
    let Some(mut stmt) = stmt else {
        return Err(QueryError::Empty);
    };
    // Anything but whitespace and comments after the statement is a second one.
    // SAFETY: as above; the probe is finalized at once.
    let (second, _) = unsafe { Statement::prepare_first(db, rest) }
        .map_err(|_| QueryError::MultipleStatements)?;
    if second.is_some() {
        return Err(QueryError::MultipleStatements);
    }
    if !stmt.is_read_only() {
        return Err(QueryError::Denied(
            "a statement that writes (such as VACUUM)".into(),
        ));
    }
    let columns: Vec<QueryColumn> = (0..stmt.column_count())
        .map(|i| QueryColumn {
            name: stmt.column_name(i),
            decl_type: stmt.column_decltype(i),
        })
        .collect();
    let mut rows = LimitedRows::new(limits);
    while stmt.step().map_err(|e| failure(e, denied, limits))? {
        let row = (0..stmt.column_count()).map(|i| value(&stmt, i)).collect();
        if !rows.push(row) {
            break;
        }
    }
    Ok(rows.finish(columns))
}

/// Refuses SQL longer than the limit, before anything opens.
pub(super) fn check_length(sql: &str, limits: &QueryLimits) -> Result<(), QueryError> {
    if sql.len() > limits.max_sql_bytes {
        return Err(QueryError::TooLong {
            len: sql.len(),
            max: limits.max_sql_bytes,
        });
    }
    Ok(())
}

/// The rows of a result, up to the row and output limits; the same on
/// both backends.
pub(super) struct LimitedRows<'l> {
    limits: &'l QueryLimits,
    rows: Vec<Vec<SqlValue>>,
    bytes: usize,
    note: Option<String>,
}

impl<'l> LimitedRows<'l> {
    pub fn new(limits: &'l QueryLimits) -> Self {
        Self {
            limits,
            rows: Vec::new(),
            bytes: 0,
            note: None,
        }
    }

    /// Keeps `row` if the limits allow it; `false` once they stop the
    /// result (the row is the first one past them).
    pub fn push(&mut self, row: Vec<SqlValue>) -> bool {
        if self.rows.len() == self.limits.max_rows {
            self.note = Some(format!(
                "stopped at the row limit of {}; more rows exist (aggregate, add WHERE, or raise the limit)",
                self.limits.max_rows
            ));
            return false;
        }
        let weight: usize = row.iter().map(SqlValue::weight).sum::<usize>() + 2;
        if self.bytes + weight > self.limits.max_bytes {
            self.note = Some(format!(
                "stopped at the output limit of {} bytes after {} rows; more rows exist (select fewer columns or rows)",
                self.limits.max_bytes,
                self.rows.len()
            ));
            return false;
        }
        self.bytes += weight;
        self.rows.push(row);
        true
    }

    pub fn finish(self, columns: Vec<QueryColumn>) -> QueryResult {
        QueryResult {
            columns,
            rows: self.rows,
            truncated: self.note.is_some(),
            note: self.note,
        }
    }
}

fn value(stmt: &Statement, i: c_int) -> SqlValue {
    match stmt.column_type(i) {
        ffi::SQLITE_INTEGER => SqlValue::Integer(stmt.column_i64(i)),
        ffi::SQLITE_FLOAT => SqlValue::Real(stmt.column_f64(i)),
        ffi::SQLITE_TEXT => {
            SqlValue::Text(String::from_utf8_lossy(stmt.column_bytes(i)).into_owned())
        }
        ffi::SQLITE_BLOB => SqlValue::Blob(stmt.column_bytes(i).to_vec()),
        _ => SqlValue::Null,
    }
}
